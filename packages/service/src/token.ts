// Client access tokens signed locally with the access key (no network). Claims, as the service and the official SDKs
// use them: aud = http(s) endpoint + /client/hubs/{hub} (or /clients/mqtt|socketio/hubs/{hub}), iat, exp, plus sub
// (userId), role and webpubsub.group only when given and non-empty. HS256, key = the access key as UTF-8.
import { type ClientProtocol, clientAudience, clientBaseUrl, type JwtPayload, signJwt } from "@webpubsub/core";
import type { ClientTokenResponse, GetClientAccessTokenOptions } from "./options.ts";

export function clientTokenResponse(
  endpoint: string,
  hub: string,
  protocol: ClientProtocol | undefined,
  token: string,
): ClientTokenResponse {
  const baseUrl = clientBaseUrl(endpoint, hub, protocol ?? "default");
  return { token, baseUrl, url: `${baseUrl}?access_token=${token}` };
}

export async function signClientToken(
  endpoint: string,
  hub: string,
  accessKey: string,
  options: GetClientAccessTokenOptions & { expirationTimeInMinutes: number },
): Promise<ClientTokenResponse> {
  const protocol = options.clientProtocol ?? "default";
  const payload: JwtPayload = { aud: clientAudience(endpoint, hub, protocol) };
  if (options.userId !== undefined) payload.sub = options.userId;
  if (options.roles && options.roles.length > 0) payload.role = options.roles;
  if (options.groups && options.groups.length > 0) payload["webpubsub.group"] = options.groups;
  const token = await signJwt(payload, accessKey, {
    expiresInSeconds: Math.floor(options.expirationTimeInMinutes * 60),
  });
  return clientTokenResponse(endpoint, hub, protocol, token);
}
