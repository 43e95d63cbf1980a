// Every entry point of every public package, imported as a user would, for the release tests' type checks (each
// TypeScript version and module resolution mode must accept the packed declarations with skipLibCheck off), plus a
// few uses of types that cross package boundaries.
import * as async from "@webpubsub/async";
import * as client from "@webpubsub/client";
import * as core from "@webpubsub/core";
import * as emulator from "@webpubsub/emulator";
import * as handler from "@webpubsub/handler";
import * as handlerNode from "@webpubsub/handler/node";
import * as rest from "@webpubsub/rest";
import * as service from "@webpubsub/service";
import * as testRecorder from "@webpubsub/test-recorder";

export const modules = { async, client, core, emulator, handler, handlerNode, rest, service, testRecorder };

export async function usesTypes(): Promise<void> {
  const em: emulator.RunningEmulator = await emulator.startEmulator({ port: 0 });
  const svc = new service.WebPubSubServiceClient(em.connectionString, "hub");
  const token: service.ClientTokenResponse = await svc.getClientAccessToken({ roles: ["webpubsub.joinLeaveGroup"] });
  const ws = new client.WebPubSubClient(token.url, { protocol: client.WebPubSubJsonReliableProtocol() });
  ws.on("server-message", (e) => e.message.data);
  const h = new handler.WebPubSubEventHandler("hub", { handleConnect: (_req, res) => res.success() });
  const listener: handlerNode.NodeListener = handlerNode.toNodeListener(h);
  const restClient = rest.createWebPubSubRestClient(em.endpoint, new rest.AzureKeyCredential("key"));
  const delay: Promise<void> = async.delay(1);
  const parsed = core.parseConnectionString(em.connectionString);
  void [listener, restClient, delay, parsed.endpoint, testRecorder.getTestMode({})];
  await em.close();
}
