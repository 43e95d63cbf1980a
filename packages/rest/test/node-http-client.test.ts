// The HttpClient under the REST clients on Node (src/node-http-client.ts) keeps every behaviour of the pipeline's
// default client: each case runs against a real node:http / node:https server, and where the outcome can be compared
// the same request also goes through @azure/core-rest-pipeline's createDefaultHttpClient (the independent peer).
import { getEventListeners, once } from "node:events";
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
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
  });

  describe("agents, TLS and proxies", () => {
    let secure: TestServer;
    let ca: string;

    beforeAll(async () => {
      const pems = await loopbackAuthority("127.0.0.1");
      ca = pems.cert;
      secure = await startServer(createHttpsServer({ cert: pems.cert, key: pems.private }), "https");
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

  describe("requests handed to the default client", () => {
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
