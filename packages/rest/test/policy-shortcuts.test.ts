// The shortcuts of the default pipeline policies (src/policy-shortcuts.ts) keep what each policy does: the same
// requests reach the HttpClient, with the same URL, headers and agent, and the same answers and log lines come back,
// as through an identical pipeline without shortcuts. Rule each case protects: a shortcut only skips work that the
// policy would not have done, or does exactly what the policy did.

import {
  createHttpHeaders,
  createPipelineRequest,
  type HttpClient,
  type Pipeline,
  type PipelinePolicy,
  type PipelineRequest,
  type PipelineResponse,
} from "@azure/core-rest-pipeline";
import { type ClientOptions, getClient } from "@azure-rest/core-client";
import { describe, expect, it } from "vitest";
import { AzureKeyCredential, createWebPubSubRestClient } from "../src/index.ts";
import { SHORTCUT_POLICY_NAMES, shortcutIdlePolicies } from "../src/policy-shortcuts.ts";

interface Seen {
  method: string;
  url: string;
  headers: Record<string, string>;
  agent: boolean;
  abortSignal: boolean;
}

type Answer = { status: number; headers?: Record<string, string> };

/** An HttpClient that records each request and answers from `answer` (202 by default). */
function recordingClient(answer: (request: PipelineRequest, index: number) => Answer = () => ({ status: 202 })) {
  const seen: Seen[] = [];
  const client: HttpClient = {
    async sendRequest(request) {
      const headers = request.headers.toJSON();
      // The request id is new for each request: compare where it went, not its value.
      for (const [name, value] of Object.entries(headers)) if (value === request.requestId) headers[name] = "<id>";
      seen.push({
        method: request.method,
        url: request.url,
        headers,
        agent: request.agent !== undefined,
        abortSignal: request.abortSignal !== undefined,
      });
      const a = answer(request, seen.length - 1);
      return { status: a.status, headers: createHttpHeaders(a.headers), request, bodyAsText: "" };
    },
  };
  return { client, seen };
}

/** Two identical pipelines of a REST-level client (every default policy), the second with its shortcuts. */
function pipelines(options: ClientOptions, proxy = false): { plain: Pipeline; shortcut: Pipeline } {
  type Logger = NonNullable<NonNullable<ClientOptions["loggingOptions"]>["logger"]>;
  const logger = options.loggingOptions?.logger ?? (Object.assign(() => {}, { enabled: false }) as unknown as Logger);
  const make = () =>
    getClient("https://h.example", {
      apiVersion: "2024-12-01",
      ...options,
      loggingOptions: { ...options.loggingOptions, logger },
    }).pipeline;
  const plain = make();
  const shortcut = make();
  shortcutIdlePolicies(shortcut, { logger, proxy });
  return { plain, shortcut };
}

/** Sends the same requests through both pipelines; what the HttpClients saw and what came back must agree. */
async function sameThroughBoth(
  options: ClientOptions,
  requests: (() => PipelineRequest)[],
  answer?: (request: PipelineRequest, index: number) => Answer,
  proxy = false,
): Promise<{ seen: Seen[]; statuses: number[] }> {
  const { plain, shortcut } = pipelines(options, proxy);
  const a = recordingClient(answer);
  const b = recordingClient(answer);
  const statusesA: number[] = [];
  const statusesB: number[] = [];
  for (const make of requests) {
    statusesA.push((await plain.sendRequest(a.client, make())).status);
    statusesB.push((await shortcut.sendRequest(b.client, make())).status);
  }
  expect(b.seen).toEqual(a.seen);
  expect(statusesB).toEqual(statusesA);
  return { seen: b.seen, statuses: statusesB };
}

const post =
  (url = "https://h.example/api/hubs/chat/:send", headers: Record<string, string> = {}) =>
  () =>
    createPipelineRequest({ url, method: "POST", headers: createHttpHeaders(headers), body: "m" });

