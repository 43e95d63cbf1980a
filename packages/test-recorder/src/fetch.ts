// The recorder as a fetch function: records or replays each request made through it.
import { STATUS_CODES } from "node:http";
import { abortError, type HttpRecorderCore } from "./http-core.ts";
import { decodeBody, getHeader, type RecordEntry, requestPart, responsePart } from "./recording-format.ts";

const NULL_BODY_STATUSES = new Set([101, 103, 204, 205, 304]);

function buildResponse(
  status: number,
  headers: Record<string, string>,
  bytes: Uint8Array | null,
  url: string,
): Response {
  const response = new Response(NULL_BODY_STATUSES.has(status) || !bytes ? null : Buffer.from(bytes), {
    status,
    statusText: STATUS_CODES[status] ?? "",
    headers,
  });
  Object.defineProperty(response, "url", { value: url });
  return response;
}

/**
 * A `fetch` that records, replays or passes through, for code that calls fetch directly. `underlying` is used in
 * record and live modes (default: the global fetch).
 */
export function createRecorderFetch(core: HttpRecorderCore, underlying: typeof fetch = globalThis.fetch): typeof fetch {
  if (typeof underlying !== "function") throw new TypeError("fetch must be a function");
  return async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    core.assertActive();
    if (core.mode === "live") return underlying(input, init);
    const request = new Request(input, init);
    const bytes = request.body ? new Uint8Array(await request.clone().arrayBuffer()) : null;
    const requestHeaders = Object.fromEntries(request.headers);
    const part = requestPart(request.url, request.method, requestHeaders, bytes);
    if (core.mode === "playback") {
      if (request.signal.aborted) throw abortError();
      const entry: RecordEntry = core.playback(part);
      const body = decodeBody(entry.ResponseBody, getHeader(entry.ResponseHeaders, "content-type"));
      return buildResponse(entry.StatusCode, entry.ResponseHeaders, body, request.url);
    }
    const response = await underlying(request);
    const responseHeaders = Object.fromEntries(response.headers);
    const raw = new Uint8Array(await response.arrayBuffer());
    const body = raw.length > 0 ? raw : null;
    core.record({ ...part, ...responsePart(response.status, responseHeaders, body) });
    return buildResponse(response.status, responseHeaders, body, response.url || request.url);
  };
}
