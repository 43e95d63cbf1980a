// Tracing: the span of each public method call and of a lazy listing (which covers one iteration rather than one
// call). The @azure/core-tracing client itself is part of the HTTP stack, loaded at the first request
// (http-stack.ts).
import type { OperationTracingOptions } from "@azure/core-tracing";
import { loadHttpStack } from "./http-stack-loader.ts";

export const SDK_VERSION = "0.0.0";

/** Runs `fn` in the span `name` (spanKind client); `fn` gets options carrying the span's tracing context. */
export async function withSpan<O extends { tracingOptions?: OperationTracingOptions }, T>(
  name: string,
  options: O,
  fn: (updated: O) => Promise<T>,
): Promise<T> {
  const { tracingClient } = await loadHttpStack();
  return tracingClient.withSpan(name, options, fn, { spanKind: "client" });
}

/**
 * Runs one iteration of a lazy listing inside one span: the span starts with the first page request and ends when the
 * iteration finishes, fails (status "error") or is stopped early. `iterate` gets options carrying the span's context,
 * so the HTTP spans of every page nest under it.
 */
export async function* tracedIteration<T, O extends { tracingOptions?: OperationTracingOptions }>(
  enabled: boolean,
  name: string,
  options: O,
  iterate: (updated: O) => AsyncIterator<T> & AsyncIterable<T>,
): AsyncIterableIterator<T> {
  if (!enabled) {
    yield* iterate(options);
    return;
  }
  const { tracingClient } = await loadHttpStack();
  const { span, updatedOptions } = tracingClient.startSpan(name, options, { spanKind: "client" });
  try {
    yield* iterate(updatedOptions as O);
    span.setStatus({ status: "success" });
  } catch (error) {
    span.setStatus({ status: "error", error: error as Error });
    throw error;
  } finally {
    span.end();
  }
}
