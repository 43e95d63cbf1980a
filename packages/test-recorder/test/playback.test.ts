import { writeFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import {
  createRecorder,
  type RecordEntry,
  RecorderError,
  RecordingMismatchError,
  RecordingNotFoundError,
} from "../src/index.ts";
import { createHttpHeaders, createPipelineRequest, noNetwork, pipelineWith, tempDirPerTest } from "./helpers.ts";

function entry(over: Partial<RecordEntry>): RecordEntry {
  return {
    RequestUri: "https://endpoint/api/hubs/chat/:send?api-version=2024-12-01",
    RequestMethod: "POST",
    RequestHeaders: { "Content-Type": "application/json" },
    RequestBody: null,
    StatusCode: 202,
    ResponseHeaders: {},
    ResponseBody: null,
    ...over,
  };
}

const tmp = tempDirPerTest();

async function playback(entries: RecordEntry[], options: Parameters<typeof createRecorder>[1] = {}) {
  const path = tmp.path("rec.json");
  await writeFile(path, JSON.stringify({ Entries: entries, Variables: {} }));
  const recorder = await createRecorder(undefined, { mode: "playback", recordingPath: path, env: {}, ...options });
  const pipeline = pipelineWith(recorder.policy);
  const send = (method: string, url: string, body?: string, headers: Record<string, string> = {}) =>
    pipeline.sendRequest(
      noNetwork,
      createPipelineRequest({ url, method: method as "GET", body, headers: createHttpHeaders(headers) }),
    );
  return { recorder, send };
}

describe("playback matching", () => {
  it("fails an unmatched request with the request, the closest entry and the differences", async () => {
    const { recorder, send } = await playback([
      entry({ RequestUri: "https://endpoint/api/hubs/chat/users/u1/:send?api-version=2024-12-01" }),
      entry({ RequestBody: { message: "hi", n: 1 } }),
    ]);
    const error = await send(
      "POST",
      "https://x.webpubsub.azure.com/api/hubs/chat/:send?api-version=2024-12-01&filter=a",
      JSON.stringify({ message: "hello", n: 1 }),
      { "Content-Type": "application/json" },
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RecordingMismatchError);
    expect(error).toBeInstanceOf(RecorderError);
    expect((error as RecordingMismatchError).name).toBe("RecordingMismatchError");
    const text = (error as Error).message;
    expect(text).toContain("Unmatched request in playback");
    expect(text).toContain("POST https://fake.webpubsub.azure.com/api/hubs/chat/:send?api-version=2024-12-01&filter=a");
    expect(text).toContain('body: {"message":"hello","n":1}');
    expect(text).toContain("Closest recorded entry: #1");
    expect(text).toContain('query "filter": only in the request ("a")');
    expect(text).toContain('body.message: request "hello", recorded "hi"');
    expect(text).not.toMatch(/404/);
    // Even when the code under test swallows the error, stop() fails the test.
    await expect(recorder.stop()).rejects.toThrow(/Unmatched request/);
  });

  it("reports a recording with no entries", async () => {
    const { recorder, send } = await playback([]);
    await expect(send("GET", "https://e/api/health")).rejects.toThrow(/The recording has no entries/);
    await expect(recorder.stop()).rejects.toBeInstanceOf(RecordingMismatchError);
  });

  it("compares query strings ignoring order, and ignores configured keys", async () => {
    const recorded = entry({ RequestUri: "https://endpoint/api/hubs/chat/:send?api-version=2021-10-01&a=1&b=2&b=3" });
    const strict = await playback([recorded]);
    await expect(
      strict.send("POST", "https://e/api/hubs/chat/:send?b=3&a=1&b=2&api-version=2024-12-01"),
    ).rejects.toThrow(/query "api-version": request "2024-12-01", recorded "2021-10-01"/);
    await expect(strict.recorder.stop()).rejects.toThrow();

    const lenient = await playback([recorded], { matcher: { ignoredQueryParameters: ["API-Version"] } });
    const response = await lenient.send("POST", "https://e/api/hubs/chat/:send?b=3&a=1&b=2&api-version=2024-12-01");
    expect(response.status).toBe(202);
    await lenient.recorder.stop();
  });

  it("matches JSON bodies structurally and text bodies exactly", async () => {
    const { recorder, send } = await playback([
      entry({ RequestBody: { a: 1, b: [1, 2, { c: "x" }] }, StatusCode: 200 }),
      entry({ RequestHeaders: { "Content-Type": "text/plain" }, RequestBody: "hello", StatusCode: 201 }),
    ]);
    const ok = await send(
      "POST",
      "https://e/api/hubs/chat/:send?api-version=2024-12-01",
      '{"b":[1,2,{"c":"x"}],"a":1}',
      {
        "Content-Type": "application/json",
      },
    );
    expect(ok.status).toBe(200);
    await expect(
      send("POST", "https://e/api/hubs/chat/:send?api-version=2024-12-01", '{"a":1,"b":[2,1,{"c":"x"}]}', {
        "Content-Type": "application/json",
      }),
    ).rejects.toThrow(/body\.b\[0\]: request 2, recorded 1/);
    await expect(
      send("POST", "https://e/api/hubs/chat/:send?api-version=2024-12-01", "hello ", { "Content-Type": "text/plain" }),
    ).rejects.toThrow(/body: request "hello ", recorded "hello"/);
    const text = await send("POST", "https://e/api/hubs/chat/:send?api-version=2024-12-01", "hello", {
      "Content-Type": "text/plain",
    });
    expect(text.status).toBe(201);
    await expect(recorder.stop()).rejects.toThrow(RecordingMismatchError);
  });

  it("can compare selected headers and can skip bodies", async () => {
    const recorded = entry({
      RequestHeaders: { "Content-Type": "application/json", "x-tenant": "a" },
      RequestBody: { a: 1 },
    });
    const withHeader = await playback([recorded], { matcher: { headers: ["X-Tenant"], compareBodies: false } });
    await expect(
      withHeader.send("POST", "https://e/api/hubs/chat/:send?api-version=2024-12-01", "{}", { "x-tenant": "b" }),
    ).rejects.toThrow(/header "X-Tenant": request "b", recorded "a"/);
    const ok = await withHeader.send("POST", "https://e/api/hubs/chat/:send?api-version=2024-12-01", '{"other":2}', {
      "x-tenant": "a",
    });
    expect(ok.status).toBe(202);
    await expect(withHeader.recorder.stop()).rejects.toThrow();
  });

  it("replays repeated identical requests with their own responses, in order", async () => {
    const uri = "https://endpoint/api/hubs/chat/users/u1?api-version=2024-12-01";
    const { recorder, send } = await playback([
      entry({ RequestMethod: "HEAD", RequestUri: uri, StatusCode: 404 }),
      entry({ RequestMethod: "PUT", RequestUri: uri.replace("/users/u1", "/users/u1/groups/g"), StatusCode: 200 }),
      entry({ RequestMethod: "HEAD", RequestUri: uri, StatusCode: 200 }),
      entry({ RequestMethod: "HEAD", RequestUri: uri, StatusCode: 404 }),
    ]);
    const url = "https://e/api/hubs/chat/users/u1?api-version=2024-12-01";
    expect((await send("HEAD", url)).status).toBe(404);
    expect((await send("PUT", "https://e/api/hubs/chat/users/u1/groups/g?api-version=2024-12-01")).status).toBe(200);
    expect((await send("HEAD", url)).status).toBe(200);
    expect((await send("HEAD", url)).status).toBe(404);
    const fourth = await send("HEAD", url).catch((e: Error) => e);
    expect(fourth).toBeInstanceOf(RecordingMismatchError);
    expect((fourth as Error).message).toContain(
      "already replayed: the request was sent more times than it was recorded",
    );
    await expect(recorder.stop()).rejects.toThrow(/more times than it was recorded/);
  });

  it("fails stop() on unused entries when asked to", async () => {
    const { recorder, send } = await playback([entry({}), entry({ RequestBody: "x" })], { failOnUnusedEntries: true });
    await send("POST", "https://e/api/hubs/chat/:send?api-version=2024-12-01");
    await expect(recorder.stop()).rejects.toThrow(/1 recorded request\(s\) were never sent/);
  });

  it("fails fast when the recording is missing, and refuses use after stop", async () => {
    const missing = tmp.path("missing.json");
    const error = await createRecorder(undefined, { mode: "playback", recordingPath: missing, env: {} }).catch(
      (e: unknown) => e,
    );
    // every recorder error is a RecorderError naming its recording, under its own class name
    expect(error).toBeInstanceOf(RecordingNotFoundError);
    expect(error).toBeInstanceOf(RecorderError);
    expect(error).toMatchObject({ name: "RecordingNotFoundError", recordingPath: missing });
    const { recorder, send } = await playback([entry({})]);
    await recorder.stop();
    await expect(send("POST", "https://e/api/hubs/chat/:send?api-version=2024-12-01")).rejects.toThrow(/stopped/);
  });

  it("streams the body when the request asks for a stream", async () => {
    const { recorder } = await playback([
      entry({
        RequestMethod: "GET",
        RequestHeaders: {},
        StatusCode: 200,
        ResponseHeaders: { "Content-Type": "application/octet-stream" },
        ResponseBody: Buffer.from([0, 1, 2, 255]).toString("base64"),
      }),
    ]);
    const pipeline = pipelineWith(recorder.policy);
    const request = createPipelineRequest({
      url: "https://e/api/hubs/chat/:send?api-version=2024-12-01",
      method: "GET",
      streamResponseStatusCodes: new Set([200]),
    });
    const response = await pipeline.sendRequest(noNetwork, request);
    const chunks: Buffer[] = [];
    for await (const chunk of response.readableStreamBody!) chunks.push(chunk as Buffer);
    expect([...Buffer.concat(chunks)]).toEqual([0, 1, 2, 255]);
    await recorder.stop();
  });

  it("rejects invalid options before any I/O", async () => {
    await expect(createRecorder(undefined, { mode: "replay" as "live", recordingPath: "x" })).rejects.toThrow(
      RangeError,
    );
    await expect(createRecorder(undefined, { recordingPath: "" })).rejects.toThrow(/options.recordingPath/);
    await expect(createRecorder(undefined, {})).rejects.toThrow(TypeError);
    await expect(createRecorder(undefined, { recordingPath: "x", fakeEndpoint: "ftp://a" })).rejects.toThrow(
      /fakeEndpoint/,
    );
    await expect(
      createRecorder(undefined, { recordingPath: "x", sanitizers: [{ regex: "a", header: "b", uri: "c" } as never] }),
    ).rejects.toThrow(/exactly one of/);
    await expect(
      createRecorder(undefined, { recordingPath: "x", sanitizers: [{ jsonPath: "token" }] }),
    ).rejects.toThrow(/jsonPath must be a string starting with "\$"/);
    await expect(createRecorder(undefined, { recordingPath: "x", env: { TEST_MODE: "recording" } })).rejects.toThrow(
      /TEST_MODE must be one of/,
    );
  });
});
