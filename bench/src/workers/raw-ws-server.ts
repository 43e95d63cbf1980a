// Baseline server: a raw `ws` server. POST /broadcast sends the request body to every client, one shared buffer.
import { createServer } from "node:http";
import { WebSocketServer } from "ws";

const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on("data", (c: Buffer) => chunks.push(c));
  req.on("end", () => {
    if (req.url === "/broadcast") {
      const body = Buffer.concat(chunks);
      for (const client of wss.clients) client.send(body, { binary: false });
      res.writeHead(202).end();
    } else res.writeHead(404).end();
  });
});
const wss = new WebSocketServer({ server, perMessageDeflate: false });
server.listen(0, "127.0.0.1", () => {
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  process.send?.({ port, endpoint: `http://127.0.0.1:${port}` });
});
process.on("message", (m: { type?: string }) => {
  if (m?.type === "rss") process.send?.({ type: "rss", rss: process.memoryUsage().rss });
  if (m?.type === "gc") {
    (globalThis as { gc?: () => void }).gc?.();
    process.send?.({ type: "gc-done" });
  }
});
process.on("disconnect", () => process.exit(0));
