// A local event handler (node:http on port 0) that records every request and answers through a test-supplied function.
import { createServer, type IncomingHttpHeaders, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { Recording } from "@webpubsub/test-kit";
import type { EventHandlerSettings, UpstreamContext, UpstreamInvokerOptions } from "../../src/upstream/index.ts";
import { UpstreamInvoker } from "../../src/upstream/index.ts";

export interface RecordedRequest {
  method: string;
  /** Path and query. */
  url: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
  text: string;
}

export type Responder = (req: RecordedRequest, res: ServerResponse) => void | Promise<void>;

export interface HandlerServer {
  /** http://127.0.0.1:PORT */
  base: string;
  requests: RecordedRequest[];
  /** Requests other than the validation ones. */
  events(): RecordedRequest[];
  respond: Responder;
  /** Resolves with the first recorded request (past or future) matching `pred`. */
  waitFor(pred: (r: RecordedRequest) => boolean, timeoutMs?: number): Promise<RecordedRequest>;
  close(): Promise<void>;
}

/** Answers validation with `WebHook-Allowed-Origin: *` and every event with 204. */
export const defaultResponder: Responder = (req, res) => {
  if (req.method === "OPTIONS") res.setHeader("WebHook-Allowed-Origin", "*");
  res.statusCode = req.method === "OPTIONS" ? 200 : 204;
  res.end();
};

export async function startHandlerServer(respond: Responder = defaultResponder): Promise<HandlerServer> {
  const recorded = new Recording<RecordedRequest>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      const rec: RecordedRequest = {
        method: req.method ?? "",
        url: req.url ?? "",
        headers: req.headers,
        body,
        text: body.toString("utf8"),
      };
      recorded.push(rec);
      Promise.resolve(hs.respond(rec, res)).catch((err: unknown) => {
        res.statusCode = 599;
        res.end(String(err));
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  const hs: HandlerServer = {
    base: `http://127.0.0.1:${port}`,
    requests: recorded.items,
    events: () => hs.requests.filter((r) => r.method === "POST"),
    respond,
    waitFor: (pred, timeoutMs) => recorded.waitFor(pred, "matching request", timeoutMs),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  return hs;
}

export const KEY1 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789ABCDEFGH";
export const KEY2 = "secondary-key-0123456789";
export const ORIGIN = "127.0.0.1:7777";

/** An UpstreamInvoker with fast test timings; its log lines go to `logs`. */
export function makeInvoker(
  handlers: EventHandlerSettings[] | ((hub: string) => EventHandlerSettings[]),
  overrides: Partial<UpstreamInvokerOptions> = {},
): { invoker: UpstreamInvoker; logs: string[]; waitForLog(re: RegExp, timeoutMs?: number): Promise<string> } {
  const logs = new Recording<string>();
  const waitForLog = (re: RegExp, timeoutMs?: number) =>
    logs.waitFor((l) => re.test(l), `log line matching ${re}`, timeoutMs);
  const invoker = new UpstreamInvoker({
    getHandlers: typeof handlers === "function" ? handlers : () => handlers,
    accessKeys: [KEY1, KEY2],
    origin: ORIGIN,
    log: (line) => logs.push(line),
    // generous: a test that wants a timeout sets its own; these only keep a starved machine from timing out a handler
    // that does answer
    timeoutMs: 20_000,
    validationTimeoutMs: 20_000,
    retryDelaysMs: [10, 20, 30],
    ...overrides,
  });
  return { invoker, logs: logs.items, waitForLog };
}

let nextConnection = 0;

/** A connection context whose event ids count from 0, as the emulator's do. */
export function makeContext(overrides: Partial<UpstreamContext> = {}): UpstreamContext {
  let id = 0;
  return {
    hub: "chat",
    connectionId: `conn-${++nextConnection}`,
    userId: "alice",
    nextEventId: () => id++,
    ...overrides,
  };
}

export const allEvents = (base: string, extra: Partial<EventHandlerSettings> = {}): EventHandlerSettings => ({
  urlTemplate: `${base}/api/{hub}/{event}`,
  userEventPattern: "*",
  systemEvents: ["connect", "connected", "disconnected"],
  ...extra,
});

export const connectBody = (over: Partial<Parameters<UpstreamInvoker["connect"]>[1]> = {}) => ({
  claims: {},
  query: {},
  headers: {},
  subprotocols: [] as string[],
  clientCertificates: [] as [],
  ...over,
});
