// Replays every real service recording in fixtures/reference/recordings through @webpubsub/rest: the same
// operation, issued through the typed routes, must produce the recorded method, path, query (order-insensitive),
// content type and body, and the recorded response must be classified right.
import type { HttpResponse } from "@azure-rest/core-client";
import { base64Decode, decodeJwt, restAudienceMatches, verifyJwt } from "@webpubsub/core";
import { describe, expect, it } from "vitest";
import { AzureKeyCredential, createWebPubSubRestClient, errorDetails, isUnexpected, paginate } from "../src/index.ts";
import { recordingsDir } from "./helpers/paths.ts";
import { header, loadRecordings, type RecordedEntry, replayClient } from "./helpers/recordings.ts";
import { loadSwaggerOps, matchOperation } from "./helpers/swagger-ops.ts";

const KEY = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789ABCDEFGH";
const ops = loadSwaggerOps();

type Send = (options: Record<string, unknown>) => PromiseLike<HttpResponse>;
type UntypedPath = (template: string, ...args: string[]) => Record<string, Send>;

function requestOptions(entry: RecordedEntry, op: ReturnType<typeof loadSwaggerOps>[number]): Record<string, unknown> {
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
  if (recorded !== null && recorded !== undefined && recorded !== "") {
    options.contentType = contentType;
    if (contentType === "application/octet-stream") options.body = base64Decode(recorded as string);
    else if (contentType === "application/json")
      options.body = typeof recorded === "string" ? JSON.parse(recorded) : recorded;
    else options.body = recorded;
  }
  return options;
}

/** What the recording says about a response: failures are 4xx/5xx except the 404 answer of existence checks. */
function recordedAsUnexpected(entry: RecordedEntry): boolean {
  if (entry.RequestMethod === "HEAD" && entry.StatusCode === 404) return false;
  return entry.StatusCode >= 400;
}

const { recordings, skipped } = loadRecordings(recordingsDir);

describe("replaying the live-service recordings", () => {
  it("finds the recordings, every one of them test-proxy JSON", () => {
    expect(recordings.length).toBeGreaterThanOrEqual(10);
    expect(skipped).toEqual([]);
  });

  for (const recording of recordings) {
    it(recording.name, async () => {
      const first = new URL(recording.entries[0]!.RequestUri);
      const viaProxy = first.hostname === "rp-endpoint";
      const serviceEndpoint = viaProxy ? "https://endpoint" : `${first.protocol}//${first.host}`;
      let index = 0;
      while (index < recording.entries.length) {
        const entry = recording.entries[index]!;
        const url = new URL(entry.RequestUri);
        const match = matchOperation(ops, entry.RequestMethod, url.pathname);
        expect(match, `no operation for ${entry.RequestMethod} ${url.pathname}`).toBeDefined();
        const { op, args } = match!;
        const replay = replayClient(recording.entries.slice(index), { checkHost: true });
        const tokens: { url: string; authorization: string | undefined }[] = [];
        const client = createWebPubSubRestClient(serviceEndpoint, new AzureKeyCredential(KEY), {
          apiVersion: url.searchParams.get("api-version") ?? undefined,
          httpClient: {
            sendRequest: (request) => {
              tokens.push({ url: request.url, authorization: request.headers.get("authorization") });
              return replay.client.sendRequest(request);
            },
          },
          retryOptions: { maxRetries: 0 },
          ...(viaProxy ? { reverseProxyEndpoint: "https://rp-endpoint" } : {}),
        });
        const resource = (client.path as unknown as UntypedPath)(op.template, ...args);
        const response = await resource[entry.RequestMethod.toLowerCase()]!(requestOptions(entry, op));

        expect(response.status).toBe(String(entry.StatusCode));
        expect(isUnexpected(response as Parameters<typeof isUnexpected>[0])).toBe(recordedAsUnexpected(entry));
        const recordedCode = header(entry.ResponseHeaders, "x-ms-error-code");
        if (recordedCode) expect(errorDetails(response).code).toBe(recordedCode);
        if (recordedAsUnexpected(entry)) {
          const body = entry.ResponseBody as { code?: string; message?: string } | null;
          if (body?.message) expect(errorDetails(response).message).toBe(body.message);
          expect(errorDetails(response).code).toBe(recordedCode ?? body?.code);
        }
        if (op.pageable && !isUnexpected(response as Parameters<typeof isUnexpected>[0])) {
          const items: unknown[] = [];
          for await (const page of paginate(client, response as never).byPage()) items.push(...(page as unknown[]));
          const recordedItems = recording.entries
            .slice(index, index + replay.consumed)
            .flatMap((e) => ((e.ResponseBody as { value?: unknown[] } | null)?.value ?? []) as unknown[]);
          expect(items).toEqual(recordedItems);
        }
        expect(replay.mismatches).toEqual([]);
        // Every request is signed for the service URL, also when it travels through the reverse proxy.
        for (const t of tokens) {
          expect(t.authorization).toMatch(/^Bearer /);
          const token = t.authorization!.slice("Bearer ".length);
          const serviceUrl = viaProxy ? t.url.replace("//rp-endpoint/", "//endpoint/") : t.url;
          await verifyJwt(token, KEY, { audience: (aud) => restAudienceMatches(aud, serviceUrl) });
          expect(decodeJwt(token).payload.aud).toBe(serviceUrl);
        }
        index += replay.consumed;
      }
      expect(index).toBe(recording.entries.length);
    });
  }
});
