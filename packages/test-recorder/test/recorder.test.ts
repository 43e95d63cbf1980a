import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import {
  createRecorder,
  JWT_PATTERN,
  parseRecording,
  RecordingMismatchError,
  RecordingSecretError,
  recorderPolicyName,
} from "../src/index.ts";
import {
  ACCESS_KEY,
  createHttpHeaders,
  createPipelineRequest,
  noNetwork,
  pipelineWith,
  signJwt,
  startServer,
  tempDirPerTest,
} from "./helpers.ts";

const tmp = tempDirPerTest();

describe("variable()", () => {
  it("saves the record-mode value, replays it, and passes it through live", async () => {
    const recordingPath = tmp.path("vars.json");
    const rec = await createRecorder(undefined, { mode: "record", recordingPath, env: {} });
    expect(rec.variable("name", "random-1")).toBe("random-1");
    expect(rec.variable("time", "2026-01-01T00:00:00Z")).toBe("2026-01-01T00:00:00Z");
    expect(() => rec.variable("x")).toThrow(/valueInRecordMode must be a string in record mode/);
    expect(() => rec.variable("")).toThrow(/name must be a non-empty string/);
    await rec.stop();
    expect(parseRecording(await readFile(recordingPath, "utf8")).Variables).toEqual({
      name: "random-1",
      time: "2026-01-01T00:00:00Z",
    });

    const play = await createRecorder(undefined, { mode: "playback", recordingPath, env: {} });
    expect(play.variable("name", "random-2")).toBe("random-1");
    expect(play.variable("name")).toBe("random-1");
    expect(() => play.variable("missing", "v")).toThrow(RecordingMismatchError);
    await play.stop();

    const live = await createRecorder(undefined, { mode: "live", recordingPath: tmp.path("live.json"), env: {} });
    expect(live.variable("name", "random-3")).toBe("random-3");
    await live.stop();
    expect(existsSync(tmp.path("live.json"))).toBe(false);
  });
});

describe("live mode", () => {
  it("passes requests, fetches and sockets straight through and writes nothing", async () => {
    const server = await startServer((_req, _body, res) => {
      res.writeHead(200, { "content-type": "text/plain" });
      res.end("live!");
    });
    try {
      const recordingPath = tmp.path("live.json");
      const seenUrls: string[] = [];
      const recorder = await createRecorder(undefined, {
        mode: "live",
        recordingPath,
        env: {},
        webSocketFactory: (url) => {
          seenUrls.push(String(url));
          return { marker: "underlying" } as never;
        },
      });
      expect(recorder.policy.name).toBe(recorderPolicyName);
      let nextCalled = 0;
      const response = await recorder.policy.sendRequest(
        createPipelineRequest({ url: `${server.endpoint}/x` }),
        async (request) => {
          nextCalled++;
          return { request, status: 299, headers: createHttpHeaders() };
        },
      );
      expect(nextCalled).toBe(1);
      expect(response.status).toBe(299);
      const fetched = await recorder.fetch(`${server.endpoint}/y`);
      expect(await fetched.text()).toBe("live!");
      expect(recorder.webSocketFactory("ws://host/client", ["p"])).toEqual({ marker: "underlying" });
      expect(seenUrls).toEqual(["ws://host/client"]);
      await recorder.stop();
      expect(existsSync(recordingPath)).toBe(false);
    } finally {
      await server.close();
    }
  });
});

