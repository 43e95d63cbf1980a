// Replays every real service recording in fixtures/reference/recordings through @webpubsub/rest with
// @webpubsub/test-recorder's playback policy (every entry must be used). Each recorded request is issued again as the
// same operation through the typed routes: the recorder matches method, path, query (order-insensitive), content type
// and body and answers with the recorded response, which must then be classified right; pageable operations follow
// nextLink through the recorded pages. The recorder replaces host names on both sides, so a capturing policy placed
// before it checks what it cannot: the host each request went to (the reverse proxy's, when one is configured) and
// each token's audience (always the service URL).
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import type { PipelinePolicy } from "@azure/core-rest-pipeline";
import type { HttpResponse } from "@azure-rest/core-client";
import { base64Decode, decodeJwt, restAudienceMatches, verifyJwt } from "@webpubsub/core";
import {
  createRecorder,
  parseRecording,
  type RecordEntry,
  type Recorder,
  RecordingMismatchError,
} from "@webpubsub/test-recorder";
import { describe, expect, it } from "vitest";
import {
  AzureKeyCredential,
  createWebPubSubRestClient,
  errorDetails,
  isUnexpected,
  paginate,
  type WebPubSubRestClient,
} from "../src/index.ts";
import { recordingsDir } from "./helpers/paths.ts";
import { loadSwaggerOps, matchOperation, type SwaggerOp } from "./helpers/swagger-ops.ts";

const KEY = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789ABCDEFGH";
const REVERSE_PROXY_HOST = "rp-endpoint";
const ops = loadSwaggerOps();

interface RecordingUnderTest {
  name: string;
  path: string;
  entries: RecordEntry[];
}

/** Every test-proxy JSON recording under `dir`, sorted by path; any other file is listed in `skipped`. */
function loadRecordings(dir: string): { recordings: RecordingUnderTest[]; skipped: string[] } {
  const recordings: RecordingUnderTest[] = [];
  const skipped: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const path = join(d, e.name);
      const name = relative(dir, path);
      if (e.isDirectory()) walk(path);
      else if (e.name === "README.md") continue;
      else if (!e.name.endsWith(".json")) skipped.push(name);
      else {
        try {
          recordings.push({ name, path, entries: parseRecording(readFileSync(path, "utf8"), name).Entries });
        } catch {
          skipped.push(name);
        }
      }
    }
  };
  walk(dir);
  return { recordings, skipped };
}

function header(headers: Record<string, string>, name: string): string | undefined {
  const key = Object.keys(headers).find((k) => k.toLowerCase() === name.toLowerCase());
  return key === undefined ? undefined : headers[key];
}

/** A request as it left the client's pipeline, before the recorder rewrote its host. */
interface Sent {
  method: string;
  url: string;
  authorization: string | undefined;
}

function capturing(sent: Sent[]): PipelinePolicy {
  return {
    name: "captureBeforeRecorder",
    sendRequest(request, next) {
      sent.push({ method: request.method, url: request.url, authorization: request.headers.get("authorization") });
      return next(request);
    },
  };
}

function playbackOf(recording: RecordingUnderTest): Promise<Recorder> {
  return createRecorder(undefined, {
    mode: "playback",
    recordingPath: recording.path,
    env: {},
    failOnUnusedEntries: true,
    matcher: { headers: ["content-type"] },
  });
}

/** The recording's service endpoint, and whether its requests went through the reverse proxy. */
function endpointsOf(recording: RecordingUnderTest): { serviceEndpoint: string; viaProxy: boolean } {
  const first = new URL(recording.entries[0]!.RequestUri);
  const viaProxy = first.hostname === REVERSE_PROXY_HOST;
  return { serviceEndpoint: viaProxy ? "https://endpoint" : `${first.protocol}//${first.host}`, viaProxy };
}

type Send = (options: Record<string, unknown>) => PromiseLike<HttpResponse>;
type UntypedPath = (template: string, ...args: string[]) => Record<string, Send>;

