// Reading a request body with a size limit, and decoding it by content type.
import { HttpError } from "./http-error.ts";

/**
 * Reads the whole body, refusing (413) as soon as it is known to exceed `maxBytes`: from Content-Length before
 * reading anything, or while streaming when the length is absent or wrong. The whole body must arrive within
 * `timeoutMs` of the first read (a deadline, not an idle timeout, so a body trickling in byte by byte is cut too):
 * past it the read is cancelled and the request refused with 408 and `Connection: close`.
 */
export async function readBodyLimited(request: Request, maxBytes: number, timeoutMs: number): Promise<Uint8Array> {
  const declared = request.headers.get("content-length");
  if (declared !== null && /^\d+$/.test(declared.trim()) && Number(declared) > maxBytes) {
    await cancelQuietly(request);
    throw new HttpError(413, "Payload Too Large");
  }
  if (request.body === null) return new Uint8Array(0);
  const reader = request.body.getReader();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new HttpError(408, "Request Timeout", { connection: "close" })), timeoutMs);
  });
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await Promise.race([reader.read(), expired]);
      if (done) break;
      total += value.byteLength;
      if (total > maxBytes) throw new HttpError(413, "Payload Too Large");
      chunks.push(value);
    }
  } catch (error) {
    // release the stream without waiting on it: a stalled source may never settle a cancel
    reader.cancel().catch(() => undefined);
    throw error;
  } finally {
    clearTimeout(timer);
  }
  if (chunks.length === 1) return chunks[0]!;
  const out = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}

async function cancelQuietly(request: Request): Promise<void> {
  try {
    await request.body?.cancel();
  } catch {
    // the body may already be locked or errored; nothing else to release
  }
}

/** The media type without parameters, lower-cased (`text/plain; charset=UTF-8;` -> `text/plain`). */
export function mediaType(contentType: string | null): string {
  return (contentType ?? "").split(";")[0]!.trim().toLowerCase();
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

/** Parses JSON text; malformed JSON is the caller's fault (400). */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new HttpError(400, "Malformed JSON body");
  }
}

export function isJsonMediaType(type: string): boolean {
  return type === "application/json" || type.endsWith("+json");
}
