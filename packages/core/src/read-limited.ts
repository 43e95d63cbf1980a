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
  // The read in flight, rejected at once when the signal aborts. One deferred per read, not a race against one
  // long-lived promise: each race left a reaction on that promise until the read ended, ~600 bytes per chunk (a MiB
  // in 1-byte chunks held ~650 MB).
  let rejectRead: ((reason: unknown) => void) | undefined;
  const onAbort = () => rejectRead?.(signal!.reason);
  signal?.addEventListener("abort", onAbort, { once: true });
  const body = new Collected();
  try {
    for (;;) {
      const next =
        signal === undefined
          ? await chunks.next()
          : await new Promise<IteratorResult<Uint8Array>>((resolve, reject) => {
              if (signal.aborted) {
                reject(signal.reason);
                return;
              }
              rejectRead = reject;
              chunks.next().then(resolve, reject);
            });
      if (next.done === true) break;
      if (body.total + next.value.byteLength > maxBytes) throw new BodyTooLargeError(maxBytes);
      body.add(next.value);
    }
  } catch (error) {
    release(chunks);
    throw error;
  } finally {
    rejectRead = undefined;
    signal?.removeEventListener("abort", onAbort);
  }
  return body.bytes();
}

/** Below this size, chunks are copied into a shared block rather than kept one by one. */
const SMALL_CHUNK = 4096;
const BLOCK = 64 * 1024;

/**
 * The chunks read so far. Small chunks are copied into blocks of 64 KiB, so what is held grows with the bytes, not
 * with the number of chunks (a MiB in 1-byte chunks is 16 blocks, not a million arrays of ~100 bytes of overhead each).
 */
class Collected {
  total = 0;
  readonly #parts: Uint8Array[] = [];
  #block: Uint8Array | undefined;
  #used = 0;

  add(chunk: Uint8Array): void {
    const first = this.total === 0 && this.#parts.length === 0;
    this.total += chunk.byteLength;
    // the first chunk is kept as it is: a body of one chunk is returned without a copy
    if (first || chunk.byteLength >= SMALL_CHUNK) {
      this.#seal();
      this.#parts.push(chunk);
      return;
    }
    if (this.#block === undefined || this.#used + chunk.byteLength > BLOCK) {
      this.#seal();
      this.#block = new Uint8Array(BLOCK);
    }
    this.#block.set(chunk, this.#used);
    this.#used += chunk.byteLength;
  }

  /** Every byte in order: the chunk itself when there was only one large chunk. */
  bytes(): Uint8Array {
    this.#seal();
    const parts = this.#parts;
    if (parts.length === 1) return parts[0]!;
    const out = new Uint8Array(this.total);
    let offset = 0;
    for (const part of parts) {
      out.set(part, offset);
      offset += part.byteLength;
    }
    return out;
  }

  #seal(): void {
    if (this.#block !== undefined && this.#used > 0) this.#parts.push(this.#block.subarray(0, this.#used));
    this.#block = undefined;
    this.#used = 0;
  }
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
