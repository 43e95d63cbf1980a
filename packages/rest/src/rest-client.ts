// createWebPubSubRestClient: the generated REST-level client (generated/create-client.ts, kept internal) with Web
// PubSub authentication wired in (access-key JWTs per request, or Microsoft Entra tokens) and reverse proxies, and
// its default pipeline policies given their shortcuts (policy-shortcuts.ts).
import type { KeyCredential, TokenCredential } from "@azure/core-auth";
import { getDefaultProxySettings } from "@azure/core-rest-pipeline";
import {
  checkApiVersion,
  checkCredential,
  checkTlsOptions,
  checkTransport,
  DEFAULT_API_VERSION,
  isKeyCredential,
  normalizeEndpoint,
  proxyLinkToService,
} from "./endpoint.ts";
import type { WebPubSubRestClient } from "./generated/client-definitions.ts";
import createClient, { type WebPubSubRestClientOptions as GeneratedClientOptions } from "./generated/create-client.ts";
import { logger } from "./generated/logger.ts";
import { mapPageLinks } from "./generated/paging.ts";
import { insecureBearerTokenPolicy, insecureBearerTokenPolicyName } from "./insecure-bearer-token-policy.ts";
import { keyCredentialPolicy, keyCredentialPolicyName } from "./key-credential-policy.ts";
import { defaultHttpClient } from "./node-http-client.ts";
import { shortcutIdlePolicies } from "./policy-shortcuts.ts";
import { reverseProxyPolicy } from "./reverse-proxy-policy.ts";

/** The Microsoft Entra ID scope of the Web PubSub data plane. */
export const WEBPUBSUB_SCOPE = "https://webpubsub.azure.com/.default";

/**
 * Options of `createWebPubSubRestClient`: those of the generated factory (every `@azure-rest/core-client` option),
 * without the ones it sets itself (credentials, endpoint, pipeline), plus Web PubSub's own.
 */
export interface WebPubSubRestClientOptions
  extends Omit<GeneratedClientOptions, "credentials" | "endpoint" | "baseUrl" | "pipeline"> {
  /** API version sent with every request (default 2024-12-01). */
  apiVersion?: string;
  /**
   * Send requests to this endpoint (for example an API Management gateway) instead of the service. Only scheme, host,
   * port and an optional path prefix change; the token audience stays the service URL.
   */
  reverseProxyEndpoint?: string;
  /** Lifetime of the JWTs signed with an access key, in seconds (default 3600). */
  tokenLifetimeInSeconds?: number;
  /**
   * Allow requests over plain http. With an access key it defaults to true for http endpoints (each request carries
   * its own short-lived JWT bound to the request URL, and no reusable secret; this is how the local emulator is
   * reached). With a `TokenCredential` it defaults to true only when requests go to localhost, 127.0.0.1 or [::1]:
   * any other http endpoint or reverse proxy is refused at construction unless this is `true`, because the Microsoft
   * Entra bearer token would travel unencrypted and could be replayed.
   */
  allowInsecureConnection?: boolean;
}

/**
 * Creates the REST-level client for a Web PubSub endpoint.
 *
 * @param endpoint - The service endpoint, e.g. `https://contoso.webpubsub.azure.com` (or `http://localhost:8080`).
 * @param credential - An `AzureKeyCredential` with the access key (each request is signed with an HS256 JWT whose
 *   audience is the request URL), or a `TokenCredential` such as `DefaultAzureCredential` (Microsoft Entra ID).
 * @param options - API version, reverse proxy, retry, logging, extra policies and other pipeline options.
 */
export function createWebPubSubRestClient(
  endpoint: string,
  credential: KeyCredential | TokenCredential,
  options: WebPubSubRestClientOptions = {},
): WebPubSubRestClient {
  const serviceEndpoint = normalizeEndpoint(endpoint, "endpoint");
  checkCredential(credential);
  if (options === null || typeof options !== "object") throw new TypeError("options must be an object");
  const { reverseProxyEndpoint, tokenLifetimeInSeconds, apiVersion = DEFAULT_API_VERSION, ...rest } = options;
  const proxy =
    reverseProxyEndpoint === undefined
      ? undefined
      : normalizeEndpoint(reverseProxyEndpoint, "options.reverseProxyEndpoint");
  checkApiVersion(apiVersion);
  if (tokenLifetimeInSeconds !== undefined && !isKeyCredential(credential)) {
    throw new TypeError(
      "options.tokenLifetimeInSeconds applies to an access key; a TokenCredential's tokens have their own lifetime.",
    );
  }
  checkTlsOptions(rest.tlsOptions, rest.agent);
  const allowInsecureConnection = checkTransport(serviceEndpoint, proxy, credential, rest.allowInsecureConnection);
  // The log policy's logger is named here, so that its shortcut asks the same logger whether it is enabled.
  const log = rest.loggingOptions?.logger ?? logger.info;
  const clientOptions: GeneratedClientOptions = {
    ...rest,
    apiVersion,
    allowInsecureConnection,
    httpClient: rest.httpClient ?? defaultHttpClient(),
    loggingOptions: { ...rest.loggingOptions, logger: log },
  };

  let client: WebPubSubRestClient;
  let authPolicy: string;
  if (isKeyCredential(credential)) {
    const policy = keyCredentialPolicy(credential, { tokenLifetimeInSeconds }); // undefined: the default lifetime
    client = createClient(serviceEndpoint, undefined, clientOptions);
    client.pipeline.addPolicy(policy, { phase: "Sign" });
    authPolicy = keyCredentialPolicyName;
  } else {
    if (serviceEndpoint.startsWith("https:")) {
      client = createClient(serviceEndpoint, credential, {
        ...clientOptions,
        credentials: { scopes: [WEBPUBSUB_SCOPE] },
      });
      authPolicy = "bearerTokenAuthenticationPolicy";
    } else {
      client = createClient(serviceEndpoint, undefined, clientOptions);
      // Behind a reverse proxy every request goes to the proxy (checked by checkTransport), whatever its URL here.
      const anyHttpHost = rest.allowInsecureConnection === true || proxy !== undefined;
      client.pipeline.addPolicy(insecureBearerTokenPolicy(credential, [WEBPUBSUB_SCOPE], { anyHttpHost }), {
        phase: "Sign",
      });
      authPolicy = insecureBearerTokenPolicyName;
    }
  }
  if (proxy !== undefined) {
    client.pipeline.addPolicy(reverseProxyPolicy(proxy), { phase: "Sign", afterPolicies: [authPolicy] });
    // A service behind the proxy may write its nextLinks for the proxy's host: paging follows them as service URLs.
    mapPageLinks(client, (url) => proxyLinkToService(url, serviceEndpoint, proxy));
  }
  // The proxy policy reads the environment when it is made (just now), as this does.
  shortcutIdlePolicies(client.pipeline, {
    logger: log,
    proxy: rest.proxyOptions !== undefined || getDefaultProxySettings() !== undefined,
  });
  return client;
}
