// The emulator in its own process with an event handler (@webpubsub/handler on node:http, same process) that answers
// every user event at once with its own payload: the server side of the invoke benchmark.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { startEmulator } from "@webpubsub/emulator";
import { WebPubSubEventHandler } from "@webpubsub/handler";
import { toNodeListener } from "@webpubsub/handler/node";

const HUB = "invoke";
const handler = new WebPubSubEventHandler(HUB, {
  handleUserEvent: (req, res) => res.success(req.data, req.dataType),
});
const server = createServer(toNodeListener(handler));
await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
const urlTemplate = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/webpubsub/hubs/{hub}/`;
const emulator = await startEmulator({
  port: 0,
  host: "127.0.0.1",
  hubs: { [HUB]: { eventHandlers: [{ urlTemplate, userEventPattern: "*" }] } },
});
process.send?.({ endpoint: emulator.endpoint, hub: HUB });
process.on("disconnect", () => {
  server.closeAllConnections();
  server.close();
  void emulator.close().finally(() => process.exit(0));
});