describe("secret scan", () => {
  it("refuses to write a recording that still holds a configured secret or a JWT", async () => {
    const recordingPath = tmp.path("secret.json");
    const secret = "my-client-secret-value-123";
    const recorder = await createRecorder(undefined, { mode: "record", recordingPath, env: {}, secrets: [secret] });
    const pipeline = pipelineWith(recorder.policy);
    const fakeServer = {
      sendRequest: async (request: Parameters<typeof noNetwork.sendRequest>[0]) => ({
        request,
        status: 200,
        headers: createHttpHeaders({ "content-type": "text/plain", "x-echo": secret }),
        bodyAsText: `leaked ${secret}`,
      }),
    };
    await pipeline.sendRequest(fakeServer, createPipelineRequest({ url: "https://svc.example.com/a" }));
    const error = await recorder.stop().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RecordingSecretError);
    expect(error).toMatchObject({ name: "RecordingSecretError", recordingPath });
    const message = (error as Error).message;
    expect(message).toContain("Refusing to write");
    expect(message).toContain("configured secret #0 in Entries[0].ResponseHeaders");
    expect(message).toContain("configured secret #0 in Entries[0].ResponseBody");
    expect(message).not.toContain(secret);
    expect(existsSync(recordingPath)).toBe(false);
  });

  it("passes once a user sanitizer removes the secret", async () => {
    const recordingPath = tmp.path("clean.json");
    const secret = "my-client-secret-value-123";
    const recorder = await createRecorder(undefined, {
      mode: "record",
      recordingPath,
      env: {},
      secrets: [secret],
      sanitizers: [{ regex: "my-client-secret-value-\\d+", value: "fake-secret" }],
    });
    await recorder.policy.sendRequest(createPipelineRequest({ url: "https://svc.example.com/a" }), async (request) => ({
      request,
      status: 200,
      headers: createHttpHeaders({ "content-type": "text/plain" }),
      bodyAsText: `leaked ${secret}`,
    }));
    await recorder.stop();
    const text = await readFile(recordingPath, "utf8");
    expect(text).toContain("leaked fake-secret");
    expect(text).not.toContain(secret);
  });

  it("catches a JWT no sanitizer could see (inside a base64 body is fine, a JSON-escaped one is not)", async () => {
    const recordingPath = tmp.path("jwt.json");
    const jwt = signJwt({ sub: "x" }, ACCESS_KEY);
    // A user sanitizer that re-introduces a JWT after the built-ins ran (e.g. by mistake).
    const recorder = await createRecorder(undefined, {
      mode: "record",
      recordingPath,
      env: {},
      sanitizers: [{ regex: "PLACEHOLDER", value: jwt }],
    });
    await recorder.policy.sendRequest(createPipelineRequest({ url: "https://svc.example.com/a" }), async (request) => ({
      request,
      status: 200,
      headers: createHttpHeaders({ "content-type": "text/plain" }),
      bodyAsText: "PLACEHOLDER",
    }));
    await expect(recorder.stop()).rejects.toThrow(/JWT in Entries\[0\]\.ResponseBody/);
    expect(existsSync(recordingPath)).toBe(false);
  });
});