describe("policy shortcuts", () => {
  it("are given to every default policy of a REST client's pipeline they know, keeping names and order", () => {
    const client = createWebPubSubRestClient("https://h.example", new AzureKeyCredential("k".repeat(44)));
    const names = client.pipeline.getOrderedPolicies().map((p) => p.name);
    const plain = getClient("https://h.example", { apiVersion: "2024-12-01" }).pipeline;
    // Same names in the same order as the pipeline core-client builds (plus this client's own signing policy).
    expect(names.filter((n) => n !== "webPubSubKeyCredentialPolicy")).toEqual(
      plain.getOrderedPolicies().map((p) => p.name),
    );
    for (const name of SHORTCUT_POLICY_NAMES) expect(names).toContain(name);
  });

  it("pass an idle request straight on: the answer is next's own promise, with no promise of the policy's", async () => {
    const { shortcut } = pipelines({});
    const policies = new Map<string, PipelinePolicy>(shortcut.getOrderedPolicies().map((p) => [p.name, p]));
    const answer = Promise.resolve({} as PipelineResponse);
    const next = () => answer;
    const request = post()();
    for (const name of ["proxyPolicy", "wrapAbortSignalLikePolicy", "logPolicy"]) {
      expect(policies.get(name)?.sendRequest(request, next), name).toBe(answer);
    }
    // The four that set a header or rewrite the URL do it the same way once they have seen the policy do it.
    for (const name of [
      "decompressResponsePolicy",
      "userAgentPolicy",
      "setClientRequestIdPolicy",
      "ApiVersionPolicy",
    ]) {
      const policy = policies.get(name) as PipelinePolicy;
      await policy.sendRequest(post()(), next);
      expect(policy.sendRequest(post()(), next), name).toBe(answer);
    }
  });

  it("set User-Agent, Accept-Encoding, the request id and api-version as the policies do, request after request", async () => {
    const { seen } = await sameThroughBoth({}, [post(), post(), post(), post("https://h.example/other")]);
    expect(seen[2]?.headers["user-agent"]).toMatch(/\S/);
    expect(seen[2]?.headers["accept-encoding"]).toBe("gzip,deflate");
    expect(seen[2]?.headers["x-ms-client-request-id"]).toBe("<id>");
    expect(seen[2]?.url).toBe("https://h.example/api/hubs/chat/:send?api-version=2024-12-01");
    expect(seen[3]?.url).toBe("https://h.example/other?api-version=2024-12-01");
  });

  it("keep a request's own User-Agent and request id, overwrite its Accept-Encoding, and leave HEAD without one", async () => {
    const own = { "User-Agent": "mine", "x-ms-client-request-id": "given", "Accept-Encoding": "identity" };
    const head = () => createPipelineRequest({ url: "https://h.example/api/health", method: "HEAD" });
    const { seen } = await sameThroughBoth({}, [post(), post(undefined, own), head, post(), head]);
    expect(seen[1]?.headers["user-agent"]).toBe("mine");
    expect(seen[1]?.headers["x-ms-client-request-id"]).toBe("given");
    expect(seen[1]?.headers["accept-encoding"]).toBe("gzip,deflate");
    expect(seen[2]?.headers["accept-encoding"]).toBeUndefined();
  });

  it("use the request-id header name the pipeline was made with", async () => {
    const options = { telemetryOptions: { clientRequestIdHeaderName: "x-my-id" } };
    const { seen } = await sameThroughBoth(options, [post(), post()]);
    expect(seen[1]?.headers["x-my-id"]).toBe("<id>");
    expect(seen[1]?.headers["x-ms-client-request-id"]).toBeUndefined();
  });

  it("keep an api-version the URL already has, and add one where it is empty", async () => {
    const given = post("https://h.example/api/x?api-version=2021-10-01");
    const empty = post("https://h.example/api/x?api-version=");
    const { seen } = await sameThroughBoth({}, [given, given, empty, empty]);
    expect(seen[1]?.url).toBe("https://h.example/api/x?api-version=2021-10-01");
    expect(seen[3]?.url).toBe("https://h.example/api/x?api-version=&api-version=2024-12-01");
  });

  it("follow redirects as the redirect policy does (same origin, per status and method), and not other answers", async () => {
    const answers: Answer[] = [
      { status: 307, headers: { location: "/moved" } },
      { status: 202 },
      { status: 303, headers: { location: "/see" } },
      { status: 200 },
      { status: 302, headers: { location: "/no" } }, // POST: not followed
      { status: 307, headers: { location: "https://elsewhere.example/x" } }, // cross-origin: not followed
      { status: 404, headers: { location: "/ignored" } },
      { status: 200 },
    ];
    const { seen, statuses } = await sameThroughBoth(
      {},
      [post(), post(), post(), post(), post(), post()],
      (_r, i) => answers[i] ?? { status: 500 },
    );
    expect(seen.map((s) => `${s.method} ${new URL(s.url).pathname}`)).toEqual([
      "POST /api/hubs/chat/:send",
      "POST /moved",
      "POST /api/hubs/chat/:send",
      "GET /see",
      "POST /api/hubs/chat/:send",
      "POST /api/hubs/chat/:send",
      "POST /api/hubs/chat/:send",
      "POST /api/hubs/chat/:send",
    ]);
    expect(statuses).toEqual([202, 200, 302, 307, 404, 200]);
  });

  it("log through the pipeline's logger while it is enabled, and not while it is not", async () => {
    for (const enabled of [true, false]) {
      const lines: { plain: string[]; shortcut: string[] } = { plain: [], shortcut: [] };
      const logger = (into: string[]) => Object.assign((...args: unknown[]) => into.push(args.join(" ")), { enabled });
      const plain = getClient("https://h.example", {
        loggingOptions: { logger: logger(lines.plain) as never },
      }).pipeline;
      const shortcutLogger = logger(lines.shortcut);
      const shortcut = getClient("https://h.example", { loggingOptions: { logger: shortcutLogger as never } }).pipeline;
      shortcutIdlePolicies(shortcut, { logger: shortcutLogger, proxy: false });
      await plain.sendRequest(recordingClient().client, post()());
      await shortcut.sendRequest(recordingClient().client, post()());
      const strip = (l: string[]) => l.map((s) => s.replace(/[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}/g, "<id>"));
      expect(strip(lines.shortcut)).toEqual(strip(lines.plain));
      expect(lines.shortcut.length > 0).toBe(enabled);
    }
  });

  it("give a request an agent through a configured proxy, or its own proxySettings, as the proxy policy does", async () => {
    const proxyOptions = { host: "http://proxy.example", port: 8888 };
    const viaOptions = await sameThroughBoth({ proxyOptions }, [post(), post()], undefined, true);
    expect(viaOptions.seen.every((s) => s.agent)).toBe(true);
    const own = () => Object.assign(post()(), { proxySettings: proxyOptions });
    const viaRequest = await sameThroughBoth({}, [post(), own, post()]);
    expect(viaRequest.seen.map((s) => s.agent)).toEqual([false, true, false]);
  });

  it("wrap an abort signal as the policy does when a request has one", async () => {
    const signal = new AbortController().signal;
    const withSignal = () => Object.assign(post()(), { abortSignal: signal });
    const { seen } = await sameThroughBoth({}, [post(), withSignal]);
    expect(seen.map((s) => s.abortSignal)).toEqual([false, true]);
  });
});

