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
  if (loaded) return inSpan(loaded, name, options, fn);
  return tracingClient().then((client) => inSpan(client, name, options, fn));
}

/**
 * What the tracing client's own withSpan does (the span's status is success or error, with the error, and it ends
 * once `fn` has settled), with `fn`'s promise itself rather than an async function around it: one promise less per call.
 */
function inSpan<O extends { tracingOptions?: OperationTracingOptions }, T>(
  client: TracingClient,
  name: string,
  options: O,
  fn: (updated: O) => Promise<T>,
): Promise<T> {
  const { span, updatedOptions } = client.startSpan(name, options, { spanKind: "client" });
  const failed = (error: unknown): never => {
    span.setStatus({ status: "error", error: error as Error });
    span.end();
    throw error;
  };
  let result: Promise<T>;
  try {
    result = client.withContext(updatedOptions.tracingOptions!.tracingContext!, fn, updatedOptions as O);
  } catch (error) {
    return Promise.reject(error).catch(failed);
  }
  return Promise.resolve(result).then((value) => {
    span.setStatus({ status: "success" });
    span.end();
    return value;
  }, failed);
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
