// The REST-level client of @webpubsub/rest that every request of this package goes through (one HTTP stack: its
// pipeline), created from the service client's options, with its generated route types kept.
import type { KeyCredential, TokenCredential } from "@azure/core-auth";
import { createWebPubSubRestClient, type WebPubSubRestClient } from "@webpubsub/rest";
import type { WebPubSubServiceClientOptions } from "./options.ts";
import { SDK_VERSION } from "./tracing.ts";

/**
 * The REST-level client every call goes through. Its own retry policy is switched off: this package decides per
 * operation whether a failed request may be sent again (see retry-policy.ts).
 */
export function createRestClient(
  endpoint: string,
  credential: KeyCredential | TokenCredential,
  options: WebPubSubServiceClientOptions & { apiVersion: string },
): WebPubSubRestClient {
  const prefix = options.userAgentOptions?.userAgentPrefix;
  return createWebPubSubRestClient(endpoint, credential, {
    apiVersion: options.apiVersion,
    reverseProxyEndpoint: options.reverseProxyEndpoint,
    retryOptions: { maxRetries: 0 },
    additionalPolicies: options.additionalPolicies,
    httpClient: options.httpClient,
    loggingOptions: options.loggingOptions,
    proxyOptions: options.proxyOptions,
    agent: options.agent,
    tlsOptions: options.tlsOptions,
    redirectOptions: options.redirectOptions,
    telemetryOptions: options.telemetryOptions,
    allowInsecureConnection: options.allowInsecureConnection,
    userAgentOptions: { userAgentPrefix: `${prefix ? `${prefix} ` : ""}webpubsub-service/${SDK_VERSION}` },
  });
}
