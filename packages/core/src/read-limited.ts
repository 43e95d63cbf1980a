// Reading a whole body with a size limit: request bodies (REST, event handler requests) and the answers of event
// handlers, from a web ReadableStream or any async iterable of byte chunks (a Node request). Portable: no Node APIs.

import { shownValue } from "./shown.ts";

/** A body is larger than the limit. `declared`: known from the declared length, before anything was read. */
export class BodyTooLargeError extends RangeError {
  override name = "BodyTooLargeError";
  readonly limit: number;
  readonly declared: boolean;
  constructor(limit: number, declaredLength?: number) {
    super(
      declaredLength === undefined
        ? `body exceeds the ${limit}-byte limit`
        : `body of ${declaredLength} bytes exceeds the ${limit}-byte limit`,
    );
    this.limit = limit;
    this.declared = declaredLength !== undefined;
  }
}

export interface ReadLimitedOptions {
  /**
   * The length the sender declared (a Content-Length header): above the limit, the read is refused before anything
   * is read and the source is left untouched (drain or cancel it yourself). Anything but decimal digits is ignored.
   */
  declaredLength?: string | number | null | undefined;
  /** Aborting stops the read at once: the source is released and the signal's reason is thrown. */
  signal?: AbortSignal | undefined;
}

/**
 * Reads every chunk of `source` into one Uint8Array (the chunk itself when there is only one). Throws
 * BodyTooLargeError as soon as the bytes read exceed `maxBytes`, after releasing the source: an async iterable's
 * `return()` is called, a ReadableStream is cancelled, neither is waited for (a stalled source may never settle).
 * `null` is an empty body.
 */
export async function readLimited(
  source: AsyncIterable<Uint8Array> | ReadableStream<Uint8Array> | null,
  maxBytes: number,
  options: ReadLimitedOptions = {},
): Promise<Uint8Array> {
  if (!Number.isSafeInteger(maxBytes) || maxBytes < 0) {
    throw new RangeError(`maxBytes must be an integer >= 0, got ${shownValue(maxBytes)}`);
  }
  const declared = declaredLength(options.declaredLength);
  if (declared !== undefined && declared > maxBytes) throw new BodyTooLargeError(maxBytes, declared);
  const signal = options.signal;
  signal?.throwIfAborted();
  if (source === null) return new Uint8Array(0);
  const chunks = iteratorOf(source);
  let onAbort: (() => void) | undefined;
  const aborted =
    signal === undefined
      ? undefined
      : new Promise<never>((_, reject) => {
          onAbort = () => reject(signal.reason);
          signal.addEventListener("abort", onAbort, { once: true });
        });
  // the listener is removed once the read ends, but never leave a rejection unhandled
  aborted?.catch(() => undefined);
  const parts: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const next = aborted === undefined ? await chunks.next() : await Promise.race([chunks.next(), aborted]);
      if (next.done === true) break;
      total += next.value.byteLength;
      if (total > maxBytes) throw new BodyTooLargeError(maxBytes);
      parts.push(next.value);
    }
  } catch (error) {
    release(chunks);
    throw error;
  } finally {
    if (onAbort !== undefined) signal?.removeEventListener("abort", onAbort);
  }
  return concat(parts, total);
}

function declaredLength(value: string | number | null | undefined): number | undefined {
  if (typeof value === "number") return Number.isFinite(value) && value >= 0 ? value : undefined;
  if (typeof value !== "string") return undefined;
  const text = value.trim();
  return /^\d+$/.test(text) ? Number(text) : undefined;
}

/** A ReadableStream's chunks through its reader (return() cancels without waiting), or an iterable's iterator. */
function iteratorOf(source: AsyncIterable<Uint8Array> | ReadableStream<Uint8Array>): AsyncIterator<Uint8Array> {
  if (typeof (source as ReadableStream<Uint8Array>).getReader === "function") {
    const reader = (source as ReadableStream<Uint8Array>).getReader();
    return {
      next: () => reader.read() as Promise<IteratorResult<Uint8Array>>,
      return: () => {
        reader.cancel().catch(() => undefined);
        return Promise.resolve({ done: true, value: undefined });
      },
    };
  }
  return (source as AsyncIterable<Uint8Array>)[Symbol.asyncIterator]();
}

function release(chunks: AsyncIterator<Uint8Array>): void {
  try {
    chunks.return?.()?.catch(() => undefined);
  } catch {
    // a source that fails to release has nothing more to give
  }
}

function concat(parts: Uint8Array[], total: number): Uint8Array {
  if (parts.length === 1) return parts[0]!;
  const out = new Uint8Array(total);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.byteLength;
  }
  return out;
}
