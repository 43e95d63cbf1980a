// Endpoint, api-version and credential checks shared by this package and @webpubsub/service.
import { isTokenCredential, type KeyCredential, type TokenCredential } from "@azure/core-auth";

/** The api-version this package is generated for and sends by default. */
export const DEFAULT_API_VERSION = "2024-12-01";
/** What an api-version looks like: `2024-12-01` or `2024-12-01-preview`. */
export const API_VERSION_PATTERN: RegExp = /^\d{4}-\d{2}-\d{2}(-preview)?$/;

function describe(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}...` : value);
  if (value === null) return "null";
  return typeof value === "object" ? "an object" : `${typeof value} ${String(value)}`;
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

/** True for the hosts of this machine: localhost, 127.0.0.1 and [::1]. */
export function isLoopbackEndpoint(endpoint: string): boolean {
  const host = new URL(endpoint).hostname.toLowerCase();
  return host === "localhost" || host === "127.0.0.1" || host === "[::1]";
}

/** A KeyCredential (AzureKeyCredential or any object with a string `key`). */
export function isKeyCredential(value: unknown): value is KeyCredential {
  return typeof value === "object" && value !== null && typeof (value as KeyCredential).key === "string";
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
