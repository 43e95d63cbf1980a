// Replays a test-proxy JSON recording through a custom HttpClient: each request must match the next recorded entry
// (method, path, query order-insensitive, content type, body), and gets the recorded response back.
import { readFileSync } from "node:fs";
import {
  createHttpHeaders,
  type HttpClient,
  type PipelineRequest,
  type PipelineResponse,
} from "@azure/core-rest-pipeline";
import type { RecordEntry } from "@webpubsub/test-recorder";

/** One test-proxy entry, as @webpubsub/test-recorder defines the format. */
export type RecordedEntry = RecordEntry;

export interface Playback {
  httpClient: HttpClient;
  entries: RecordedEntry[];
  /** How many entries have been played. */
  readonly played: number;
  /** api-version of the first recorded request. */
  apiVersion: string;
  /** Entries to answer without comparing the request (e.g. made by a different client version). */
  skipCompare: Set<number>;
}

function header(headers: Record<string, string>, name: string): string | undefined {
  const key = Object.keys(headers).find((k) => k.toLowerCase() === name);
  return key === undefined ? undefined : headers[key];
}

function bodyBytes(body: PipelineRequest["body"]): Buffer {
  if (body === undefined || body === null) return Buffer.alloc(0);
  if (typeof body === "string") return Buffer.from(body);
  if (ArrayBuffer.isView(body)) return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  if (body instanceof ArrayBuffer) return Buffer.from(body);
  throw new Error(`playback cannot read a ${typeof body} request body`);
}

function queryPairs(url: URL): string[] {
  return [...url.searchParams.entries()].map(([k, v]) => `${k}=${v}`).sort();
}

export function loadPlayback(file: string): Playback {
  const entries = (JSON.parse(readFileSync(file, "utf8")) as { Entries: RecordedEntry[] }).Entries;
  let cursor = 0;
  const skipCompare = new Set<number>();
  const httpClient: HttpClient = {
    async sendRequest(request: PipelineRequest): Promise<PipelineResponse> {
      const index = cursor++;
      const entry = entries[index];
      if (!entry) throw new Error(`unexpected request #${index}: ${request.method} ${request.url}`);
      const actual = new URL(request.url);
      const recorded = new URL(entry.RequestUri);
      if (!skipCompare.has(index)) {
        const what = `entry #${index} ${entry.RequestMethod} ${entry.RequestUri}`;
        if (request.method !== entry.RequestMethod || actual.pathname !== recorded.pathname) {
          throw new Error(`${what}: got ${request.method} ${actual.pathname}`);
        }
        const [a, r] = [queryPairs(actual), queryPairs(recorded)];
        if (JSON.stringify(a) !== JSON.stringify(r)) throw new Error(`${what}: query ${a.join("&")} != ${r.join("&")}`);
        const contentType = header(entry.RequestHeaders, "content-type");
        const actualType = request.headers.get("content-type");
        if (contentType !== undefined && actualType !== contentType) {
          throw new Error(`${what}: content-type ${actualType} != ${contentType}`);
        }
        const bytes = bodyBytes(request.body);
        const expected = entry.RequestBody;
        if (expected === null || expected === undefined || expected === "") {
          if (bytes.length !== 0) throw new Error(`${what}: unexpected body ${bytes.toString()}`);
        } else if (contentType === "application/octet-stream") {
          if (bytes.toString("base64") !== expected) throw new Error(`${what}: binary body differs`);
        } else if (typeof expected === "object") {
          if (JSON.stringify(JSON.parse(bytes.toString())) !== JSON.stringify(expected)) {
            throw new Error(`${what}: JSON body ${bytes.toString()} != ${JSON.stringify(expected)}`);
          }
        } else if (bytes.toString() !== expected) {
          throw new Error(`${what}: body ${bytes.toString()} != ${String(expected)}`);
        }
      }
      const body = entry.ResponseBody;
      return {
        request,
        status: entry.StatusCode,
        headers: createHttpHeaders(entry.ResponseHeaders),
        bodyAsText:
          body === null || body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
      };
    },
  };
  const first = entries[0] ? new URL(entries[0].RequestUri).searchParams.get("api-version") : null;
  return {
    httpClient,
    entries,
    get played() {
      return cursor;
    },
    apiVersion: first ?? "2024-12-01",
    skipCompare,
  };
}
