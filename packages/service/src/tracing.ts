import { createTracingClient } from "@azure/core-tracing";

export const SDK_VERSION = "0.0.0";

/**
 * Spans are named `WebPubSubServiceClient.<method>` / `WebPubSubGroupClient.<method>` in the `Microsoft.WebPubSub`
 * namespace (the official package's names), one per public method call; HTTP spans from the REST pipeline nest
 * under it. Spans are no-ops until an instrumenter is registered (e.g. @azure/opentelemetry-instrumentation-azure-sdk).
 */
export const tracingClient = createTracingClient({
  namespace: "Microsoft.WebPubSub",
  packageName: "@webpubsub/service",
  packageVersion: SDK_VERSION,
});