function requestOptions(entry: RecordEntry, op: SwaggerOp): Record<string, unknown> {
  const url = new URL(entry.RequestUri);
  const queryParameters: Record<string, unknown> = {};
  for (const [k, v] of url.searchParams) {
    if (k === "api-version") continue;
    if (op.arrayParams.has(k)) queryParameters[k] = [...((queryParameters[k] as string[]) ?? []), v];
    else queryParameters[k] = op.numberParams.has(k) ? Number(v) : v;
  }
  const options: Record<string, unknown> = {};
  if (Object.keys(queryParameters).length) options.queryParameters = queryParameters;
  const contentType = header(entry.RequestHeaders, "content-type");
  const recorded = entry.RequestBody;
  if (recorded !== null && recorded !== "") {
    options.contentType = contentType;
    if (contentType === "application/octet-stream") options.body = base64Decode(recorded as string);
    else if (contentType === "application/json")
      options.body = typeof recorded === "string" ? JSON.parse(recorded) : recorded;
    else options.body = recorded;
  }
  return options;
}

/** What the recording says about a response: failures are 4xx/5xx except the 404 answer of existence checks. */
function recordedAsUnexpected(entry: RecordEntry): boolean {
  if (entry.RequestMethod === "HEAD" && entry.StatusCode === 404) return false;
  return entry.StatusCode >= 400;
}

/** Issues entry `index` of the recording again as its operation, on a fresh client wired to the recorder. */
async function replayEntry(
  recording: RecordingUnderTest,
  index: number,
  recorder: Recorder,
  reverseProxyEndpoint: string | undefined,
): Promise<{ client: WebPubSubRestClient; op: SwaggerOp; response: HttpResponse; sent: Sent[] }> {
  const entry = recording.entries[index]!;
  const url = new URL(entry.RequestUri);
  const match = matchOperation(ops, entry.RequestMethod, url.pathname);
  expect(match, `no operation for ${entry.RequestMethod} ${url.pathname}`).toBeDefined();
  const { op, args } = match!;
  const sent: Sent[] = [];
  const options = recorder.configureClientOptions({
    apiVersion: url.searchParams.get("api-version") ?? undefined,
    retryOptions: { maxRetries: 0 },
    // before the recorder's own perRetry policy, so it sees the request as it leaves the client
    additionalPolicies: [{ policy: capturing(sent), position: "perRetry" as const }],
    ...(reverseProxyEndpoint ? { reverseProxyEndpoint } : {}),
  });
  const client = createWebPubSubRestClient(
    endpointsOf(recording).serviceEndpoint,
    new AzureKeyCredential(KEY),
    options,
  );
  const resource = (client.path as unknown as UntypedPath)(op.template, ...args);
  const response = await resource[entry.RequestMethod.toLowerCase()]!(requestOptions(entry, op));
  return { client, op, response, sent };
}

const { recordings, skipped } = loadRecordings(recordingsDir);

