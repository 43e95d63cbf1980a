// Reads test-proxy recordings and replays them: a fake HttpClient checks each outgoing request against the next
// recorded entry and answers with the recorded response.
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import {
  createHttpHeaders,
  type HttpClient,
  type PipelineRequest,
  type PipelineResponse,
} from "@azure/core-rest-pipeline";
import { base64Encode, utf8Encode } from "@webpubsub/core";

export interface RecordedEntry {
  RequestUri: string;
  RequestMethod: string;
  RequestHeaders: Record<string, string>;
  RequestBody: unknown;
  StatusCode: number;
  ResponseHeaders: Record<string, string>;
  ResponseBody: unknown;
}

export interface Recording {
  name: string;
  entries: RecordedEntry[];
}

/** Every test-proxy JSON recording under `dir`, sorted by path. Other files (nock .js) are listed in `skipped`. */
export function loadRecordings(dir: string): { recordings: Recording[]; skipped: string[] } {
  const recordings: Recording[] = [];
  const skipped: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith(".json")) {
        const parsed = JSON.parse(readFileSync(p, "utf8")) as { Entries?: RecordedEntry[] };
        if (Array.isArray(parsed.Entries)) recordings.push({ name: relative(dir, p), entries: parsed.Entries });
        else skipped.push(relative(dir, p));
      } else if (e.name !== "README.md") skipped.push(relative(dir, p));
    }
  };
  walk(dir);
  return { recordings, skipped };
}

export function header(headers: Record<string, string>, name: string): string | undefined {
  const key = Object.keys(headers).find((k) => k.toLowerCase() === name.toLowerCase());
  return key === undefined ? undefined : headers[key];
}

/** Query string as a sorted list of decoded `name=value` pairs (order-insensitive comparison). */
export function queryPairs(url: string): string[] {
  return [...new URL(url).searchParams.entries()].map(([k, v]) => `${k}=${v}`).sort();
}

function bodyBytes(body: unknown): Uint8Array | undefined {
  if (body instanceof Uint8Array) return body;
  if (body instanceof ArrayBuffer) return new Uint8Array(body);
  if (typeof body === "string") return utf8Encode(body);
  return undefined;
}

/** Differences between an outgoing request and a recorded one (empty when they match). */
export function compareRequest(request: PipelineRequest, entry: RecordedEntry, opts: { checkHost: boolean }): string[] {
  const problems: string[] = [];
  const actual = new URL(request.url);
  const expected = new URL(entry.RequestUri);
  if (request.method !== entry.RequestMethod) problems.push(`method ${request.method} != ${entry.RequestMethod}`);
  if (opts.checkHost && actual.host !== expected.host) problems.push(`host ${actual.host} != ${expected.host}`);
  if (decodeURIComponent(actual.pathname) !== decodeURIComponent(expected.pathname)) {
    problems.push(`path ${actual.pathname} != ${expected.pathname}`);
  }
  const aq = queryPairs(request.url).join("&");
  const eq = queryPairs(entry.RequestUri).join("&");
  if (aq !== eq) problems.push(`query ${aq} != ${eq}`);
  const expectedType = header(entry.RequestHeaders, "content-type")?.split(";")[0];
  const actualType = request.headers.get("content-type")?.split(";")[0];
  if (expectedType !== actualType) problems.push(`content-type ${actualType} != ${expectedType}`);
  const recorded = entry.RequestBody;
  if (recorded === null || recorded === undefined || recorded === "") {
    const bytes = bodyBytes(request.body);
    if (request.body !== undefined && request.body !== null && (bytes === undefined || bytes.length > 0)) {
      problems.push(`body sent but none recorded`);
    }
  } else if (expectedType === "application/json") {
    const sent = typeof request.body === "string" ? JSON.parse(request.body) : undefined;
    const want = typeof recorded === "string" ? JSON.parse(recorded) : recorded;
    if (JSON.stringify(sent) !== JSON.stringify(want))
      problems.push(`json body ${JSON.stringify(sent)} != ${JSON.stringify(want)}`);
  } else if (expectedType === "application/octet-stream") {
    const bytes = bodyBytes(request.body);
    const sent = bytes ? base64Encode(bytes) : String(request.body);
    if (sent !== recorded) problems.push(`binary body (base64) ${sent} != ${String(recorded)}`);
  } else if (request.body !== recorded) {
    problems.push(`body ${JSON.stringify(request.body)} != ${JSON.stringify(recorded)}`);
  }
  return problems;
}

/** A response built from a recorded entry. */
export function recordedResponse(request: PipelineRequest, entry: RecordedEntry): PipelineResponse {
  const body = entry.ResponseBody;
  const bodyAsText = body === null || body === undefined ? "" : typeof body === "string" ? body : JSON.stringify(body);
  return { request, status: entry.StatusCode, headers: createHttpHeaders(entry.ResponseHeaders), bodyAsText };
}

/** A replaying HttpClient: request i must match entry i; mismatches are collected, not thrown, for a clear report. */
export function replayClient(entries: RecordedEntry[], opts: { checkHost: boolean }) {
  let next = 0;
  const mismatches: string[] = [];
  const client: HttpClient = {
    async sendRequest(request) {
      const entry = entries[next];
      if (!entry) throw new Error(`unexpected extra request ${request.method} ${request.url}`);
      const problems = compareRequest(request, entry, opts);
      if (problems.length)
        mismatches.push(`entry ${next} (${entry.RequestMethod} ${entry.RequestUri}): ${problems.join("; ")}`);
      next++;
      return recordedResponse(request, entry);
    },
  };
  return {
    client,
    mismatches,
    get consumed() {
      return next;
    },
  };
}
