// The access key the service tests sign with, and a client of a test server authenticated by it.
import { WebPubSubServiceClient, type WebPubSubServiceClientOptions } from "../../src/index.ts";

/** A syntactically valid access key (44 characters) known to every test that checks a signature. */
export const KEY = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789ABCDEFGH";

/** A service client of hub `hub` at `server`'s endpoint, signing with KEY. */
export function clientOf(
  server: { endpoint: string },
  options?: WebPubSubServiceClientOptions,
  hub = "hub",
): WebPubSubServiceClient {
  return WebPubSubServiceClient.fromConnectionString(`Endpoint=${server.endpoint};AccessKey=${KEY}`, hub, options);
}