describe("playback of the live-service recordings through @webpubsub/rest (@webpubsub/test-recorder)", () => {
  it("finds the recordings, every one of them test-proxy JSON", () => {
    expect(recordings.length).toBeGreaterThanOrEqual(10);
    expect(skipped).toEqual([]);
  });

  for (const recording of recordings) {
    it(recording.name, async () => {
      const { viaProxy } = endpointsOf(recording);
      const recorder = await playbackOf(recording);
      try {
        let index = 0;
        while (index < recording.entries.length) {
          const entry = recording.entries[index]!;
          const replay = await replayEntry(recording, index, recorder, viaProxy ? "https://rp-endpoint" : undefined);
          const { client, op, response, sent } = replay;
          const unexpected = isUnexpected(response as Parameters<typeof isUnexpected>[0]);

          expect(response.status).toBe(String(entry.StatusCode));
          expect(unexpected).toBe(recordedAsUnexpected(entry));
          const recordedCode = header(entry.ResponseHeaders, "x-ms-error-code");
          if (recordedCode) expect(errorDetails(response).code).toBe(recordedCode);
          if (recordedAsUnexpected(entry)) {
            const body = entry.ResponseBody as { code?: string; message?: string } | null;
            if (body?.message) expect(errorDetails(response).message).toBe(body.message);
            expect(errorDetails(response).code).toBe(recordedCode ?? body?.code);
          }
          if (op.pageable && !unexpected) {
            const items: unknown[] = [];
            for await (const page of paginate(client, response as never).byPage()) items.push(...(page as unknown[]));
            // every page followed: each recorded page but the last links on, the last one ends the listing
            const pages = recording.entries.slice(index, index + sent.length);
            const linksOn = pages.map(
              (e) => typeof (e.ResponseBody as { nextLink?: unknown } | null)?.nextLink === "string",
            );
            expect(linksOn).toEqual([...Array(pages.length - 1).fill(true), false]);
            const recordedItems = pages.flatMap(
              (e) => ((e.ResponseBody as { value?: unknown[] } | null)?.value ?? []) as unknown[],
            );
            expect(items).toEqual(recordedItems);
          }

          expect(sent.length).toBeGreaterThan(0);
          for (const [k, s] of sent.entries()) {
            // In recorded order, to the recorded host: the reverse proxy's when the recording went through one.
            const recorded = recording.entries[index + k]!;
            const [actualUrl, recordedUrl] = [new URL(s.url), new URL(recorded.RequestUri)];
            expect(`${s.method} ${actualUrl.host}${actualUrl.pathname}`).toBe(
              `${recorded.RequestMethod} ${recordedUrl.host}${recordedUrl.pathname}`,
            );
            // Signed for the service URL, also when the request travels through the reverse proxy.
            expect(s.authorization).toMatch(/^Bearer /);
            const token = s.authorization!.slice("Bearer ".length);
            const serviceUrl = viaProxy ? s.url.replace(`//${REVERSE_PROXY_HOST}/`, "//endpoint/") : s.url;
            await verifyJwt(token, KEY, { audience: (aud) => restAudienceMatches(aud, serviceUrl) });
            expect(decodeJwt(token).payload.aud).toBe(serviceUrl);
          }
          index += sent.length;
        }
        expect(index).toBe(recording.entries.length);
      } finally {
        await recorder.stop(); // throws when a request was not matched or an entry was not played
      }
    });
  }

  const byName = (suffix: string) => recordings.find((r) => r.name.endsWith(suffix))!;

  it("refuses a request whose query differs from the recording, and stop() still fails afterwards", async () => {
    const recording = byName("recording_can_send_to_a_user_with_messagettlseconds.json");
    const recorder = await playbackOf(recording);
    const client = createWebPubSubRestClient(
      "https://endpoint",
      new AzureKeyCredential(KEY),
      recorder.configureClientOptions({ retryOptions: { maxRetries: 0 } }),
    );
    const send = (ttl: number) =>
      client
        .path("/api/hubs/{hub}/users/{userId}/:send", "simplechat", "brian")
        .post({ contentType: "text/plain", body: "hello", queryParameters: { messageTtlSeconds: ttl } });
    await expect(send(5)).rejects.toThrow(RecordingMismatchError);
    expect((await send(60)).status).toBe("202");
    await expect(recorder.stop()).rejects.toThrow(/query "messageTtlSeconds": request "5", recorded "60"/);
  });

  it("sees the host the recorder hides: without the reverse proxy the recorder still matches, the host check does not", async () => {
    const recording = byName(
      "azure-sdk-for-js/sdk/web-pubsub/web-pubsub/recordings/node/hubclient_working_with_a_hub/recording_can_trace_through_the_various_options.json",
    );
    expect(endpointsOf(recording).viaProxy).toBe(true);
    const recorder = await playbackOf(recording);
    const { sent } = await replayEntry(recording, 0, recorder, undefined);
    expect(sent.map((s) => new URL(s.url).host)).toEqual(["endpoint"]);
    expect(new URL(recording.entries[0]!.RequestUri).host).toBe(REVERSE_PROXY_HOST);
    // the rest of the recording is not played: stop() says so
    await expect(recorder.stop()).rejects.toThrow(RecordingMismatchError);
  });
});
