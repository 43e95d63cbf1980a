// createWebPubSubRestClient: the generated REST-level client with Web PubSub authentication wired in.
import { isTokenCredential, type KeyCredential, type TokenCredential } from "@azure/core-auth";
import { insecureBearerTokenPolicy, insecureBearerTokenPolicyName } from "./entraTokenPolicy.ts";
import createClient, { type WebPubSubServiceClient, type WebPubSubServiceClientOptions } from "./generated/index.ts";
import { keyCredentialPolicy, keyCredentialPolicyName } from "./keyCredentialPolicy.ts";
import { reverseProxyPolicy } from "./reverseProxyPolicy.ts";

/** The api-version this package is generated for and sends by default. */
export const DEFAULT_API_VERSION = "2024-12-01";
/** The Microsoft Entra ID scope of the Web PubSub data plane. */
export const WEBPUBSUB_SCOPE = "https://webpubsub.azure.com/.default";

export type WebPubSubRestClient = WebPubSubServiceClient;

export interface WebPubSubRestClientOptions
  extends Omit<WebPubSubServiceClientOptions, "credentials" | "endpoint" | "baseUrl" | "pipeline"> {
  /** API version sent with every request (default 2024-12-01). */
  apiVersion?: string;
  /**
   * Send requests to this endpoint (for example an API Management gateway) instead of the service. Only scheme, host,
   * port and an optional path prefix change; the token audience stays the service URL.
   */
  reverseProxyEndpoint?: string;
  /** Lifetime of the JWTs signed with an access key, in seconds (default 3600). */
  tokenLifetimeInSeconds?: number;
}

function checkEndpoint(value: unknown, name: string): string {
  if (typeof value !== "string" || value.trim() === "") throw new TypeError(`${name} must be a non-empty URL string`);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new TypeError(`${name} must be an absolute http(s) URL, got ${JSON.stringify(value)}`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new TypeError(`${name} must use http or https, got ${JSON.stringify(value)}`);
  }
  if (url.search || url.hash) throw new TypeError(`${name} must not have a query or fragment`);
  return value.replace(/\/+$/, "");
}

function isKeyCredential(c: unknown): c is KeyCredential {
  return typeof c === "object" && c !== null && typeof (c as KeyCredential).key === "string";
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
  const serviceEndpoint = checkEndpoint(endpoint, "endpoint");
  if (options === null || typeof options !== "object") throw new TypeError("options must be an object");
  const { reverseProxyEndpoint, tokenLifetimeInSeconds, apiVersion = DEFAULT_API_VERSION, ...rest } = options;
  const proxy =
    reverseProxyEndpoint === undefined
      ? undefined
      : checkEndpoint(reverseProxyEndpoint, "options.reverseProxyEndpoint");
  if (typeof apiVersion !== "string" || !/^\d{4}-\d{2}-\d{2}(-preview)?$/.test(apiVersion)) {
    throw new TypeError(`options.apiVersion must look like 2024-12-01, got ${JSON.stringify(apiVersion)}`);
  }
  const insecure = serviceEndpoint.startsWith("http:") || (proxy?.startsWith("http:") ?? false);
  const clientOptions: WebPubSubServiceClientOptions = {
    ...rest,
    apiVersion,
    allowInsecureConnection: rest.allowInsecureConnection ?? insecure,
  };

  let client: WebPubSubRestClient;
  let authPolicy: string;
  if (isKeyCredential(credential)) {
    const policy = keyCredentialPolicy(
      credential,
      tokenLifetimeInSeconds === undefined ? {} : { tokenLifetimeInSeconds },
    );
    client = createClient(serviceEndpoint, undefined, clientOptions);
    client.pipeline.addPolicy(policy, { phase: "Sign" });
    authPolicy = keyCredentialPolicyName;
  } else if (isTokenCredential(credential)) {
    if (serviceEndpoint.startsWith("https:")) {
      client = createClient(serviceEndpoint, credential, {
        ...clientOptions,
        credentials: { scopes: [WEBPUBSUB_SCOPE] },
      });
      authPolicy = "bearerTokenAuthenticationPolicy";
    } else {
      client = createClient(serviceEndpoint, undefined, clientOptions);
      client.pipeline.addPolicy(insecureBearerTokenPolicy(credential, [WEBPUBSUB_SCOPE]), { phase: "Sign" });
      authPolicy = insecureBearerTokenPolicyName;
    }
  } else {
    throw new TypeError("credential must be an AzureKeyCredential (with a string key) or a TokenCredential");
  }
  if (proxy !== undefined)
    client.pipeline.addPolicy(reverseProxyPolicy(proxy), { phase: "Sign", afterPolicies: [authPolicy] });
  return client;
}
