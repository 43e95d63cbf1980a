// An event handler served on this machine for the samples that need one. A real service must reach the handler over
// the internet, so those samples always run against the in-process emulator, configured to call this server.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { WebPubSubEventHandler } from "@webpubsub/handler";
import { toNodeListener } from "@webpubsub/handler/node";

export interface HandlerServer {
  /** The URL template the emulator's event handler settings take (`{hub}` is filled in per call). */
  urlTemplate: string;
  /** Stops listening and drops the service's open keep-alive connections. */
  close(): void;
}

/**
 * Serves `handler` on a free localhost port and makes the samples use the in-process emulator in the hub "samples"
 * (a connection string in the environment is set aside: the service would have no way to call this machine).
 */
export async function serveHandler(handler: WebPubSubEventHandler): Promise<HandlerServer> {
  const server = createServer(toNodeListener(handler));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  if (process.env.AZURE_WEBPUBSUB_CONNECTION_STRING) {
    console.log("(this sample needs the service to call this machine: it uses an in-process emulator)");
    delete process.env.AZURE_WEBPUBSUB_CONNECTION_STRING;
  }
  process.env.AZURE_WEBPUBSUB_HUB = "samples";
  return {
    urlTemplate: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/webpubsub/hubs/{hub}/`,
    close() {
      server.close();
      server.closeAllConnections();
    },
  };
}
