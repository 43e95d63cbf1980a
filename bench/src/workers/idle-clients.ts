// Opens N idle WebSocket clients (json subprotocol) to an endpoint (args: endpoint, count, connected|open, hub), reports the connect rate, and holds them open
// until told to close. Runs in its own process so the server's memory figures hold only the server's side.
import WebSocket from "ws";
import { clientUrl } from "../tokens.ts";

const [endpoint, countArg, waitFor = "connected", hub = "idle"] = process.argv.slice(2);
const count = Number(countArg);
const url = await clientUrl(endpoint as string, hub);
const sockets: WebSocket[] = [];
const CONCURRENCY = 200;
let next = 0;
let failed = 0;
const start = performance.now();

async function lane(): Promise<void> {
  while (next < count) {
    next++;
    await new Promise<void>((resolve) => {
      const ws = new WebSocket(url, "json.webpubsub.azure.v1", { perMessageDeflate: false });
      // A Web PubSub endpoint has set a connection up once it sent `connected`; a raw server once it opened.
      ws.once(waitFor === "open" ? "open" : "message", () => {
        sockets.push(ws);
        resolve();
      });
      ws.once("error", () => {
        failed++;
        resolve();
      });
    });
  }
}
await Promise.all(Array.from({ length: CONCURRENCY }, lane));
const seconds = (performance.now() - start) / 1000;
process.send?.({ type: "connected", connected: sockets.length, failed, perSecond: sockets.length / seconds });
process.on("message", (m: { type?: string }) => {
  if (m?.type === "close") {
    for (const ws of sockets) ws.terminate();
    process.send?.({ type: "closed" });
  }
});
process.on("disconnect", () => process.exit(0));
