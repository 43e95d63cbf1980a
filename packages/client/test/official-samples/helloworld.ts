// The official client's "helloworld" sample (samples-dev/helloworld.ts of @azure/web-pubsub-client), written again
// with the same calls: only the client's import differs (the server side keeps the official @azure/web-pubsub, as
// in the sample: @webpubsub/service here would make a package cycle, since its tests use this client), and `dotenv` is
// left out (the test passes WPS_CONNECTION_STRING in the environment). official-samples.test.ts runs this file with our client and, through
// official-client-hooks.ts, with the official one, and compares what they print.

import { WebPubSubServiceClient } from "@azure/web-pubsub";
import type { GetClientAccessUrlOptions, WebPubSubClientCredential } from "@webpubsub/client";
import { WebPubSubClient } from "@webpubsub/client";

const hubName = "sample_chat";
const groupName = "testGroup";
const serviceClient = new WebPubSubServiceClient(process.env.WPS_CONNECTION_STRING!, hubName);

// Called for every connection the client opens; an app server would do this behind a negotiate endpoint.
async function fetchClientAccessUrl(_options: GetClientAccessUrlOptions): Promise<string> {
  const roles = [`webpubsub.joinLeaveGroup.${groupName}`, `webpubsub.sendToGroup.${groupName}`];
  const { url } = await serviceClient.getClientAccessToken({ roles });
  return url;
}

function describeData(data: unknown): string {
  return data instanceof ArrayBuffer ? Buffer.from(data).toString("base64") : JSON.stringify(data);
}

async function main(): Promise<void> {
  const client = new WebPubSubClient({ getClientAccessUrl: fetchClientAccessUrl } as WebPubSubClientCredential);

  await client.on("connected", (e) => {
    console.log(`Connection ${e.connectionId} is connected.`);
  });
  await client.on("disconnected", (e) => {
    console.log(`Connection disconnected: ${e.message}`);
  });
  await client.on("server-message", (e) => {
    console.log(`Received message ${describeData(e.message.data)}`);
  });
  await client.on("group-message", (e) => {
    console.log(`Received message from ${e.message.group} ${describeData(e.message.data)}`);
  });

  await client.start();
  await client.joinGroup(groupName);
  await client.sendToGroup(groupName, "hello world", "text", { fireAndForget: true });
  await client.sendToGroup(groupName, { a: 12, b: "hello" }, "json");
  await client.sendToGroup(groupName, "hello json", "json");
  const bytes = Buffer.from("aGVsbG9w", "base64");
  await client.sendToGroup(
    groupName,
    bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength),
    "binary",
  );
  await delay(1000);
  await client.stop();
}

function delay(ms: number): Promise<unknown> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

main().catch((e) => {
  console.error("Sample encountered an error", e);
  process.exit(1);
});
