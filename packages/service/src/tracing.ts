// Tracing: the span of each public method call and of a lazy listing (which covers one iteration rather than one
// call). @azure/core-tracing is imported at the first span, on its own: a method that sends nothing (a client token
// signed with the key) is traced without loading the HTTP stack.
import type { OperationTracingOptions, TracingClient } from "@azure/core-tracing";

export const SDK_VERSION = "0.0.0";

let tracing: Promise<TracingClient> | undefined;
/** The tracing client once imported: spans after the first start without waiting a turn for it. */
let loaded: TracingClient | undefined;

/**
 * Spans are named `WebPubSubServiceClient.<method>` / `WebPubSubGroupClient.<method>` in the `Microsoft.WebPubSub`
 * namespace (the official package's names), one per public method call; HTTP spans from the REST pipeline nest
 * under it. Spans are no-ops until an instrumenter is registered (e.g. @azure/opentelemetry-instrumentation-azure-sdk).
 */
function tracingClient(): Promise<TracingClient> {
  tracing ??= import("@azure/core-tracing").then(({ createTracingClient }) => {
    loaded = createTracingClient({
      namespace: "Microsoft.WebPubSub",
      packageName: "@webpubsub/service",
      packageVersion: SDK_VERSION,
    });
    return loaded;
  });
  return tracing;
}

/** Runs `fn` in the span `name` (spanKind client); `fn` gets options carrying the span's tracing context. */
export function withSpan<O extends { tracingOptions?: OperationTracingOptions }, T>(
  name: string,
  options: O,
  fn: (updated: O) => Promise<T>,
): Promise<T> {
  if (loaded) return loaded.withSpan(name, options, fn, { spanKind: "client" });
  return tracingClient().then((client) => client.withSpan(name, options, fn, { spanKind: "client" }));
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
  const { span, updatedOptions } = (await tracingClient()).startSpan(name, options, { spanKind: "client" });
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
