// Handshake step 2, who connects: the client access token (`access_token` or `Authorization: Bearer`) checked with
// core's rules for the hub's audience, and what its claims grant (user, roles, initial groups).
import type { IncomingMessage } from "node:http";
import { isValidGroupName, JwtError, type JwtPayload, verifyJwtSync } from "@webpubsub/core";
import { bearerToken, clientAudienceMatcher } from "../auth.ts";
import { GROUP_LIMIT_MESSAGE, MAX_GROUPS_PER_CONNECTION } from "../hub.ts";
import { UpgradeRefused } from "./refusal.ts";
import type { UpgradeTarget } from "./upgrade-target.ts";

export interface Identity {
  claims: JwtPayload;
  userId: string | null;
  roles: string[];
  groups: string[];
}

/** The token's identity; throws UpgradeRefused (401 for the token, 400 for malformed claims). */
export function authenticate(target: UpgradeTarget, req: IncomingMessage, accessKey: string): Identity {
  const token = target.url.searchParams.get("access_token") ?? bearerToken(req.headers.authorization);
  if (token === undefined || token === null || token === "") {
    throw new UpgradeRefused(401, "Unauthorized: missing access token.");
  }
  const audience = clientAudienceMatcher(target.origin.host, target.hubName, target.endpoint.audience);
  if (audience === undefined) throw new UpgradeRefused(401, "Unauthorized: the request has no usable Host header.");
  let claims: JwtPayload;
  try {
    claims = verifyJwtSync(token, accessKey, { audience });
  } catch (e) {
    throw new UpgradeRefused(401, `Unauthorized: ${e instanceof JwtError ? e.message : "invalid token"}`);
  }
  const roles = claimList(claims.role);
  if (roles === undefined) {
    throw new UpgradeRefused(400, "Invalid 'role' claim: expected a string or a string array.");
  }
  const groups = claimList(claims["webpubsub.group"]);
  if (groups === undefined || !groups.every(isValidGroupName)) {
    throw new UpgradeRefused(400, "Invalid 'webpubsub.group' claim: expected valid group names.");
  }
  // the session joins them when it opens (only a larger --max-http-header-size lets a token carry this many)
  if (new Set(groups).size > MAX_GROUPS_PER_CONNECTION) {
    throw new UpgradeRefused(400, `Invalid 'webpubsub.group' claim: ${GROUP_LIMIT_MESSAGE}`);
  }
  const userId = typeof claims.sub === "string" && claims.sub !== "" ? claims.sub : null;
  return { claims, userId, roles, groups };
}

function claimList(v: unknown): string[] | undefined {
  if (v === undefined || v === null) return [];
  if (typeof v === "string") return [v];
  if (Array.isArray(v) && v.every((x) => typeof x === "string")) return v as string[];
  return undefined;
}