// Rule: a shortcut exists to spare the policy's own code: once it has seen what the policy does, it does that itself,
// and it leaves the policy out for requests the policy would not act on. Counted by wrapping each policy before the
// shortcuts are given.
describe("policy shortcuts spare the policy's work", () => {
  function counted(options: ClientOptions = {}) {
    const logger = Object.assign(() => {}, { enabled: false });
    const pipeline = getClient("https://h.example", {
      apiVersion: "2024-12-01",
      ...options,
      loggingOptions: { logger: logger as never },
    }).pipeline;
    const calls: Record<string, number> = {};
    for (const policy of pipeline.getOrderedPolicies()) {
      const own = policy.sendRequest.bind(policy);
      policy.sendRequest = (request, next) => {
        calls[policy.name] = (calls[policy.name] ?? 0) + 1;
        return own(request, next);
      };
    }
    shortcutIdlePolicies(pipeline, { logger, proxy: false });
    return { pipeline, calls };
  }

  it("run a header-setting or api-version policy once, then do its work without it", async () => {
    const { pipeline, calls } = counted();
    const { client, seen } = recordingClient();
    for (let i = 0; i < 3; i++) await pipeline.sendRequest(client, post()());
    for (const name of [
      "decompressResponsePolicy",
      "userAgentPolicy",
      "setClientRequestIdPolicy",
      "ApiVersionPolicy",
    ]) {
      expect(calls[name], name).toBe(1);
    }
    expect(seen.map((s) => s.url)).toEqual(
      Array(3).fill("https://h.example/api/hubs/chat/:send?api-version=2024-12-01"),
    );
    for (const s of seen) {
      expect(s.headers["user-agent"]).toMatch(/\S/);
      expect(s.headers["x-ms-client-request-id"]).toBe("<id>");
      expect(s.headers["accept-encoding"]).toBe("gzip,deflate");
    }
  });

  it("leave the proxy, abort-signal and log policies out of requests they have nothing to do for", async () => {
    const { pipeline, calls } = counted();
    for (let i = 0; i < 2; i++) await pipeline.sendRequest(recordingClient().client, post()());
    for (const name of ["proxyPolicy", "wrapAbortSignalLikePolicy", "logPolicy"])
      expect(calls[name], name).toBeUndefined();
  });

  it("learn a header only from a request the policy set it on", async () => {
    const { pipeline, calls } = counted();
    const { client, seen } = recordingClient();
    const own = { "User-Agent": "mine", "x-ms-client-request-id": "given", "Accept-Encoding": "gzip,deflate" };
    await pipeline.sendRequest(client, post(undefined, own)());
    await pipeline.sendRequest(client, post()());
    await pipeline.sendRequest(client, post()());
    expect(seen[0]?.headers).toMatchObject({ "user-agent": "mine", "x-ms-client-request-id": "given" });
    expect(seen[1]?.headers["user-agent"]).not.toBe("mine");
    expect(seen[2]?.headers["user-agent"]).toBe(seen[1]?.headers["user-agent"]);
    expect(seen[2]?.headers["x-ms-client-request-id"]).toBe("<id>");
    // the first request taught nothing, the second taught it
    expect(calls.userAgentPolicy).toBe(2);
    expect(calls.setClientRequestIdPolicy).toBe(2);
  });

  it("remember the api-version rewrite of each URL, for the last 256 distinct URLs at most", async () => {
    const { pipeline, calls } = counted();
    const { client, seen } = recordingClient();
    const url = (i: number) => `https://h.example/api/${i}`;
    for (let i = 0; i < 256; i++) await pipeline.sendRequest(client, post(url(i))());
    expect(calls.ApiVersionPolicy).toBe(256);
    await pipeline.sendRequest(client, post(url(0))()); // remembered
    await pipeline.sendRequest(client, post(url(255))()); // remembered
    expect(calls.ApiVersionPolicy).toBe(256);
    await pipeline.sendRequest(client, post(url(256))()); // a 257th URL: the memory starts over
    await pipeline.sendRequest(client, post(url(0))());
    expect(calls.ApiVersionPolicy).toBe(258);
    await pipeline.sendRequest(client, post(url(256))());
    expect(calls.ApiVersionPolicy).toBe(258);
    expect(seen.at(-1)?.url).toBe(`${url(256)}?api-version=2024-12-01`);
    expect(seen.at(-2)?.url).toBe(`${url(0)}?api-version=2024-12-01`);
  });

  it("run the redirect policy only for a 3xx answer with a Location header", async () => {
    const cases: [Answer, number][] = [
      [{ status: 299, headers: { location: "/x" } }, 0],
      [{ status: 300, headers: { location: "/x" } }, 1],
      [{ status: 399, headers: { location: "/x" } }, 1],
      [{ status: 400, headers: { location: "/x" } }, 0],
      [{ status: 307 }, 0],
      [{ status: 200 }, 0],
    ];
    for (const [answer, runs] of cases) {
      const { pipeline, calls } = counted();
      const response = await pipeline.sendRequest(recordingClient(() => answer).client, post()());
      expect(response.status).toBe(answer.status);
      expect(calls.redirectPolicy ?? 0, JSON.stringify(answer)).toBe(runs);
    }
  });

  it("send headers spelled as the policies spell them", async () => {
    const spelled = async (shortcut: boolean) => {
      const pipeline = getClient("https://h.example", { apiVersion: "2024-12-01" }).pipeline;
      if (shortcut) shortcutIdlePolicies(pipeline, { logger: { enabled: false }, proxy: false });
      const names: string[][] = [];
      const client: HttpClient = {
        async sendRequest(request) {
          names.push(Object.keys(request.headers.toJSON({ preserveCase: true })).sort());
          return { status: 202, headers: createHttpHeaders(), request };
        },
      };
      for (let i = 0; i < 2; i++) await pipeline.sendRequest(client, post()());
      return names;
    };
    const names = await spelled(true);
    expect(names).toEqual(await spelled(false));
    expect(names[1]).toContain("User-Agent");
  });
});
