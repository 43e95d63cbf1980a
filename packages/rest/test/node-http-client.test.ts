// The HttpClient under the REST clients on Node (src/node-http-client.ts) keeps every behaviour of the pipeline's
// default client: each case runs against a real node:http / node:https server, and where the outcome can be compared
// the same request also goes through @azure/core-rest-pipeline's createDefaultHttpClient (the independent peer).
import { getEventListeners, once } from "node:events";
import {
  type ClientRequest,
  createServer as createHttpServer,
  Agent as HttpAgent,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from "node:http";
import { createServer as createHttpsServer, Agent as HttpsAgent } from "node:https";
import type { AddressInfo, Socket } from "node:net";
import { gzipSync } from "node:zlib";
import {
  createDefaultHttpClient,
  createHttpHeaders,
  createPipelineRequest,
  type HttpClient,
  isRestError,
  type PipelineRequest,
  type PipelineRequestOptions,
} from "@azure/core-rest-pipeline";
import { AzureLogger, getLogLevel, setLogLevel } from "@azure/logger";
import { generate } from "selfsigned";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { defaultHttpClient } from "../src/node-http-client.ts";

type Handler = (req: IncomingMessage, res: ServerResponse, body: Buffer) => void;

interface TestServer {
  url: string;
  /** Requests seen, with their body and the socket they came on. */
  seen: { method: string; url: string; headers: IncomingMessage["headers"]; body: Buffer; socket: Socket }[];
  handle(handler: Handler): void;
  close(): Promise<void>;
}

async function startServer(server: Server, scheme: "http" | "https"): Promise<TestServer> {
  let handler: Handler = (_req, res) => res.writeHead(202, { "content-length": "0" }).end();
  const seen: TestServer["seen"] = [];
  const sockets = new Set<Socket>();
  server.on("connection", (socket: Socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  server.on("secureConnection", (socket: Socket) => sockets.add(socket));
  server.on("request", (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      seen.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers, body, socket: req.socket });
      handler(req, res, body);
    });
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;
  return {
    url: `${scheme}://127.0.0.1:${port}`,
    seen,
    handle: (h) => {
      handler = h;
    },
    close: async () => {
      for (const s of sockets) s.destroy();
      server.close();
      await once(server, "close");
    },
  };
}

/** A self-signed authority named `commonName` that is also a server certificate for 127.0.0.1. */
function loopbackAuthority(commonName: string) {
  return generate([{ name: "commonName", value: commonName }], {
    keyType: "ec",
    curve: "P-256",
    algorithm: "sha256",
    // valid from a minute ago: a certificate valid from "now" can be refused as not yet valid
    notBeforeDate: new Date(Date.now() - 60_000),
    extensions: [
      { name: "basicConstraints", cA: true, critical: true },
      { name: "keyUsage", digitalSignature: true, keyCertSign: true, critical: true },
      { name: "extKeyUsage", serverAuth: true },
      { name: "subjectAltName", altNames: [{ type: 7, ip: "127.0.0.1" }] },
    ],
  });
}

/** An https server on 127.0.0.1 with a certificate of its own authority, and that authority (`ca`) to trust it by. */
async function startSecureServer(): Promise<{ server: TestServer; ca: string }> {
  const pems = await loopbackAuthority("127.0.0.1");
  const server = await startServer(createHttpsServer({ cert: pems.cert, key: pems.private }), "https");
  return { server, ca: pems.cert };
}

const client = defaultHttpClient();
const peer = createDefaultHttpClient();
let plain: TestServer;

/** What the pipeline's policies set on a request rather than pass to createPipelineRequest. */
interface SetByPolicies {
  agent?: PipelineRequest["agent"];
  tlsSettings?: PipelineRequest["tlsSettings"];
  disableKeepAlive?: boolean;
}

function request(url: string, options: Partial<PipelineRequestOptions> & SetByPolicies = {}): PipelineRequest {
  const { agent, tlsSettings, disableKeepAlive, ...rest } = options;
  const created = createPipelineRequest({ url, method: "POST", allowInsecureConnection: true, ...rest });
  if (agent) created.agent = agent;
  if (tlsSettings) created.tlsSettings = tlsSettings;
  if (disableKeepAlive) created.disableKeepAlive = disableKeepAlive;
  return created;
}

/** The outcome of a request, comparable between two clients. */
async function outcome(http: HttpClient, options: Partial<PipelineRequestOptions>, path = "/api?x=1") {
  try {
    const response = await http.sendRequest(request(`${plain.url}${path}`, options));
    return {
      status: response.status,
      headers: response.headers.toJSON(),
      bodyAsText: response.bodyAsText,
    };
  } catch (error) {
    const e = error as Error & { code?: string; statusCode?: number };
    return { error: { name: e.name, message: e.message, code: e.code, restError: isRestError(e) } };
  }
}

/** node:http and node:https as the client reaches them (the modules' own objects, so a replaced agent is seen). */
const nodeHttp = process.getBuiltinModule("node:http") as typeof import("node:http");
const nodeHttps = process.getBuiltinModule("node:https") as typeof import("node:https");

/** An agent that counts the connections it opens. */
function counted<A extends HttpAgent>(agent: A): A & { connections: number } {
  const create = agent.createConnection.bind(agent);
  return Object.assign(agent, {
    connections: 0,
    createConnection(this: A & { connections: number }, ...args: Parameters<typeof create>) {
      this.connections++;
      return create(...args);
    },
  });
}

/** Runs `body` with `agent` as Node's global agent of the module, then puts the real one back. */
async function withGlobalAgent<T>(
  module: { globalAgent: HttpAgent },
  agent: HttpAgent,
  body: () => Promise<T>,
): Promise<T> {
  const real = module.globalAgent;
  module.globalAgent = agent;
  try {
    return await body();
  } finally {
    module.globalAgent = real;
    agent.destroy();
  }
}

beforeAll(async () => {
  plain = await startServer(createHttpServer({ keepAliveTimeout: 60_000 }), "http");
});
afterAll(() => plain.close());
afterEach(() => {
  plain.seen.length = 0;
  plain.handle((_req, res) => res.writeHead(202, { "content-length": "0" }).end());
});

describe("the HTTP client under the REST clients (Node)", () => {
  it("sends method, path, query, headers and a string body with its byte length, as the default client does", async () => {
    const body = "héllo wörld";
    for (const http of [client, peer]) {
      await http.sendRequest(
        request(`${plain.url}/api/hubs/h/:send?api-version=2024-12-01`, {
          body,
          headers: createHttpHeaders({ "Content-Type": "text/plain", "X-Custom": "v" }),
        }),
      );
    }
    const [ours, theirs] = plain.seen;
    expect(ours?.method).toBe("POST");
    expect(ours?.url).toBe("/api/hubs/h/:send?api-version=2024-12-01");
    expect(ours?.body.toString("utf8")).toBe(body);
    expect(ours?.headers["content-length"]).toBe(String(Buffer.byteLength(body)));
    expect(ours?.headers.host).toBe(new URL(plain.url).host);
    expect(ours?.headers).toEqual(theirs?.headers);
  });

  it("sends a Host header set on the request instead of its own, as the default client does", async () => {
    for (const http of [client, peer]) {
      await http.sendRequest(request(`${plain.url}/host`, { headers: createHttpHeaders({ Host: "example.test" }) }));
    }
    expect(plain.seen.map((s) => s.headers.host)).toEqual(["example.test", "example.test"]);
  });

  it("sends byte bodies exactly (a view's own bytes, not its whole buffer), and no body at all when there is none", async () => {
    const backing = new Uint8Array([9, 1, 2, 3, 9]);
    await client.sendRequest(request(`${plain.url}/view`, { body: backing.subarray(1, 4) }));
    await client.sendRequest(request(`${plain.url}/buffer`, { body: new Uint8Array([4, 5]).buffer }));
    await client.sendRequest(request(`${plain.url}/none`, { method: "DELETE" }));
    expect(plain.seen.map((s) => [s.url, [...s.body], s.headers["content-length"]])).toEqual([
      ["/view", [1, 2, 3], "3"],
      ["/buffer", [4, 5], "2"],
      ["/none", [], undefined],
    ]);
  });

  it("answers status, headers (the first of repeated ones) and the body as text, as the default client does", async () => {
    plain.handle((_req, res) => {
      res.setHeader("x-ms-error-code", "Oops");
      res.setHeader("set-cookie", ["a=1", "b=2"]);
      res.writeHead(409, { "content-type": "application/json" }).end('{"message":"nö"}');
    });
    const ours = await outcome(client, {});
    expect(ours).toMatchObject({ status: 409, bodyAsText: '{"message":"nö"}' });
    expect(ours.headers).toMatchObject({ "x-ms-error-code": "Oops", "set-cookie": "a=1" });
    const theirs = await outcome(peer, {});
    const { date: _a, ...oursHeaders } = ours.headers ?? {};
    const { date: _b, ...theirHeaders } = theirs.headers ?? {};
    expect({ ...ours, headers: oursHeaders }).toEqual({ ...theirs, headers: theirHeaders });
  });

  it("decodes gzip and deflate answers when the request accepts them, and leaves them alone when it does not", async () => {
    const text = "compressed ".repeat(50);
    plain.handle((_req, res) => res.writeHead(200, { "content-encoding": "gzip" }).end(gzipSync(text)));
    const accepts = { headers: createHttpHeaders({ "Accept-Encoding": "gzip,deflate" }) };
    expect((await outcome(client, accepts)).bodyAsText).toBe(text);
    expect((await outcome(peer, accepts)).bodyAsText).toBe(text);
    const raw = await outcome(client, {});
    expect(raw.bodyAsText).toBe((await outcome(peer, {})).bodyAsText);
    expect(raw.bodyAsText).not.toBe(text);
  });

  it("fails a corrupt gzip answer as the default client words it, and closes its connection instead of leaving it busy", async () => {
    const accepts = { headers: createHttpHeaders({ "Accept-Encoding": "gzip,deflate" }) };
    // The answer promises more bytes than it sends and stays open: only the client can end the exchange.
    plain.handle((_req, res) =>
      res.writeHead(200, { "content-encoding": "gzip", "content-length": "100" }).write("not gzip"),
    );
    const ours = await outcome(client, accepts);
    expect(ours).toEqual({
      error: {
        name: "RestError",
        message: expect.stringContaining("Error reading response as text: "),
        code: "PARSE_ERROR",
        restError: true,
      },
    });
    expect(await outcome(peer, accepts)).toEqual(ours);
    const used = plain.seen.at(-2)!.socket;
    if (!used.closed) await once(used, "close");
    // the next request goes out on a new connection and succeeds
    plain.handle((_req, res) => res.writeHead(200, { "content-encoding": "gzip" }).end(gzipSync("fine")));
    expect((await outcome(client, accepts)).bodyAsText).toBe("fine");
    expect(plain.seen.at(-1)!.socket).not.toBe(used);
  });

  it("keeps the connection alive between requests", async () => {
    await client.sendRequest(request(`${plain.url}/1`, { body: "a" }));
    await client.sendRequest(request(`${plain.url}/2`, { body: "b" }));
    await client.sendRequest(request(`${plain.url}/3`, { method: "HEAD" }));
    await client.sendRequest(request(`${plain.url}/4`, { method: "GET" }));
    await client.sendRequest(request(`${plain.url}/1`, { method: "PUT" }));
    expect(plain.seen.map((s) => `${s.method} ${s.url}`)).toEqual([
      "POST /1",
      "POST /2",
      "HEAD /3",
      "GET /4",
      "PUT /1",
    ]);
    expect(new Set(plain.seen.map((s) => s.socket)).size).toBe(1);
  });

  it("reads no body for HEAD", async () => {
    plain.handle((_req, res) => res.writeHead(200, { "content-length": "5" }).end());
    const response = await client.sendRequest(request(`${plain.url}/head`, { method: "HEAD" }));
    expect(response.status).toBe(200);
    expect(response.bodyAsText).toBeUndefined();
  });

  it("refuses plain http unless allowInsecureConnection, before sending anything (the default client's message)", async () => {
    const url = `${plain.url}/insecure`;
    const ours = client.sendRequest(request(url, { allowInsecureConnection: false }));
    await expect(ours).rejects.toThrow(`Cannot connect to ${url} while allowInsecureConnection is false.`);
    await expect(peer.sendRequest(request(url, { allowInsecureConnection: false }))).rejects.toThrow(
      `Cannot connect to ${url} while allowInsecureConnection is false.`,
    );
    expect(plain.seen).toEqual([]);
  });

  it("fails a refused connection with a RestError carrying the system's code, as the default client does", async () => {
    const closed = await startServer(createHttpServer(), "http");
    const url = `${closed.url}/gone`;
    await closed.close();
    const errors = [];
    for (const http of [client, peer]) {
      errors.push(await http.sendRequest(request(url)).catch((e: unknown) => e));
    }
    for (const error of errors) {
      expect(isRestError(error)).toBe(true);
      expect((error as { code?: string }).code).toBe("ECONNREFUSED");
    }
  });

  it("fails an answer cut short with a PARSE_ERROR RestError, as the default client does", async () => {
    plain.handle((_req, res) => {
      res.writeHead(200, { "content-length": "100" });
      res.write("partial", () => res.socket?.destroy());
    });
    const ours = await outcome(client, {});
    const theirs = await outcome(peer, {});
    expect(ours.error).toMatchObject({ restError: true, code: "PARSE_ERROR" });
    expect(ours.error?.message).toMatch(/^Error reading response as text: /);
    expect(theirs.error).toMatchObject({ restError: true, code: "PARSE_ERROR" });
  });

  it("fails a gzip answer cut short with a PARSE_ERROR RestError, as the default client does", async () => {
    const accepts = { headers: createHttpHeaders({ "Accept-Encoding": "gzip,deflate" }) };
    const zipped = gzipSync("compressed ".repeat(200));
    plain.handle((_req, res) => {
      res.writeHead(200, { "content-encoding": "gzip", "content-length": String(zipped.length) });
      res.write(zipped.subarray(0, 20), () => res.socket?.destroy());
    });
    const ours = await outcome(client, accepts);
    expect(ours).toEqual({
      error: {
        name: "RestError",
        message: "Error reading response as text: aborted",
        code: "PARSE_ERROR",
        restError: true,
      },
    });
    expect(await outcome(peer, accepts)).toEqual(ours);
  });

  // Rule: once the answer's headers are in, a failure of the connection is a failure to read the answer (PARSE_ERROR),
  // not one to send the request, even when the socket reports it as its own error (a reset) before it closes.
  it("fails an answer whose connection is reset after its headers as a read (PARSE_ERROR), as the default client does", async () => {
    let held: ServerResponse | undefined;
    plain.handle((_req, res) => {
      held = res;
      res.writeHead(200, { "content-length": "100" }).write("partial");
    });
    // the client's own request, to learn when the answer's headers have reached it
    let answered!: (headersIn: Promise<unknown>) => void;
    const request = nodeHttp.request;
    const spy = vi.spyOn(nodeHttp, "request").mockImplementation(((...args: Parameters<typeof request>) => {
      const req: ClientRequest = request(...args);
      answered(once(req, "response"));
      return req;
    }) as typeof request);
    try {
      const outcomes = [];
      for (const http of [client, peer]) {
        const headersIn = new Promise<Promise<unknown>>((resolve) => {
          answered = resolve;
        });
        const pending = outcome(http, {}, "/reset");
        await await headersIn;
        held?.socket?.resetAndDestroy();
        outcomes.push(await pending);
      }
      expect(outcomes[0]).toEqual({
        error: {
          name: "RestError",
          message: "Error reading response as text: aborted",
          code: "PARSE_ERROR",
          restError: true,
        },
      });
      expect(outcomes[1]).toEqual(outcomes[0]);
    } finally {
      spy.mockRestore();
    }
  });

  describe("abort and timeout", () => {
    it("rejects an already aborted request with an AbortError and sends nothing", async () => {
      const controller = new AbortController();
      controller.abort();
      const error = await client
        .sendRequest(request(`${plain.url}/aborted`, { abortSignal: controller.signal }))
        .catch((e: unknown) => e as Error);
      expect(error).toMatchObject({ name: "AbortError" });
      expect(plain.seen).toEqual([]);
    });

    it("aborts a request in flight: AbortError, and the server sees the connection closed", async () => {
      let arrived!: () => void;
      const atServer = new Promise<void>((resolve) => {
        arrived = resolve;
      });
      plain.handle(() => arrived()); // never answers
      const controller = new AbortController();
      const pending = client.sendRequest(request(`${plain.url}/held`, { abortSignal: controller.signal, body: "x" }));
      await atServer;
      const socket = plain.seen[0]?.socket as Socket;
      const closed = once(socket, "close");
      controller.abort();
      await expect(pending).rejects.toMatchObject({ name: "AbortError" });
      await closed;
    });

    it("stops listening to the signal once the exchange is over (a later abort changes nothing)", async () => {
      const controller = new AbortController();
      const signal = controller.signal;
      const response = await client.sendRequest(request(`${plain.url}/done`, { abortSignal: signal }));
      expect(response.status).toBe(202);
      // the listener goes when the request closes, which follows the answer
      await vi.waitFor(() => expect(getEventListeners(signal, "abort")).toHaveLength(0));
      controller.abort();
      await client.sendRequest(request(`${plain.url}/next`));
      expect(new Set(plain.seen.map((s) => s.socket)).size).toBe(1); // the connection was not destroyed
    });

    it("cuts a request short at its timeout with an AbortError, as the default client does", async () => {
      plain.handle(() => {}); // never answers
      for (const http of [client, peer]) {
        const error = await http
          .sendRequest(request(`${plain.url}/slow`, { timeout: 50 }))
          .catch((e: unknown) => e as Error);
        expect(error).toMatchObject({ name: "AbortError" });
      }
    });

    it("clears the timer of a request answered in time (the process is not held, no late abort)", async () => {
      const response = await client.sendRequest(request(`${plain.url}/fast`, { timeout: 60_000 }));
      expect(response.status).toBe(202);
      await client.sendRequest(request(`${plain.url}/again`));
      // only this test's requests: a request the previous test timed out may reach the server late, on its own socket
      const mine = plain.seen.filter((s) => s.url === "/fast" || s.url === "/again");
      expect(mine.map((s) => s.url)).toEqual(["/fast", "/again"]);
      expect(new Set(mine.map((s) => s.socket)).size).toBe(1);
    });

    it("holds one timer while a request with a timeout is in flight, and none once it is answered", async () => {
      vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
      try {
        const before = vi.getTimerCount();
        let inFlight: number | undefined;
        plain.handle((_req, res) => {
          inFlight = vi.getTimerCount();
          res.writeHead(202, { "content-length": "0" }).end();
        });
        const response = await client.sendRequest(request(`${plain.url}/timed`, { timeout: 60_000 }));
        expect(response.status).toBe(202);
        expect(inFlight).toBe(before + 1);
        expect(vi.getTimerCount()).toBe(before);
      } finally {
        vi.useRealTimers();
      }
    });

    // Rule: the log line of a timed-out request names its origin and path only: a query may carry a signature.
    it("logs a timed-out request by its origin and path, without the query", async () => {
      const lines: string[] = [];
      const log = AzureLogger.log;
      const level = getLogLevel();
      AzureLogger.log = (...args: unknown[]) => lines.push(args.join(" "));
      setLogLevel("info");
      vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
      try {
        let arrived!: () => void;
        const atServer = new Promise<void>((resolve) => {
          arrived = resolve;
        });
        plain.handle(() => arrived()); // never answers
        const pending = client
          .sendRequest(request(`${plain.url}/slow/path?sig=secret-value`, { timeout: 1_000 }))
          .catch((e: unknown) => e as Error);
        await atServer;
        expect(lines.join("\n")).not.toContain("timed out");
        vi.advanceTimersByTime(1_000);
        expect(await pending).toMatchObject({ name: "AbortError" });
        const logged = lines.filter((line) => line.includes("timed out"));
        expect(logged).toHaveLength(1);
        expect(logged[0]).toContain(`request to '${plain.url}/slow/path' timed out. canceling...`);
        expect(lines.join("\n")).not.toContain("secret-value");
      } finally {
        vi.useRealTimers();
        setLogLevel(level);
        AzureLogger.log = log;
      }
    });
  });

  describe("agents, TLS and proxies", () => {
    let secure: TestServer;
    let ca: string;

    beforeAll(async () => {
      ({ server: secure, ca } = await startSecureServer());
    });
    afterAll(() => secure.close());

    it("trusts a certificate through tlsSettings.ca, reusing one connection; refuses it without", async () => {
      const tlsSettings = { ca };
      await client.sendRequest(request(`${secure.url}/a`, { tlsSettings }));
      await client.sendRequest(request(`${secure.url}/b`, { tlsSettings }));
      expect(secure.seen.map((s) => s.url)).toEqual(["/a", "/b"]);
      expect(new Set(secure.seen.map((s) => s.socket)).size).toBe(1);
      const untrusted = await client.sendRequest(request(`${secure.url}/c`)).catch((e: unknown) => e as Error);
      expect(isRestError(untrusted)).toBe(true);
      expect(untrusted).toHaveProperty("message", expect.stringMatching(/certificate/i));
      expect(secure.seen).toHaveLength(2);
    });

    // Rule: tlsSettings.ca replaces the trust anchors for its requests: a certificate it does not vouch for is refused,
    // even while a connection made with the right one is open and idle in the pool.
    it("refuses the server's certificate when tlsSettings.ca is another one, next to an open trusted connection", async () => {
      // another authority (its own name: OpenSSL finds an issuer by name before it checks the signature)
      const other = await loopbackAuthority("another authority");
      secure.seen.length = 0;
      await client.sendRequest(request(`${secure.url}/trusted`, { tlsSettings: { ca } }));
      const wrong = await client
        .sendRequest(request(`${secure.url}/wrong`, { tlsSettings: { ca: other.cert } }))
        .catch((e: unknown) => e as Error);
      expect(isRestError(wrong)).toBe(true);
      expect(wrong).toHaveProperty("message", expect.stringMatching(/certificate/i));
      expect(wrong).toHaveProperty("code", expect.stringMatching(/CERT|SELF_SIGNED/));
      // the other side: the same server, with both anchors given, is trusted again
      await client.sendRequest(request(`${secure.url}/both`, { tlsSettings: { ca: [other.cert, ca] } }));
      expect(secure.seen.map((s) => s.url)).toEqual(["/trusted", "/both"]);
    });

    it("sends through the request's own agent (how the proxy policy routes requests) and honours disableKeepAlive", async () => {
      const agent = new HttpsAgent({ ca, keepAlive: true });
      let connections = 0;
      const create = agent.createConnection.bind(agent);
      agent.createConnection = ((...args: Parameters<typeof create>) => {
        connections++;
        return create(...args);
      }) as typeof agent.createConnection;
      await client.sendRequest(request(`${secure.url}/agent`, { agent }));
      expect(connections).toBe(1);
      agent.destroy();

      secure.seen.length = 0;
      await client.sendRequest(request(`${secure.url}/x`, { tlsSettings: { ca }, disableKeepAlive: true }));
      await client.sendRequest(request(`${secure.url}/y`, { tlsSettings: { ca }, disableKeepAlive: true }));
      expect(secure.seen[0]?.headers.connection).toBe("close");
      expect(new Set(secure.seen.map((s) => s.socket)).size).toBe(2);
    });
  });

  describe("Node's global agents and disableKeepAlive", () => {
    // Rule (the default client's): a request with disableKeepAlive goes through Node's global agent of its scheme (an
    // https one only when it has no tlsSettings); every other request goes through this client's own keep-alive pool.
    it("sends an http request with disableKeepAlive through Node's global http agent, as the default client, and others not", async () => {
      const global = counted(new HttpAgent({ keepAlive: true }));
      await withGlobalAgent(nodeHttp, global, async () => {
        await client.sendRequest(request(`${plain.url}/own-pool`));
        expect(global.connections).toBe(0);
        await client.sendRequest(request(`${plain.url}/global`, { disableKeepAlive: true }));
        expect(global.connections).toBe(1);
        await peer.sendRequest(request(`${plain.url}/global-peer`, { disableKeepAlive: true }));
        await client.sendRequest(request(`${plain.url}/own-pool-again`));
      });
      const socketOf = (url: string) => plain.seen.find((s) => s.url === url)?.socket;
      // the default client's request went out on the same connection of the global agent
      expect(socketOf("/global-peer")).toBe(socketOf("/global"));
      expect(socketOf("/own-pool-again")).toBe(socketOf("/own-pool"));
      expect(socketOf("/own-pool")).not.toBe(socketOf("/global"));
    });

    describe("over https", () => {
      let secure: TestServer;
      let ca: string;

      beforeAll(async () => {
        ({ server: secure, ca } = await startSecureServer());
      });
      afterAll(() => secure.close());

      it("sends an https request with disableKeepAlive and no tlsSettings through Node's global https agent, as the default client, and others not", async () => {
        // a global agent that trusts the test authority: only requests sent through it reach the server
        const global = counted(new HttpsAgent({ ca, keepAlive: true }));
        const untrusted = await withGlobalAgent(nodeHttps, global, async () => {
          await client.sendRequest(request(`${secure.url}/global`, { disableKeepAlive: true }));
          expect(global.connections).toBe(1);
          await peer.sendRequest(request(`${secure.url}/global-peer`, { disableKeepAlive: true }));
          // kept alive: not through the global agent, so with the system's trust anchors only
          return client.sendRequest(request(`${secure.url}/own-pool`)).catch((e: unknown) => e as Error);
        });
        expect(untrusted).toHaveProperty("message", expect.stringMatching(/certificate/i));
        expect(secure.seen.map((s) => s.url)).toEqual(["/global", "/global-peer"]);
        expect(secure.seen[1]?.socket).toBe(secure.seen[0]?.socket);
      });
    });
  });

  describe("requests handed to the default client", () => {
    // Rule: this client sends a request with no body, a null one, a string or bytes; one with Expect, form data or a
    // multipart body goes to the pipeline's default client, whose connections are its own.
    it("sends requests with no body or a null one itself, and hands those with Expect, formData or multipartBody on", async () => {
      const nullBody = request(`${plain.url}/null-body`, { method: "PUT" });
      nullBody.body = null;
      const sent = [
        request(`${plain.url}/no-body`, { method: "GET" }),
        nullBody,
        request(`${plain.url}/expect`, { body: "e", headers: createHttpHeaders({ Expect: "100-continue" }) }),
        request(`${plain.url}/form-data`, { formData: { a: "1" } }),
        request(`${plain.url}/multipart`, {
          multipartBody: {
            parts: [
              { headers: createHttpHeaders({ "Content-Type": "text/plain" }), body: new TextEncoder().encode("m") },
            ],
          },
        }),
        request(`${plain.url}/no-body-again`, { method: "GET" }),
      ];
      for (const r of sent) await client.sendRequest(r);
      const socketOf = (url: string) => plain.seen.find((s) => s.url === url)?.socket;
      const own = socketOf("/no-body");
      expect(socketOf("/null-body")).toBe(own);
      expect(socketOf("/no-body-again")).toBe(own);
      const handedOn = socketOf("/expect");
      expect(handedOn).not.toBe(own);
      expect(plain.seen.find((s) => s.url === "/expect")?.body.toString()).toBe("e");
      expect(socketOf("/form-data")).toBe(handedOn);
      expect(socketOf("/multipart")).toBe(handedOn);
    });

    it("streams answers asked for as streams, and reports upload and download progress", async () => {
      plain.handle((_req, res) => res.writeHead(200).end("streamed"));
      const streamed = await client.sendRequest(
        request(`${plain.url}/stream`, { streamResponseStatusCodes: new Set([200]) }),
      );
      expect(streamed.bodyAsText).toBeUndefined();
      const chunks: Buffer[] = [];
      for await (const chunk of streamed.readableStreamBody as AsyncIterable<Buffer>) chunks.push(chunk);
      expect(Buffer.concat(chunks).toString()).toBe("streamed");

      const uploaded: number[] = [];
      const downloaded: number[] = [];
      const response = await client.sendRequest(
        request(`${plain.url}/progress`, {
          body: "12345",
          onUploadProgress: (p) => uploaded.push(p.loadedBytes),
          onDownloadProgress: (p) => downloaded.push(p.loadedBytes),
        }),
      );
      expect(response.bodyAsText).toBe("streamed");
      expect(uploaded.at(-1)).toBe(5);
      expect(downloaded.at(-1)).toBe(8);
    });

    it("sends stream and function bodies", async () => {
      const { Readable } = await import("node:stream");
      await client.sendRequest(request(`${plain.url}/readable`, { body: Readable.from([Buffer.from("ab")]) }));
      await client.sendRequest(request(`${plain.url}/factory`, { body: () => Readable.from([Buffer.from("cd")]) }));
      expect(plain.seen.map((s) => [s.url, s.body.toString()])).toEqual([
        ["/readable", "ab"],
        ["/factory", "cd"],
      ]);
    });
  });
});
