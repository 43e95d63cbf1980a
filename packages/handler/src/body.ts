// Reading a request body with a size limit and a deadline (core's readLimited), decoding it by content type (core's
// media-type rule), and parsing JSON within core's bounds (scanJsonText).
import { BodyTooLargeError, MAX_JSON_DEPTH, MAX_JSON_NODES, readLimited, scanJsonText } from "@webpubsub/core";
import { HttpError } from "./http-error.ts";

/**
 * Reads the whole body, refusing (413) as soon as it is known to exceed `maxBytes`: from Content-Length before
 * reading anything, or while streaming when the length is absent or wrong. The whole body must arrive within
 * `timeoutMs` of the first read (a deadline, not an idle timeout, so a body trickling in byte by byte is cut too):
 * past it the read is cancelled and the request refused with 408 and `Connection: close`.
 */
export async function readBodyLimited(request: Request, maxBytes: number, timeoutMs: number): Promise<Uint8Array> {
  const deadline = new AbortController();
  const timer = setTimeout(
    () => deadline.abort(new HttpError(408, "Request Timeout", { connection: "close" })),
    timeoutMs,
  );
  try {
    return await readLimited(request.body, maxBytes, {
      declaredLength: request.headers.get("content-length"),
      signal: deadline.signal,
    });
  } catch (error) {
    if (!(error instanceof BodyTooLargeError)) throw error;
    // refused from Content-Length: nothing was read, so release the body here (a streamed one is already cancelled)
    if (error.declared) await cancelQuietly(request);
    throw new HttpError(413, "Payload Too Large");
  } finally {
    clearTimeout(timer);
  }
}

async function cancelQuietly(request: Request): Promise<void> {
  try {
    await request.body?.cancel();
  } catch {
    // the body may already be locked or errored; nothing else to release
  }
}

/** Decodes text with the charset the content type names (UTF-8 when absent or unknown to this runtime). */
export function decodeText(bytes: Uint8Array, contentType: string | null): string {
  const match = /;\s*charset\s*=\s*"?([^";\s]+)"?/i.exec(contentType ?? "");
  const label = match?.[1] ?? "utf-8";
  let decoder: TextDecoder;
  try {
    decoder = new TextDecoder(label);
  } catch {
    decoder = new TextDecoder("utf-8");
  }
  return decoder.decode(bytes);
}

/** Characters of a JSON body per object, array or member allowed past core's MAX_JSON_NODES (see parseJson). */
const CHARS_PER_NODE = 4;

/**
 * Parses JSON text; malformed JSON is the caller's fault (400), and so is JSON past core's bounds (nesting over 64
 * levels, an object over 10,000 members, over 1,048,576 array elements), checked by a linear scan first: JSON.parse
 * takes hundreds of milliseconds over such text. The count of objects, arrays and members grows with the body (at least MAX_JSON_NODES, else one per
 * CHARS_PER_NODE characters): an event is the app's own data, and a 400 KB array of 33,000 small objects is an
 * ordinary one (JSON.parse reads a MiB of `{"a":1}` items in ~15 ms), while the densest shapes (`[{},{},...]`, ~70 ms
 * a MiB) stay refused.
 */
export function parseJson(text: string): unknown {
  const maxNodes = Math.max(MAX_JSON_NODES, Math.floor(text.length / CHARS_PER_NODE));
  const problem = scanJsonText(text, MAX_JSON_DEPTH, [], maxNodes).problem;
  if (problem !== undefined) throw new HttpError(400, `JSON body ${problem}`);
  try {
    return JSON.parse(text);
  } catch {
    throw new HttpError(400, "Malformed JSON body");
  }
}
