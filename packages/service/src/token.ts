// Client access tokens signed locally with the access key (no network). Claims, as the service and the official SDKs
// use them: aud = http(s) endpoint + /client/hubs/{hub} (or /clients/mqtt|socketio/hubs/{hub}), iat, exp, plus sub
// (userId), role and webpubsub.group only when given and non-empty. HS256, key = the access key as UTF-8.
//
// Speed: on Node the token is signed synchronously with node:crypto (loaded lazily, once), which is several times
// faster than a WebCrypto round trip; elsewhere (browsers, edge runtimes) @webpubsub/core's WebCrypto signJwt is used.
// Both produce byte-identical tokens for the same claims and time (see test/token.test.ts).
import { type ClientProtocol, clientAudience, clientBaseUrl, type JwtPayload, signJwt } from "@webpubsub/core";
import type { ClientTokenResponse, GetClientAccessTokenOptions } from "./options.ts";
import { runsOnNode } from "./payload.ts";

interface NodeCrypto {
  createHmac(algorithm: "sha256", key: unknown): { update(data: string): { digest(encoding: "base64url"): string } };
  createSecretKey(key: string, encoding: "utf8"): unknown;
}
interface NodeBuffer {
  from(data: string, encoding: "utf8"): { toString(encoding: "base64url"): string };
}

/** base64url('{"alg":"HS256","typ":"JWT"}'), the header @webpubsub/core's signJwt writes too. */
const HEADER_SEGMENT = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9";
let nodeCrypto: NodeCrypto | null | undefined;
/** The last access key and its node:crypto KeyObject (one client normally signs with one key). */
let cachedKey: { key: string; keyObject: unknown } | undefined;
let nodeCryptoLoading: Promise<void> | undefined;

function loadNodeCrypto(): Promise<void> {
  nodeCryptoLoading ??= (async () => {
    if (!runsOnNode || !(globalThis as { Buffer?: unknown }).Buffer) {
      nodeCrypto = null;
      return;
    }
    const specifier = "node:crypto";
    try {
      nodeCrypto = (await import(/* @vite-ignore */ specifier)) as NodeCrypto;
    } catch {
      nodeCrypto = null;
    }
  })();
  return nodeCryptoLoading;
}

/** Signs claims (adding iat and exp) the way core's signJwt does, synchronously with node:crypto. */
function signWithNodeCrypto(crypto: NodeCrypto, payload: JwtPayload, key: string, now: number, ttl: number): string {
  const claims = { ...payload, iat: now, exp: Math.floor(now + ttl) };
  const body = (globalThis as unknown as { Buffer: NodeBuffer }).Buffer.from(JSON.stringify(claims), "utf8").toString(
    "base64url",
  );
  const input = `${HEADER_SEGMENT}.${body}`;
  if (cachedKey?.key !== key) cachedKey = { key, keyObject: crypto.createSecretKey(key, "utf8") };
  return `${input}.${crypto.createHmac("sha256", cachedKey.keyObject).update(input).digest("base64url")}`;
}

/** Signs a JWT for these claims: node:crypto when available, else WebCrypto through @webpubsub/core. */
export async function signToken(
  payload: JwtPayload,
  key: string,
  expiresInSeconds: number,
  now = Math.floor(Date.now() / 1000),
  useNodeCrypto = true,
): Promise<string> {
  if (useNodeCrypto) {
    if (nodeCrypto === undefined) await loadNodeCrypto();
    if (nodeCrypto) return signWithNodeCrypto(nodeCrypto, payload, key, now, expiresInSeconds);
  }
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
