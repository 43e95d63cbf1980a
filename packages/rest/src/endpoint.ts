// Endpoint, api-version and credential checks shared by this package and @webpubsub/service. Also the entry point
// `@webpubsub/rest/endpoint`: at run time it imports only core's small `shown` entry, so @webpubsub/service can check
// its arguments when a client is constructed without loading the HTTP pipeline (which it loads at the first request).
import type { KeyCredential, TokenCredential } from "@azure/core-auth";
import { shownValue } from "@webpubsub/core/shown";

/** The api-version this package is generated for and sends by default. */
export const DEFAULT_API_VERSION = "2024-12-01";
/** What an api-version looks like: `2024-12-01` or `2024-12-01-preview`. */
export const API_VERSION_PATTERN: RegExp = /^\d{4}-\d{2}-\d{2}(-preview)?$/;

/** A value for an error message, bounded by core's shownValue (a string quoted up to its first 64 characters). */
function describe(value: unknown): string {
  if (typeof value === "string") return shownValue(value);
  if (value === null) return "null";
  if (typeof value === "function") return "a function";
  return typeof value === "object" ? "an object" : `${typeof value} ${shownValue(value)}`;
}

/**
 * Checks that `value` is an absolute http(s) URL without query or fragment, and returns `scheme://host[:port][/path]`
 * without a trailing slash. The TypeError names the argument (`name`).
 */
export function normalizeEndpoint(value: unknown, name = "endpoint"): string {
  if (typeof value !== "string" || value.trim() === "") {
    throw new TypeError(`${name} must be a non-empty URL string, got ${describe(value)}.`);
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new TypeError(`${name} must be an absolute http(s) URL, got ${describe(value)}.`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new TypeError(`${name} must use http or https, got ${describe(value)}.`);
  }
  if (url.search || url.hash) throw new TypeError(`${name} must not have a query or fragment.`);
  return `${url.origin}${url.pathname}`.replace(/\/+$/, "");
}

/** Checks an api-version option (`2024-12-01`, `2024-12-01-preview`). */
export function checkApiVersion(value: unknown, name = "options.apiVersion"): asserts value is string {
  if (typeof value !== "string" || !API_VERSION_PATTERN.test(value)) {
    throw new TypeError(`${name} must look like "2024-12-01", got ${describe(value)}.`);
  }
}

/**
 * A URL at the reverse proxy `proxy` as the same URL at the service `endpoint` (the proxy's path prefix, if the URL
 * has it, taken off; query kept): a next-page link the service wrote for the proxy's host. Undefined for a URL on any
 * other origin than the proxy's.
 */
export function proxyLinkToService(url: URL, endpoint: string, proxy: string): string | undefined {
  const gateway = new URL(proxy);
  if (url.origin !== gateway.origin) return undefined;
  const prefix = gateway.pathname.replace(/\/+$/, "");
  const path = prefix && url.pathname.startsWith(`${prefix}/`) ? url.pathname.slice(prefix.length) : url.pathname;
  return `${new URL(endpoint).origin}${path}${url.search}`;
}

/** True for the hosts of this machine: localhost, 127.0.0.1 and [::1]. */
export function isLoopbackEndpoint(endpoint: string): boolean {
  const host = new URL(endpoint).hostname.toLowerCase();
  return host === "localhost" || host === "127.0.0.1" || host === "[::1]";
}

/** A KeyCredential (AzureKeyCredential or any object with a string `key`). */
export function isKeyCredential(value: unknown): value is KeyCredential {
  return typeof value === "object" && value !== null && typeof (value as KeyCredential).key === "string";
}

/**
 * A TokenCredential: an object with a `getToken` function (DefaultAzureCredential and every @azure/identity
 * credential). The same structural test as @azure/core-auth's `isTokenCredential`, written here because importing
 * @azure/core-auth loads its HTTP runtime (about 80 ms of CPU on a cold start; docs/decisions/0002).
 */
export function isTokenCredential(value: unknown): value is TokenCredential {
  const candidate = value as { getToken?: unknown; signRequest?: unknown } | null | undefined;
  if (typeof candidate !== "object" || candidate === null || typeof candidate.getToken !== "function") return false;
  return candidate.signRequest === undefined || candidate.getToken.length > 0;
}

/** Checks the credential: a KeyCredential with a non-empty key, or a TokenCredential. */
export function checkCredential(
  credential: unknown,
  name = "credential",
): asserts credential is KeyCredential | TokenCredential {
  if (isKeyCredential(credential)) {
    if (credential.key.length === 0) throw new TypeError(`${name}.key must be a non-empty access key.`);
    return;
  }
  if (!isTokenCredential(credential)) {
    throw new TypeError(
      `${name} must be an AzureKeyCredential (new AzureKeyCredential(accessKey)) or a TokenCredential such as DefaultAzureCredential.`,
    );
  }
}

/**
 * TLS options (`tlsOptions`: a private CA, a client certificate) are settings of the agents the HTTP client creates.
 * An `agent` of the caller's makes every connection itself, so the pipeline would drop them without a word: a
 * certificate never presented, a CA never trusted. That pair is refused (a TypeError) when the client is constructed.
 * Null or undefined stands for absent, as in the HTTP stack.
 */
export function checkTlsOptions(tlsOptions: unknown, agent: unknown): void {
  if (tlsOptions === undefined || tlsOptions === null || agent === undefined || agent === null) return;
  throw new TypeError(
    "options.tlsOptions is not applied to the connections of options.agent: give the agent the TLS settings instead (new https.Agent({ ca, cert, key })), or pass only tlsOptions.",
  );
}

/**
 * Whether requests may go over plain http, and the check behind it: a Microsoft Entra token is a reusable bearer
 * secret, so over plain http it only goes to this machine unless the caller opts in with `allowInsecureConnection`
 * (a TypeError naming the endpoint otherwise). Access-key JWTs are per request URL and short-lived, so http stays
 * allowed for them. Requests go to the reverse proxy `proxy` when there is one, else to `endpoint`.
 */
export function checkTransport(
  endpoint: string,
  proxy: string | undefined,
  credential: KeyCredential | TokenCredential,
  allowInsecureConnection: boolean | undefined,
): boolean {
  // Only a boolean opts in or out: a truthy string ("false") must not send a bearer token over plain http.
  const given: unknown = allowInsecureConnection;
  if (given !== undefined && given !== null && typeof given !== "boolean") {
    throw new TypeError("options.allowInsecureConnection must be a boolean when given.");
  }
  const target = proxy ?? endpoint;
  if (isKeyCredential(credential) || !target.startsWith("http:")) {
    return allowInsecureConnection ?? (endpoint.startsWith("http:") || target.startsWith("http:"));
  }
  const allowed = allowInsecureConnection ?? isLoopbackEndpoint(target);
  if (!allowed) {
    const which = proxy === undefined ? "endpoint" : "options.reverseProxyEndpoint";
    throw new TypeError(
      `${which} ${target} uses plain http, which would send the Microsoft Entra bearer token unencrypted: use https, or pass options.allowInsecureConnection: true to allow it (only localhost, 127.0.0.1 and [::1] are allowed without it).`,
    );
  }
  return allowed;
}
