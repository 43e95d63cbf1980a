// The role model of Web PubSub clients (protocol.md 4.7).

import { compileGroupPattern } from "./group-pattern.ts";
import { shownValue } from "./shown.ts";

export type Permission = "joinLeaveGroup" | "sendToGroup";

const ROLE_PREFIX = "webpubsub.";
const PERMISSIONS: readonly Permission[] = ["joinLeaveGroup", "sendToGroup"];

function checkPermission(action: unknown): asserts action is Permission {
  if (!PERMISSIONS.includes(action as Permission)) {
    throw new TypeError(`action must be "joinLeaveGroup" or "sendToGroup", got ${shownValue(action)}`);
  }
}

/** The role string granting `action` on every group, or on one group when `group` is given. */
export function roleFor(action: Permission, group?: string): string {
  checkPermission(action);
  if (group === undefined) return ROLE_PREFIX + action;
  if (typeof group !== "string" || group.length === 0) throw new TypeError("group must be a non-empty string");
  return `${ROLE_PREFIX}${action}.${group}`;
}

const MAX_CACHED_PATTERNS = 256;
/**
 * Longer patterns are compiled on every check instead of cached (a check stays bounded either way, see
 * group-pattern.ts), so a few hostile roles cannot make the cache hold megabytes of patterns and bit masks.
 */
const MAX_CACHED_PATTERN_CHARS = 256;
const patternCache = new Map<string, ((group: string) => boolean) | null>();

function compileOrNull(pattern: string): ((group: string) => boolean) | null {
  try {
    return compileGroupPattern(pattern);
  } catch {
    return null;
  }
}

/** Compiled matcher for a wildcard pattern, or null when the pattern is invalid (such a role grants nothing). */
function matcherFor(pattern: string): ((group: string) => boolean) | null {
  if (pattern.length > MAX_CACHED_PATTERN_CHARS) return compileOrNull(pattern);
  let m = patternCache.get(pattern);
  if (m === undefined) {
    m = compileOrNull(pattern);
    if (patternCache.size >= MAX_CACHED_PATTERNS) {
      const oldest = patternCache.keys().next().value;
      if (oldest !== undefined) patternCache.delete(oldest);
    }
    patternCache.set(pattern, m);
  }
  return m;
}

/**
 * Whether `roles` allow `action` on `group`: the plain role (`webpubsub.sendToGroup`), the per-group role
 * (`webpubsub.sendToGroup.<group>`) or a wildcard role (`webpubsub.sendToGroups.<pattern>`). Invalid wildcard
 * patterns grant nothing. Role names are case-sensitive.
 */
export function can(roles: Iterable<string>, action: Permission, group: string): boolean {
  checkPermission(action);
  if (typeof group !== "string") throw new TypeError("group must be a string");
  if (roles == null || typeof (roles as Iterable<string>)[Symbol.iterator] !== "function") {
    throw new TypeError("roles must be an iterable of strings");
  }
  const plain = ROLE_PREFIX + action;
  const perGroupPrefix = `${plain}.`;
  const wildcardPrefix = `${plain}s.`;
  for (const role of roles) {
    if (typeof role !== "string") continue;
    if (role === plain) return true;
    if (role.startsWith(perGroupPrefix)) {
      if (role.length - perGroupPrefix.length === group.length && role.endsWith(group)) return true;
    } else if (role.startsWith(wildcardPrefix)) {
      const matcher = matcherFor(role.slice(wildcardPrefix.length));
      if (matcher?.(group)) return true;
    }
  }
  return false;
}
