// The HTTP stack of one client, loaded at its first request (http-stack-loader.ts) rather than when the package is
// imported: the REST-level client of @webpubsub/rest (one HTTP stack: its pipeline) and the @azure/logger logger. Importing @azure/core-rest-pipeline and its runtime is most of a cold start, which a
// serverless function that only signs client tokens never needs (docs/decisions/0003-lazy-http-stack.md).
import type { KeyCredential, TokenCredential } from "@azure/core-auth";
import { type AzureLogger, createClientLogger } from "@azure/logger";
import { createWebPubSubRestClient, type WebPubSubRestClient } from "@webpubsub/rest";
import type { WebPubSubServiceClientOptions } from "./options.ts";
import { SDK_VERSION } from "./tracing.ts";

export { responseError, toRestError } from "@webpubsub/rest";

/** Log namespace `webpubsub-service`: enable with AZURE_LOG_LEVEL=info or `setLogLevel("info")` from @azure/logger. */
export const logger: AzureLogger = createClientLogger("webpubsub-service");

/**
 * Pipeline policies that do nothing for this package's requests, removed so that no request pays for them: the retry
 * policy (retries are this package's, per operation: retry-policy.ts; the pipeline's runs with 0 retries) and the
 * form-data and multipart policies (no operation of the API sends a form or a multipart body).
 */
export const IDLE_POLICIES: readonly string[] = ["defaultRetryPolicy", "formDataPolicy", "multipartPolicy"];

/**
 * The REST-level client every call goes through. Its own retry policy is removed: this package decides per
 * operation whether a failed request may be sent again (see retry-policy.ts).
 */
export function createRestClient(
  endpoint: string,
  credential: KeyCredential | TokenCredential,
  options: WebPubSubServiceClientOptions & { apiVersion: string },
): WebPubSubRestClient {
  const prefix = options.userAgentOptions?.userAgentPrefix;
  const client = createWebPubSubRestClient(endpoint, credential, {
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
  for (const name of IDLE_POLICIES) client.pipeline.removePolicy({ name });
  return client;
}
