// Where the client's access URLs come from: a fixed URL, or a function the client calls on every new connection
// (start and every reconnect, never a recovery), so that tokens stay fresh. Checked when the client is constructed.
import type { WebPubSubClientCredential } from "./types.ts";
import { checkUrl } from "./validation.ts";

/** Gets the URL of a new connection; `signal` aborts when the attempt is abandoned (stop(), start's abortSignal). */
export type AccessUrlSource = (signal: AbortSignal) => Promise<string>;

export function accessUrlSource(credential: string | WebPubSubClientCredential): AccessUrlSource {
  if (typeof credential === "string") {
    checkUrl(credential, "clientAccessUrl");
    return () => Promise.resolve(credential);
  }
  if (!credential || typeof credential !== "object" || !("getClientAccessUrl" in credential)) {
    throw new TypeError("credential must be a client access URL string or { getClientAccessUrl }");
  }
  const source = credential.getClientAccessUrl;
  if (typeof source === "string") {
    checkUrl(source, "credential.getClientAccessUrl");
    return () => Promise.resolve(source);
  }
  if (typeof source !== "function") {
    throw new TypeError("credential.getClientAccessUrl must be a string or a function returning Promise<string>");
  }
  return async (signal) => {
    const url = await source({ abortSignal: signal });
    checkUrl(url, "the URL returned by getClientAccessUrl");
    return url;
  };
}
