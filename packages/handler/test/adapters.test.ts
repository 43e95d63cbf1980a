// The same handler under node:http, Express (with and without body parsers before it) and a plain fetch-style server.
import {
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from "node:http";
import { type AddressInfo, connect } from "node:net";
import express from "express";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebPubSubEventHandler } from "../src/index.ts";
import { expressMiddleware, toNodeListener } from "../src/node.ts";
import { CONNECT, eventRequest, KEY, signedEventRequest, USER_MESSAGE } from "./helpers.ts";

function makeHandler() {
  return new WebPubSubEventHandler("hub", {
    accessKeys: [KEY],
    maxBodyBytes: 64 * 1024,
    onError: () => {},
    handleConnect: (req, res) => {
      res.setState("room", req.query?.room?.[0] ?? "none");
      res.success({ userId: `user-${req.claims?.sub?.[0] ?? "anon"}`, groups: ["g1"] });
    },
    handleUserEvent: (req, res) => {
      if (req.dataType === "json") res.success({ echo: req.data, state: req.context.states }, "json");
      else if (req.dataType === "text") res.success(`echo: ${req.data}`, "text");
      else res.success(req.data.slice().reverse());
    },
  });
}

/** A minimal fetch-style server (what Deno.serve / Bun.serve do), written independently of our node adapter. */
function fetchStyleServer(fetchHandler: (request: Request) => Promise<Response>): Server {
  return createServer(async (req: IncomingMessage, res: ServerResponse) => {
    const headers = new Headers(req.headers as Record<string, string>);
    const hasBody = req.method !== "GET" && req.method !== "HEAD";
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const request = new Request(`http://${req.headers.host}${req.url}`, {
      method: req.method,
      headers,
      body: hasBody ? Buffer.concat(chunks) : null,
    });
    const response = await fetchHandler(request);
    res.writeHead(response.status, Object.fromEntries(response.headers));
    res.end(Buffer.from(await response.arrayBuffer()));
  });
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** Sends a Request built for localhost to the server at `base`. */
async function send(base: string, request: Request): Promise<Response> {
  const url = new URL(request.url);
  const body = request.body ? new Uint8Array(await request.arrayBuffer()) : undefined;
  return fetch(`${base}${url.pathname}${url.search}`, { method: request.method, headers: request.headers, body });
}

function expressApp(before: express.RequestHandler[], handler = makeHandler()): express.Express {
  const app = express();
  for (const mw of before) app.use(mw);
  app.use(expressMiddleware(handler));
  app.use((_req, res) => {
    res.status(299).send("next route");
  });
  return app;
}

const servers: [string, () => Server, string][] = [
  ["node:http", () => createServer(toNodeListener(makeHandler())), "404"],
  ["fetch-style server", () => fetchStyleServer(makeHandler().fetch), "404"],
  ["Express without body parser", () => createServer(expressApp([])), "next"],
  ["Express after express.json()", () => createServer(expressApp([express.json()])), "next"],
  [
    "Express after express.json(), express.text() and express.raw()",
    () => createServer(expressApp([express.json(), express.text(), express.raw()])),
    "next",
  ],
  [
    "Express after express.raw({ type: '*/*' })",
    () => createServer(expressApp([express.raw({ type: "*/*" })])),
    "next",
  ],
];

describe.each(servers)("%s", (_name, build, unhandled) => {
  let server: Server;
  let base: string;
  beforeAll(async () => {
    server = build();
    base = await listen(server);
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it("answers abuse protection", async () => {
    const response = await fetch(`${base}/api/webpubsub/hubs/hub/`, {
      method: "OPTIONS",
      headers: { "WebHook-Request-Origin": "x.webpubsub.azure.com" },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get("webhook-allowed-origin")).toBe("*");
  });

  it("accepts a signed connect with overrides and state", async () => {
    const body = JSON.stringify({ claims: { sub: ["alice"] }, query: { room: ["lobby"] } });
    const response = await send(base, await signedEventRequest({ type: CONNECT, body }));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ userId: "user-alice", groups: ["g1"] });
    expect(atob(response.headers.get("ce-connectionstate")!)).toBe('{"room":"lobby"}');
  });

  it("refuses an unsigned connect with 401", async () => {
    const response = await send(base, eventRequest({ type: CONNECT, body: "{}" }));
    expect(response.status).toBe(401);
  });

  it("round-trips a JSON user event with its state", async () => {
    const request = await signedEventRequest({
      type: USER_MESSAGE,
      contentType: "application/json",
      body: JSON.stringify({ a: [1, 2] }),
      headers: { "ce-connectionstate": btoa('{"room":"lobby"}') },
    });
    const response = await send(base, request);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/json; charset=utf-8");
    expect(await response.json()).toEqual({ echo: { a: [1, 2] }, state: { room: "lobby" } });
  });

  it("round-trips text and binary user events", async () => {
    const text = await send(
      base,
      await signedEventRequest({ type: USER_MESSAGE, contentType: "text/plain; charset=utf-8", body: "héllo" }),
    );
    expect(await text.text()).toBe("echo: héllo");
    const binary = await send(
      base,
      await signedEventRequest({
        type: USER_MESSAGE,
        contentType: "application/octet-stream",
        body: new Uint8Array([1, 2, 3, 255]),
      }),
    );
    expect(binary.headers.get("content-type")).toBe("application/octet-stream");
    expect(new Uint8Array(await binary.arrayBuffer())).toEqual(new Uint8Array([255, 3, 2, 1]));
  });

  it("answers 400 for malformed JSON (ours, or the body parser's)", async () => {
    const response = await send(
      base,
      await signedEventRequest({ type: USER_MESSAGE, contentType: "application/json", body: "{oops" }),
    );
    expect(response.status).toBe(400);
  });

  it("answers 413 for a body over the limit", async () => {
    const response = await send(
      base,
      await signedEventRequest({
        type: USER_MESSAGE,
        contentType: "application/octet-stream",
        body: new Uint8Array(65 * 1024),
      }),
    );
    expect(response.status).toBe(413);
  });

  // Rule: only requests to the handler's path are its own. A request target starting "//" (or "/\\") is a path
  // whose first segment is empty, not a URL naming another host: the service's event for this hub posted there is
  // for a path the handler does not serve, so it is passed on like any other.
  it(`passes on an event posted to "//host" + its path, and handles its own path (${unhandled})`, async () => {
    const own = await send(base, await signedEventRequest({ type: CONNECT }));
    expect(own.status).toBe(200);
    for (const path of ["//other/api/webpubsub/hubs/hub/", "//localhost/api/webpubsub/hubs/hub/"]) {
      const response = await send(base, await signedEventRequest({ type: CONNECT, path }));
      if (unhandled === "next") {
        expect(response.status).toBe(299);
        expect(await response.text()).toBe("next route");
      } else {
        expect(response.status).toBe(404);
      }
    }
  });

  it(`passes requests it does not own on (${unhandled})`, async () => {
    const other = await send(base, await signedEventRequest({ type: CONNECT, hub: "other" }));
    const elsewhere = await fetch(`${base}/elsewhere`, { method: "POST", body: "x" });
    for (const response of [other, elsewhere]) {
      if (unhandled === "next") {
        expect(response.status).toBe(299);
        expect(await response.text()).toBe("next route");
      } else {
        expect(response.status).toBe(404);
      }
    }
  });
});

describe("node adapters", () => {
  it("toNodeListener calls next for requests it does not own when given one", async () => {
    const listener = toNodeListener(makeHandler());
    const server = createServer((req, res) =>
      listener(req, res, () => {
        res.statusCode = 298;
        res.end("next");
      }),
    );
    const base = await listen(server);
    try {
      const response = await fetch(`${base}/elsewhere`);
      expect(response.status).toBe(298);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  // Rule: a failing user callback never crashes the process or leaves the caller waiting: onUnhandled is typed
  // `=> void`, so an async one type-checks, and its rejection is answered like a throw (500 while nothing was sent).
  it("toNodeListener answers 500 when an async onUnhandled rejects, leaving no unhandled rejection", async () => {
    const unhandled: unknown[] = [];
    const record = (reason: unknown) => unhandled.push(reason);
    process.on("unhandledRejection", record);
    const listener = toNodeListener(makeHandler(), {
      onUnhandled: async () => {
        throw new Error("db password is hunter2");
      },
    });
    const server = createServer(listener);
    const base = await listen(server);
    try {
      const response = await fetch(`${base}/elsewhere`);
      expect(response.status).toBe(500);
      expect(await response.text()).toBe("Internal Server Error");
      await new Promise((resolve) => setImmediate(resolve));
    } finally {
      process.off("unhandledRejection", record);
      await new Promise((resolve) => server.close(resolve));
    }
    expect(unhandled).toEqual([]);
  });

  // Rule: an event read by a body parser first is delivered as it was sent. express.json({ strict: false }) leaves
  // `null` in req.body for a JSON null, which no parser leaves for an absent body: it is the JSON value null, not an
  // empty body (which a JSON user event cannot be: that was a 400, and the event was lost).
  it("after express.json({ strict: false }), a JSON null user event is delivered as null, like without the parser", async () => {
    const seen: unknown[] = [];
    const handler = new WebPubSubEventHandler("hub", {
      onError: () => {},
      handleUserEvent: (req, res) => {
        seen.push([req.dataType, req.data]);
        res.success();
      },
    });
    for (const parsers of [[express.json({ strict: false })], []]) {
      const server = createServer(expressApp(parsers, handler));
      const base = await listen(server);
      try {
        const request = eventRequest({ type: USER_MESSAGE, contentType: "application/json", body: "null" });
        expect((await send(base, request)).status).toBe(200);
      } finally {
        await new Promise((resolve) => server.close(resolve));
      }
    }
    expect(seen).toEqual([
      ["json", null],
      ["json", null],
    ]);
  });

  it("uses Express's full URL when mounted under a prefix", async () => {
    const app = express();
    app.use("/api", expressMiddleware(makeHandler()));
    const server = createServer(app);
    const base = await listen(server);
    try {
      const response = await send(base, await signedEventRequest({ type: CONNECT }));
      expect(response.status).toBe(200);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it("aborts the handler's signal when the caller goes away", async () => {
    let started!: () => void;
    const running = new Promise<void>((r) => {
      started = r;
    });
    let aborted!: (reason: unknown) => void;
    const abortSeen = new Promise<unknown>((r) => {
      aborted = r;
    });
    const handler = new WebPubSubEventHandler("hub", {
      onError: () => {},
      handleConnect: (req) => {
        req.context.signal.addEventListener("abort", () => aborted(req.context.signal.reason));
        started();
      },
    });
    const server = createServer(toNodeListener(handler));
    const base = await listen(server);
    try {
      const caller = new AbortController();
      const request = eventRequest({ type: CONNECT });
      const pending = fetch(`${base}/api/webpubsub/hubs/hub/`, {
        method: "POST",
        headers: request.headers,
        body: "{}",
        signal: caller.signal,
      }).catch((e: unknown) => e);
      await running;
      caller.abort();
      expect(String(await abortSeen)).toMatch(/closed the connection/);
      expect(await pending).toBeInstanceOf(Error);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it.each([
    ["toNodeListener", (h: WebPubSubEventHandler) => createServer(toNodeListener(h))],
    ["expressMiddleware", (h: WebPubSubEventHandler) => createServer(expressApp([], h))],
  ])("%s answers a body that stops arriving with 408 and closes the connection", async (_name, build) => {
    let calls = 0;
    const handler = new WebPubSubEventHandler("hub", {
      bodyTimeoutInMs: 100,
      onError: () => {},
      handleUserEvent: (_r, res) => {
        calls++;
        res.success();
      },
    });
    const server = build(handler);
    const base = await listen(server);
    try {
      // A raw client that declares 100 bytes, sends one and then nothing: only the handler's deadline ends this.
      const headers = eventRequest({ type: USER_MESSAGE, contentType: "text/plain" }).headers;
      const head = [
        "POST /api/webpubsub/hubs/hub/ HTTP/1.1",
        `Host: ${new URL(base).host}`,
        ...[...headers].filter(([n]) => n !== "content-length").map(([n, v]) => `${n}: ${v}`),
        "Content-Length: 100",
        "",
        "x",
      ].join("\r\n");
      const socket = connect(Number(new URL(base).port), "127.0.0.1");
      socket.write(head);
      let received = "";
      socket.on("data", (chunk) => {
        received += chunk.toString("latin1");
      });
      // the server ends the connection after its answer although the client never finished the body
      await new Promise<void>((resolve) => socket.once("close", () => resolve()));
      expect(received).toMatch(/^HTTP\/1\.1 408 /);
      expect(received.toLowerCase()).toContain("connection: close");
      expect(received.split("\r\n\r\n")[1]).toBe("Request Timeout");
      expect(calls).toBe(0);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  // Rule: a request the handler does not own is passed on (or answered 404), never failed. A fetch Request cannot
  // carry the methods the Fetch standard forbids (TRACE, CONNECT), so such a request must not be turned into one: it
  // is not a Web PubSub event, and building the Request would throw, answering 500 (with Express's stack trace page).
  it.each([
    ["toNodeListener", (h: WebPubSubEventHandler) => createServer(toNodeListener(h)), 404],
    ["expressMiddleware", (h: WebPubSubEventHandler) => createServer(expressApp([], h)), 299],
  ])("%s passes on a TRACE request like any request it does not own", async (_name, build, unhandled) => {
    const server = build(makeHandler());
    const base = await listen(server);
    const raw = (method: string, path: string) =>
      new Promise<{ status: number; body: string }>((resolve, reject) => {
        const request = httpRequest(`${base}${path}`, { method }, (response) => {
          let body = "";
          response.setEncoding("utf8");
          response.on("data", (chunk: string) => {
            body += chunk;
          });
          response.on("end", () => resolve({ status: response.statusCode ?? 0, body }));
        });
        request.on("error", reject);
        request.end();
      });
    try {
      for (const path of ["/elsewhere", "/api/webpubsub/hubs/hub/"]) {
        const trace = await raw("TRACE", path);
        expect(trace.status).toBe(unhandled);
        expect(trace.body).not.toMatch(/at |node:|\.ts/);
        // the other side of the boundary: a method a Request carries reaches the handler (abuse protection)
        const options = await fetch(`${base}${path}`, {
          method: "OPTIONS",
          headers: { "WebHook-Request-Origin": "x.webpubsub.azure.com" },
        });
        expect(options.status).toBe(path === "/elsewhere" ? unhandled : 200);
      }
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it("refuses a handler that is not a WebPubSubEventHandler", () => {
    expect(() => toNodeListener({} as WebPubSubEventHandler)).toThrow(TypeError);
    expect(() => expressMiddleware(undefined as unknown as WebPubSubEventHandler)).toThrow(TypeError);
  });
});