describe("environment", () => {
  /** A recorder on `env` whose playback also sets MY_HUB (a variable the test names) to `hub`. */
  const envRecorder = (
    mode: "record" | "playback",
    recordingPath: string,
    env: Record<string, string | undefined>,
    hub: string,
  ) => createRecorder(undefined, { mode, recordingPath, env, envSetupForPlayback: { MY_HUB: hub } });

  it("playback sets fake, well-formed values and restores the previous ones on stop", async () => {
    const recordingPath = tmp.path("env.json");
    const rec = await createRecorder(undefined, { mode: "record", recordingPath, env: {} });
    await rec.stop();
    const env: Record<string, string | undefined> = { AZURE_WEBPUBSUB_ENDPOINT: "https://real.webpubsub.azure.com" };
    const play = await envRecorder("playback", recordingPath, env, "hub1");
    expect(env.AZURE_WEBPUBSUB_ENDPOINT).toBe("https://fake.webpubsub.azure.com");
    expect(env.AZURE_WEBPUBSUB_CONNECTION_STRING).toMatch(
      /^Endpoint=https:\/\/fake\.webpubsub\.azure\.com;AccessKey=[A-Za-z0-9+/]{43}=;Version=1\.0;$/,
    );
    expect(env.MY_HUB).toBe("hub1");
    await play.stop();
    expect(env).toEqual({ AZURE_WEBPUBSUB_ENDPOINT: "https://real.webpubsub.azure.com" });
  });

  it("record mode replaces the real values by the fake ones in the recording", async () => {
    const recordingPath = tmp.path("env-record.json");
    const realKey = "cmVhbGtleXJlYWxrZXlyZWFsa2V5cmVhbGtleXJlYWw=";
    const env = {
      AZURE_WEBPUBSUB_CONNECTION_STRING: `Endpoint=https://prod.webpubsub.azure.com;AccessKey=${realKey};Version=1.0;`,
      AZURE_WEBPUBSUB_ENDPOINT: "https://prod.webpubsub.azure.com",
      MY_HUB: "realhub",
    };
    const recorder = await envRecorder("record", recordingPath, env, "fakehub");
    expect(env.AZURE_WEBPUBSUB_ENDPOINT).toBe("https://prod.webpubsub.azure.com");
    await recorder.policy.sendRequest(
      createPipelineRequest({ url: "https://prod.webpubsub.azure.com/api/hubs/realhub/:send" }),
      async (request) => ({
        request,
        status: 200,
        headers: createHttpHeaders({ "content-type": "application/json" }),
        bodyAsText: JSON.stringify({
          echo: env.AZURE_WEBPUBSUB_CONNECTION_STRING,
          key: realKey,
          host: "prod.webpubsub.azure.com",
        }),
      }),
    );
    await recorder.stop();
    const file = parseRecording(await readFile(recordingPath, "utf8"));
    expect(file.Entries[0]!.RequestUri).toBe("https://fake.webpubsub.azure.com/api/hubs/fakehub/:send");
    expect(file.Entries[0]!.ResponseBody).toEqual({
      echo: expect.stringMatching(/^Endpoint=https:\/\/fake\.webpubsub\.azure\.com;AccessKey=/),
      key: expect.not.stringContaining(realKey),
      host: "fake.webpubsub.azure.com",
    });
    expect(JSON.stringify(file)).not.toContain(realKey);
  });
});

describe("configureClientOptions", () => {
  it("appends the policy per retry and installs the socket hook, keeping the caller's options", async () => {
    const recorder = await createRecorder(undefined, { mode: "live", recordingPath: tmp.path("x.json"), env: {} });
    const other = { name: "other", sendRequest: (r: never, next: (r: never) => never) => next(r) };
    let ownCalls = 0;
    const options = recorder.configureClientOptions({
      apiVersion: "2024-12-01",
      additionalPolicies: [{ policy: other, position: "perCall" as const }],
      webSocketFactory: () => {
        ownCalls++;
        return {} as never;
      },
    });
    expect(options.apiVersion).toBe("2024-12-01");
    expect(options.additionalPolicies.map((p) => [p.policy.name, p.position])).toEqual([
      ["other", "perCall"],
      [recorderPolicyName, "perRetry"],
    ]);
    options.webSocketFactory("ws://x");
    expect(ownCalls).toBe(1);
    expect(() => recorder.configureClientOptions(null as never)).toThrow(TypeError);
    await recorder.stop();
  });
});

