// A node:http server on port 0 that records every request and answers with what the live service answers
// (sends 202, PUT 200, DELETE and closes 204, HEAD 200, ...), or with a scripted response.
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { counterWaiter } from "@webpubsub/test-kit";

export interface CapturedRequest {
  method: string;
  /** Path as sent on the wire (percent-encoded). */
  path: string;
  /** Raw query pairs as sent (still percent-encoded), in order. */
  query: string[];
  headers: IncomingMessage["headers"];
  body: Buffer;
}

export interface ScriptedResponse {
  status: number;
  /** Answer this late (to trigger client timeouts). */
  delayMs?: number;
  headers?: Record<string, string>;
  body?: string;
}

export interface CaptureServer {
  endpoint: string;
  requests: CapturedRequest[];
  /** Answers the next requests from this list (then falls back to the defaults). */
  script: (ScriptedResponse | ((req: CapturedRequest) => ScriptedResponse))[];
  /** Resolves once `count` requests have been captured in total (event-driven, no polling). */
  requestCount(count: number): Promise<void>;
  close(): Promise<void>;
}

export function defaultResponse(req: CapturedRequest): ScriptedResponse {
  const path = req.path;
  if (req.method === "HEAD") return { status: 200 };
  if (req.method === "PUT") return { status: 200 };
  if (req.method === "DELETE") return { status: 204 };
  if (req.method === "GET" && path.endsWith("/connections")) {
    return { status: 200, headers: { "content-type": "application/json" }, body: JSON.stringify({ value: [] }) };
  }
  if (path.endsWith("/:send")) return { status: 202 };
  if (path.endsWith("/:closeConnections")) return { status: 204 };
  if (path.endsWith("/:generateToken")) {
    return { status: 200, headers: { "content-type": "application/json" }, body: JSON.stringify({ token: "a.b.c" }) };
  }
  return { status: 200 };
}

export async function startCaptureServer(): Promise<CaptureServer> {
  const requests: CapturedRequest[] = [];
  const script: CaptureServer["script"] = [];
  const arrivals = counterWaiter(() => requests.length);
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const raw = req.url ?? "/";
      const q = raw.indexOf("?");
      const captured: CapturedRequest = {
        method: req.method ?? "",
        path: q === -1 ? raw : raw.slice(0, q),
        query:
          q === -1
            ? []
            : raw
                .slice(q + 1)
                .split("&")
                .filter(Boolean),
        headers: req.headers,
        body: Buffer.concat(chunks),
      };
      requests.push(captured);
      arrivals.notify();
      const next = script.shift() ?? defaultResponse;
      const answer = typeof next === "function" ? next(captured) : next;
      const respond = () => {
        if (res.destroyed) return;
        res.writeHead(answer.status, answer.headers);
        res.end(req.method === "HEAD" ? undefined : answer.body);
      };
      if (answer.delayMs) setTimeout(respond, answer.delayMs).unref();
      else respond();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    script,
    requestCount: (count) => arrivals.atLeast(count),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
