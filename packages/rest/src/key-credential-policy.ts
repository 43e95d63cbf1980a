// Access-key authentication: every request carries `Authorization: Bearer <jwt>`, an HS256 JWT signed with the access
// key whose `aud` is the full request URL, query included (protocol.md 1.2). Tokens are cached per URL and key.
import type { KeyCredential } from "@azure/core-auth";
import type { PipelinePolicy } from "@azure/core-rest-pipeline";
import { signJwt } from "@webpubsub/core";
import { shownValue } from "@webpubsub/core/shown";
import { isKeyCredential } from "./endpoint.ts";

export const keyCredentialPolicyName = "webPubSubKeyCredentialPolicy";

export interface KeyCredentialPolicyOptions {
  /** Lifetime of each token in seconds (default 3600). A cached token is reused for the first half of it. */
  tokenLifetimeInSeconds?: number;
  /** Most distinct request URLs whose tokens are kept (default 128; 0 disables caching). */
  cacheSize?: number;
  /** Clock in milliseconds since the epoch, for tests. */
  now?: () => number;
}

interface CachedToken {
  /** The Authorization header value: `Bearer <jwt>`. */
  authorization: string;
  key: string;
  refreshAt: number;
}

/** A pipeline policy (Sign phase) that signs each request with a JWT made from the credential's current key. */
export function keyCredentialPolicy(
  credential: KeyCredential,
  options: KeyCredentialPolicyOptions = {},
): PipelinePolicy {
  if (!isKeyCredential(credential)) {
    throw new TypeError("credential must be a KeyCredential (an AzureKeyCredential or an object with a string key).");
  }
  const lifetime = options.tokenLifetimeInSeconds ?? 3600;
  if (!Number.isInteger(lifetime) || lifetime < 1) {
    throw new RangeError(`tokenLifetimeInSeconds must be a positive integer, got ${shownValue(lifetime)}`);
  }
  const cacheSize = options.cacheSize ?? 128;
  if (!Number.isInteger(cacheSize) || cacheSize < 0) {
    throw new RangeError(`cacheSize must be a non-negative integer, got ${shownValue(cacheSize)}`);
  }
  const now = options.now ?? Date.now;
  const cache = new Map<string, CachedToken>();

  let newest: string | undefined; // the URL last used, already at the end of the LRU order

  /** The Authorization header value for `url`: from the cache at once, or a promise of a newly signed token's. */
  function authorizationFor(url: string): string | Promise<string> {
    const key = credential.key;
    if (typeof key !== "string" || key.length === 0) throw new TypeError("credential.key must be a non-empty string");
    const nowSeconds = Math.floor(now() / 1000);
    const hit = cache.get(url);
    if (hit && hit.key === key && nowSeconds < hit.refreshAt) {
      if (url !== newest) {
        cache.delete(url); // refresh its place in the LRU order
        cache.set(url, hit);
        newest = url;
      }
      return hit.authorization;
    }
    return signJwt({ aud: url }, key, { expiresInSeconds: lifetime, now: nowSeconds }).then((token) => {
      const authorization = `Bearer ${token}`;
      cache.delete(url); // a token signed again goes to the end of the LRU order too
      cache.set(url, { authorization, key, refreshAt: nowSeconds + Math.floor(lifetime / 2) });
      newest = url;
      while (cache.size > cacheSize) cache.delete(cache.keys().next().value as string); // at cache size 0, at once
      return authorization;
    });
  }

  return {
    name: keyCredentialPolicyName,
    // Not async: a cached token is set and the request passed on in the same turn.
    sendRequest(request, next) {
      let authorization: string | Promise<string>;
      try {
        authorization = authorizationFor(request.url);
      } catch (error) {
        return Promise.reject(error);
      }
      if (typeof authorization === "string") {
        request.headers.set("Authorization", authorization);
        return next(request);
      }
      return authorization.then((value) => {
        request.headers.set("Authorization", value);
        return next(request);
      });
    },
  };
}
