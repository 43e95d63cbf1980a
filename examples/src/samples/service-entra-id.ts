// Creating a WebPubSubServiceClient with Microsoft Entra ID (no access key in the app):
//
//   import { DefaultAzureCredential } from "@azure/identity";
//   const service = new WebPubSubServiceClient(endpoint, new DefaultAzureCredential(), hub);
//
// Against a real resource (AZURE_WEBPUBSUB_CONNECTION_STRING set) this sample does exactly that, with the endpoint
// taken from the connection string; DefaultAzureCredential needs a signed-in identity (az login, a managed
// identity, ...) with the "Web PubSub Service Owner" role on the resource.
//
// Against the emulator there is no Entra ID to ask for a token. The emulator's `allowEntraTokens` option makes it
// accept bearer tokens whose audience is https://webpubsub.azure.com without checking their signature (it cannot),
// so this sample uses a tiny TokenCredential that returns such an unsigned test token. Never do this outside tests.
import type { AccessToken, TokenCredential } from "@azure/core-auth";
import { DefaultAzureCredential } from "@azure/identity";
import { WebPubSubClient } from "@webpubsub/client";
import { base64UrlEncode, parseConnectionString } from "@webpubsub/core";
import { WebPubSubServiceClient } from "@webpubsub/service";
import { Inbox } from "../support/inbox.ts";
import { expectEqual, log, runSample } from "../support/sample.ts";

/** A test-only credential: an unsigned JWT with the Web PubSub audience, valid for an hour. */
class UnsignedTestCredential implements TokenCredential {
  scopes: string[] = [];
  async getToken(scopes: string | string[]): Promise<AccessToken> {
    this.scopes = Array.isArray(scopes) ? scopes : [scopes];
    const now = Math.floor(Date.now() / 1000);
    const header = base64UrlEncode(JSON.stringify({ alg: "none", typ: "JWT" }));
    const payload = base64UrlEncode(
      JSON.stringify({ aud: "https://webpubsub.azure.com", iat: now, exp: now + 3600, oid: "test-app" }),
    );
    return { token: `${header}.${payload}.`, expiresOnTimestamp: (now + 3600) * 1000 };
  }
}

await runSample(
  "construct a service client with Microsoft Entra ID",
  async ({ connectionString, hub, emulator }) => {
    const { endpoint } = parseConnectionString(connectionString);
    const testCredential = emulator ? new UnsignedTestCredential() : undefined;
    const credential: TokenCredential = testCredential ?? new DefaultAzureCredential();
    // http:// endpoints (the emulator) must be allowed explicitly for token credentials
    const service = new WebPubSubServiceClient(endpoint, credential, hub, {
      allowInsecureConnection: endpoint.startsWith("http://"),
    });
    log(
      `new WebPubSubServiceClient("${endpoint}", ${testCredential ? "UnsignedTestCredential" : "DefaultAzureCredential"}, "${hub}")`,
    );

    // With a token credential, getClientAccessToken asks the service to mint the client token (no key here).
    const { url } = await service.getClientAccessToken({ userId: "entra-sample-user" });
    const client = new WebPubSubClient(url);
    const inbox = new Inbox(client);
    await client.start();
    try {
      expectEqual(client.userId, "entra-sample-user", "a client connected with a token the service minted");
      await service.sendToConnection(client.connectionId ?? "", "sent with an Entra ID token");
      await inbox.waitForCount(1);
      expectEqual(inbox.data(), ["sent with an Entra ID token"], "a message sent with Entra ID authentication arrived");
    } finally {
      await client.stop();
    }
    if (testCredential) {
      expectEqual(
        testCredential.scopes,
        ["https://webpubsub.azure.com/.default"],
        "the token was requested for the Web PubSub scope",
      );
    }
  },
  { emulator: { allowEntraTokens: true } },
);