describe("fetch wrapper against a local HTTP server", () => {
  it("records, then replays with the server stopped and identical results", async () => {
    let hits = 0;
    const server = await startServer((req, body, res) => {
      hits++;
      const host = req.headers.host!;
      if (req.url!.startsWith("/list")) {
        res.writeHead(200, { "content-type": "application/json", "content-encoding": "gzip" });
        res.end(
          gzipSync(
            JSON.stringify({
              value: [hits],
              nextLink: `http://${host}/list?page=2`,
              auth: req.headers.authorization?.startsWith("Bearer ey"),
            }),
          ),
        );
        return;
      }
      res.writeHead(201, { "content-type": "text/plain; charset=utf-8" });
      res.end(`got ${body}`);
    });
    const recordingPath = tmp.path("fetch.json");
    const token = signJwt({ sub: "me" }, ACCESS_KEY);
    const run = async (fetchFn: typeof fetch, endpoint: string) => {
      const out: unknown[] = [];
      const first = await fetchFn(`${endpoint}/list?b=1&a=2`, { headers: { authorization: `Bearer ${token}` } });
      const page = (await first.json()) as { nextLink: string; value: number[]; auth: boolean };
      out.push(first.status, first.headers.get("content-type"), page.value, page.auth);
      const second = await fetchFn(page.nextLink);
      out.push(((await second.json()) as { value: number[] }).value);
      const posted = await fetchFn(`${endpoint}/items`, {
        method: "POST",
        body: "hello",
        headers: { "content-type": "text/plain" },
      });
      out.push(posted.status, await posted.text());
      return out;
    };
    let recorded: unknown[];
    try {
      const recorder = await createRecorder(undefined, { mode: "record", recordingPath, env: {} });
      recorded = await run(recorder.fetch, server.endpoint);
      await recorder.stop();
    } finally {
      await server.close();
    }
    expect(recorded).toEqual([200, "application/json", [1], true, [2], 201, "got hello"]);
    const text = await readFile(recordingPath, "utf8");
    expect(text).not.toMatch(new RegExp(JWT_PATTERN.source));
    expect(text).not.toContain(server.endpoint.slice("http://".length));
    expect(text).not.toMatch(/content-encoding/i);

    const recorder = await createRecorder(undefined, {
      mode: "playback",
      recordingPath,
      env: {},
      fetch: () => Promise.reject(new Error("network used in playback")),
    });
    const replayed = await run(recorder.fetch, "http://localhost:1");
    await recorder.stop();
    expect(replayed).toEqual(recorded);
  });
});

it("the pipeline policy never reaches the HTTP client in playback", async () => {
  const recordingPath = tmp.path("p.json");
  const rec = await createRecorder(undefined, { mode: "record", recordingPath, env: {} });
  await rec.policy.sendRequest(createPipelineRequest({ url: "https://a.example.com/x" }), async (request) => ({
    request,
    status: 204,
    headers: createHttpHeaders(),
  }));
  await rec.stop();
  const play = await createRecorder(undefined, { mode: "playback", recordingPath, env: {} });
  const response = await pipelineWith(play.policy).sendRequest(
    noNetwork,
    createPipelineRequest({ url: "https://b.example.com/x" }),
  );
  expect(response.status).toBe(204);
  await play.stop();
});

it("the secret scan also looks inside base64 (binary) bodies", async () => {
  const recordingPath = tmp.path("b64.json");
  const secret = "binary-secret-1234";
  const recorder = await createRecorder(undefined, { mode: "record", recordingPath, env: {}, secrets: [secret] });
  await recorder.policy.sendRequest(
    createPipelineRequest({
      url: "https://a.example.com/upload",
      method: "POST",
      body: Buffer.from(`\u0000\u0001${secret}\u00ff`, "latin1"),
      headers: createHttpHeaders({ "content-type": "application/octet-stream" }),
    }),
    async (request) => ({ request, status: 204, headers: createHttpHeaders() }),
  );
  await expect(recorder.stop()).rejects.toThrow(/configured secret #0 in Entries\[0\]\.RequestBody \(base64-decoded\)/);
  expect(existsSync(recordingPath)).toBe(false);
});

it("credential(): a fake token in playback, the real credential otherwise", async () => {
  const recordingPath = tmp.path("cred.json");
  const real = { getToken: async () => ({ token: "real", expiresOnTimestamp: 1 }) };
  const rec = await createRecorder(undefined, { mode: "record", recordingPath, env: {} });
  expect(rec.credential(real)).toBe(real);
  expect(() => rec.credential()).toThrow(/realCredential must be a TokenCredential/);
  await rec.stop();
  const play = await createRecorder(undefined, { mode: "playback", recordingPath, env: {} });
  const token = await play.credential(real).getToken("https://webpubsub.azure.com/.default");
  expect(token?.token).toBe("fake-playback-token");
  expect(token!.expiresOnTimestamp).toBeGreaterThan(Date.now());
  await play.stop();
});
