// What the Node HttpClient (src/node-http-client.ts) puts on the wire and hands on, against a real loopback server
// that records each request's raw headers: exactly one Host header (the request's own, whatever its case, else the
// URL's), header names spelled as the request spells them (as the pipeline's default client sends them), deflate
// answers decoded like gzip ones, the abort errors worded as the default client words them, the requests it leaves to
// the default client (request overrides, progress callbacks), and one shared client per process, outside Node too.
import { once } from "node:events";
import { Agent, createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { deflateSync } from "node:zlib";
import {
  createDefaultHttpClient,
  createHttpHeaders,
  createPipelineRequest,
  type HttpClient,
  type PipelineRequestOptions,
} from "@azure/core-rest-pipeline";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { defaultHttpClient } from "../src/node-http-client.ts";

interface Seen {
  url: string;
  rawHeaders: string[];
}

let server: Server;
let base: string;
const seen: Seen[] = [];
let answer: (req: IncomingMessage, res: import("node:http").ServerResponse) => void;
const plainAnswer: typeof answer = (_req, res) => res.writeHead(202, { "content-length": "0" }).end();

beforeAll(async () => {
  answer = plainAnswer;
  server = createServer({ keepAliveTimeout: 60_000 }, (req, res) => {
    req.resume();
    req.on("end", () => {
      seen.push({ url: req.url ?? "", rawHeaders: req.rawHeaders });
      answer(req, res);
    });
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  server.close();
  await once(server, "close");
});

const client = defaultHttpClient();
const peer = createDefaultHttpClient();

function request(path: string, options: Partial<PipelineRequestOptions> = {}) {
  return createPipelineRequest({ url: `${base}${path}`, method: "POST", allowInsecureConnection: true, ...options });
}

/** The raw headers of the last request the server saw, as [name, value] pairs. */
function lastHeaders(): [string, string][] {
  const raw = seen.at(-1)?.rawHeaders ?? [];
  const pairs: [string, string][] = [];
  for (let i = 0; i < raw.length; i += 2) pairs.push([raw[i] as string, raw[i + 1] as string]);
  return pairs;
}

const hostHeaders = () => lastHeaders().filter(([name]) => name.toLowerCase() === "host");

describe("the Node HttpClient on the wire", () => {
  it("sends exactly one Host header: the request's own, whatever the case of its name", async () => {
    for (const name of ["Host", "host", "HOST", "hOsT"]) {
      await client.sendRequest(request("/host", { headers: createHttpHeaders({ [name]: "example.test" }) }));
      expect(hostHeaders(), name).toEqual([[name, "example.test"]]);
    }
  });

  it("sends exactly one Host header, the URL's host and port, when the request has none (From, Hos, Hostile are not Host)", async () => {
    // names that share Host's length or its first letters, but not its name
    const headers = createHttpHeaders({ From: "a@example.test", Hostile: "x", Hos: "y" });
    await client.sendRequest(request("/no-host", { headers }));
    expect(seen.at(-1)?.url).toBe("/no-host");
    expect(hostHeaders()).toEqual([["Host", new URL(base).host]]);
  });

  it("spells header names as the request does, its own Content-Length included, as the default client sends them", async () => {
    const names = async (http: HttpClient, agent?: Agent) => {
      const headers = createHttpHeaders({ "X-Custom-Name": "v", "content-TYPE": "text/plain", "content-length": "1" });
      const sent = request("/spelling", { headers, body: "b" });
      if (agent) sent.agent = agent;
      await http.sendRequest(sent);
      return lastHeaders()
        .map(([name]) => name)
        .filter((name) => name.toLowerCase() !== "host" && name.toLowerCase() !== "connection")
        .sort();
    };
    const ours = await names(client);
    expect(ours).toEqual(["X-Custom-Name", "content-TYPE", "content-length"]);
    expect(ours).toEqual(await names(peer));
    // through a request's own agent (how a proxy's agent is given) the names are spelled the same
    const agent = new Agent({ keepAlive: true });
    try {
      expect(await names(client, agent)).toEqual(ours);
    } finally {
      agent.destroy();
    }
  });

  it("hands on a response header with a value and leaves out one sent empty, as the default client does", async () => {
    answer = (_req, res) => res.writeHead(204, { "x-empty": "", "x-full": "v" }).end();
    try {
      for (const http of [client, peer]) {
        const headers = (await http.sendRequest(request("/empty-header"))).headers;
        expect(headers.get("x-full")).toBe("v");
        expect(headers.has("x-empty")).toBe(false);
      }
    } finally {
      answer = plainAnswer;
    }
  });

  it("decodes a deflate answer when the request accepts it, as the default client does", async () => {
    const text = "deflated ".repeat(40);
    answer = (_req, res) => res.writeHead(200, { "content-encoding": "deflate" }).end(deflateSync(text));
    try {
      const headers = () => createHttpHeaders({ "Accept-Encoding": "gzip,deflate" });
      expect((await client.sendRequest(request("/deflate", { headers: headers() }))).bodyAsText).toBe(text);
      expect((await peer.sendRequest(request("/deflate", { headers: headers() }))).bodyAsText).toBe(text);
    } finally {
      answer = plainAnswer;
    }
  });

  it("words the errors of an aborted request as the default client does", async () => {
    const controller = new AbortController();
    controller.abort();
    const before = async (http: HttpClient) =>
      http.sendRequest(request("/aborted", { abortSignal: controller.signal })).catch((e: Error) => e.message);
    expect(await before(client)).toBe("The operation was aborted. Request has already been canceled.");
    expect(await before(client)).toBe(await before(peer));

    answer = () => {}; // never answers: the abort comes while the request waits
    try {
      const during = async (http: HttpClient) => {
        const inFlight = new AbortController();
        const waiting = seen.length;
        const pending = http
          .sendRequest(request("/in-flight", { abortSignal: inFlight.signal }))
          .catch((e: Error) => `${e.name}: ${e.message}`);
        await vi.waitFor(() => expect(seen.length).toBe(waiting + 1));
        inFlight.abort();
        return pending;
      };
      expect(await during(client)).toBe(
        "AbortError: The operation was aborted. Rejecting from abort signal callback while making request.",
      );
      expect(await during(client)).toBe(await during(peer));
    } finally {
      answer = plainAnswer;
    }
  });

  it("leaves a request with overrides of the Node request options to the default client, which applies them", async () => {
    await client.sendRequest(request("/given", { requestOverrides: { path: "/overridden" } }));
    expect(seen.at(-1)?.url).toBe("/overridden");
  });

  it("reports upload progress alone, and download progress alone, through the default client", async () => {
    const uploaded: number[] = [];
    await client.sendRequest(request("/up", { body: "1234", onUploadProgress: (p) => uploaded.push(p.loadedBytes) }));
    expect(uploaded.at(-1)).toBe(4);
    answer = (_req, res) => res.writeHead(200).end("abcdef");
    try {
      const downloaded: number[] = [];
      await client.sendRequest(request("/down", { onDownloadProgress: (p) => downloaded.push(p.loadedBytes) }));
      expect(downloaded.at(-1)).toBe(6);
    } finally {
      answer = plainAnswer;
    }
  });
});

describe("defaultHttpClient", () => {
  it("is one client per process: every REST client shares its connections", () => {
    expect(defaultHttpClient()).toBe(client);
  });

  /** The client a freshly loaded module makes while `globalThis.process` is `runtime` (restored at once after). */
  async function madeUnder(runtime: unknown): Promise<HttpClient> {
    vi.resetModules();
    const fresh = await import("../src/node-http-client.ts");
    const real = globalThis.process;
    try {
      (globalThis as { process: unknown }).process = runtime;
      return fresh.defaultHttpClient();
    } finally {
      globalThis.process = real;
    }
  }

  it("is the pipeline's default client where the runtime has no node: built-ins to reach", async () => {
    const made = await madeUnder({ ...process, getBuiltinModule: undefined });
    expect(made.constructor).toBe(createDefaultHttpClient().constructor);
    expect(made.constructor).not.toBe(client.constructor);
  });

  it("is the pipeline's default client outside Node: no process, a process without versions, or no versions.node", async () => {
    const getBuiltinModule = process.getBuiltinModule;
    const notNode = [undefined, { getBuiltinModule }, { versions: {}, getBuiltinModule }];
    for (const runtime of notNode) {
      expect((await madeUnder(runtime)).constructor, JSON.stringify(runtime)).toBe(
        createDefaultHttpClient().constructor,
      );
    }
    // the other side: Node's own versions and getBuiltinModule make this client (of the freshly loaded module)
    const onNode = (await madeUnder({ versions: process.versions, getBuiltinModule })).constructor;
    expect(onNode).not.toBe(createDefaultHttpClient().constructor);
    expect(onNode.name).toBe(client.constructor.name);
  });
});
