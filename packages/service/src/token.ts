// Client access tokens signed locally with the access key (no network). Claims, as the service and the official SDKs
// use them: aud = http(s) endpoint + /client/hubs/{hub} (or /clients/mqtt|socketio/hubs/{hub}), iat, exp, plus sub
// (userId), role and webpubsub.group only when given and non-empty. HS256, key = the access key as UTF-8.
//
// Signing is @webpubsub/core's signJwt, which is synchronous inside and uses the runtime's native HMAC where one is
// available (Node, Bun, Deno), so minting a token costs a few microseconds.
import { type ClientProtocol, clientAudience, clientBaseUrl, type JwtPayload, signJwt } from "@webpubsub/core";
import type { ClientTokenResponse, GetClientAccessTokenOptions } from "./options.ts";

/** Signs a JWT for these claims, adding iat and exp. */
export function signToken(
  payload: JwtPayload,
  key: string,
  expiresInSeconds: number,
  now = Math.floor(Date.now() / 1000),
): Promise<string> {
  return signJwt(payload, key, { expiresInSeconds, now });
}

const urlCache = new Map<string, { aud: string; baseUrl: string }>();

/** The audience and ws(s) base URL of a hub, computed once per endpoint, hub and protocol. */
function hubUrls(endpoint: string, hub: string, protocol: ClientProtocol): { aud: string; baseUrl: string } {
  const cacheKey = `${protocol} ${endpoint} ${hub}`;
  let urls = urlCache.get(cacheKey);
  if (urls === undefined) {
    urls = { aud: clientAudience(endpoint, hub, protocol), baseUrl: clientBaseUrl(endpoint, hub, protocol) };
    if (urlCache.size >= 256) urlCache.clear();
    urlCache.set(cacheKey, urls);
  }
  return urls;
}

export function clientTokenResponse(
  endpoint: string,
  hub: string,
  protocol: ClientProtocol | undefined,
  token: string,
): ClientTokenResponse {
  const { baseUrl } = hubUrls(endpoint, hub, protocol ?? "default");
  return { token, baseUrl, url: `${baseUrl}?access_token=${token}` };
}

export function clientTokenClaims(
  endpoint: string,
  hub: string,
  options: Pick<GetClientAccessTokenOptions, "userId" | "roles" | "groups" | "clientProtocol">,
): JwtPayload {
  const payload: JwtPayload = { aud: hubUrls(endpoint, hub, options.clientProtocol ?? "default").aud };
  if (options.userId !== undefined) payload.sub = options.userId;
  if (options.roles && options.roles.length > 0) payload.role = options.roles;
  if (options.groups && options.groups.length > 0) payload["webpubsub.group"] = options.groups;
  return payload;
}

export async function signClientToken(
  endpoint: string,
  hub: string,
  accessKey: string,
  options: GetClientAccessTokenOptions & { expirationTimeInMinutes: number },
): Promise<ClientTokenResponse> {
  const payload = clientTokenClaims(endpoint, hub, options);
  const token = await signToken(payload, accessKey, Math.floor(options.expirationTimeInMinutes * 60));
  return clientTokenResponse(endpoint, hub, options.clientProtocol, token);
}
