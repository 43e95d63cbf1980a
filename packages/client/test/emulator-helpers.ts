// Helpers for integration tests: mint client URLs and call the emulator's REST API with tokens signed by core.
import { clientAudience, clientBaseUrl, signJwt } from "@webpubsub/core";

export const API_VERSION = "2024-12-01";

export interface ClientUrlOptions {
  userId?: string;
  roles?: string[];
  groups?: string[];
  expiresInSeconds?: number;
}

/** A client access URL for `hub` at `endpoint` (http://host:port), signed with `accessKey`. */
export async function clientUrl(
  endpoint: string,
  accessKey: string,
  hub: string,
  options: ClientUrlOptions = {},
): Promise<string> {
  const payload: Record<string, unknown> = { aud: clientAudience(endpoint, hub) };
  if (options.userId) payload.sub = options.userId;
  if (options.roles) payload.role = options.roles;
  if (options.groups) payload["webpubsub.group"] = options.groups;
  const token = await signJwt(payload, accessKey, { expiresInSeconds: options.expiresInSeconds ?? 3600 });
  return `${clientBaseUrl(endpoint, hub)}?access_token=${encodeURIComponent(token)}`;
}

/** Calls the emulator REST API (`path` under /api/hubs/{hub}) and returns the response. */
export async function rest(
  endpoint: string,
  accessKey: string,
  method: string,
  path: string,
  body?: { contentType: string; data: string | Uint8Array },
): Promise<Response> {
  const url = `${endpoint}/api/hubs/${path}${path.includes("?") ? "&" : "?"}api-version=${API_VERSION}`;
  const token = await signJwt({ aud: url }, accessKey, { expiresInSeconds: 300 });
  const response = await fetch(url, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body ? { "content-type": body.contentType } : {}),
    },
    ...(body ? { body: body.data as BodyInit } : {}),
  });
  if (response.status >= 300) throw new Error(`${method} ${path} -> ${response.status} ${await response.text()}`);
  return response;
}

/** Waits until `predicate` is true, polling every few ms (for counters fed by events), or throws after `timeoutMs`. */
export async function until(predicate: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
