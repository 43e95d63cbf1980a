// The role model of Web PubSub clients (protocol.md 4.7): roleFor() names a role, RoleSet holds a connection's roles
// with their wildcard patterns compiled once, and can() answers one check over any iterable of roles.

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

type Matcher = (group: string) => boolean;

const MAX_CACHED_PATTERNS = 256;
/**
 * Patterns up to this length are shared through a cache (connections with the same token roles reuse one matcher);
 * a longer one is compiled for the RoleSet that holds it, so a few hostile roles cannot make the cache hold megabytes
 * of patterns and bit masks.
 */
const MAX_CACHED_PATTERN_CHARS = 256;
const patternCache = new Map<string, Matcher | null>();

function compileOrNull(pattern: string): Matcher | null {
  try {
    return compileGroupPattern(pattern);
  } catch {
    return null;
  }
}

/** Compiled matcher for a wildcard pattern, or null when the pattern is invalid (such a role grants nothing). */
function matcherFor(pattern: string): Matcher | null {
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

/** The action a wildcard role (`webpubsub.<action>s.<pattern>`) is for, or undefined for any other role. */
function wildcardAction(role: string): Permission | undefined {
  return PERMISSIONS.find((action) => role.startsWith(`${ROLE_PREFIX}${action}s.`));
}

function checkRole(role: unknown): asserts role is string {
  if (typeof role !== "string") throw new TypeError(`a role must be a string, got ${shownValue(role)}`);
}

function checkIterable(roles: unknown): asserts roles is Iterable<unknown> {
  if (roles == null || typeof (roles as Iterable<unknown>)[Symbol.iterator] !== "function") {
    throw new TypeError("roles must be an iterable of strings");
  }
}

/**
 * A connection's roles, ready for many checks: each wildcard role's pattern is compiled once, when the role is added,
 * so can() never compiles. A role grants `action` on `group` when it is the plain role (`webpubsub.sendToGroup`), the
 * per-group role naming exactly that group (`webpubsub.sendToGroup.<group>`) or a wildcard role whose pattern matches
 * the whole group (`webpubsub.sendToGroups.<pattern>`, see compileGroupPattern). A role with an invalid pattern, or
 * any other string, is kept but grants nothing. Role names are case-sensitive.
 */
export class RoleSet implements Iterable<string> {
  readonly #roles = new Set<string>();
  /** The matchers of the valid wildcard roles, by action and then by role (a map only once an action has one). */
  readonly #wildcards: Partial<Record<Permission, Map<string, Matcher>>> = {};

  /** Throws a TypeError when `roles` is not an iterable or yields something other than a string. */
  constructor(roles: Iterable<string> = []) {
    checkIterable(roles);
    for (const role of roles) this.add(role);
  }

  /** How many distinct roles the set holds. */
  get size(): number {
    return this.#roles.size;
  }

  has(role: string): boolean {
    return this.#roles.has(role);
  }

  /** Adds `role` (compiling its pattern when it is a wildcard role); adding a role already held changes nothing. */
  add(role: string): this {
    checkRole(role);
    if (this.#roles.has(role)) return this;
    this.#roles.add(role);
    const action = wildcardAction(role);
    if (action !== undefined) {
      const matcher = matcherFor(role.slice(ROLE_PREFIX.length + action.length + 2));
      if (matcher !== null) {
        this.#wildcards[action] ??= new Map();
        this.#wildcards[action].set(role, matcher);
      }
    }
    return this;
  }

  /** Removes `role`; whether it was held. */
  delete(role: string): boolean {
    checkRole(role);
    if (!this.#roles.delete(role)) return false;
    for (const wildcards of Object.values(this.#wildcards)) wildcards.delete(role);
    return true;
  }

  /** Whether the roles allow `action` on `group` (the rule is in the class comment). */
  can(action: Permission, group: string): boolean {
    checkPermission(action);
    if (typeof group !== "string") throw new TypeError("group must be a string");
    const plain = ROLE_PREFIX + action;
    if (this.#roles.has(plain) || this.#roles.has(`${plain}.${group}`)) return true;
    const wildcards = this.#wildcards[action];
    if (wildcards !== undefined) for (const matches of wildcards.values()) if (matches(group)) return true;
    return false;
  }

  [Symbol.iterator](): IterableIterator<string> {
    return this.#roles.values();
  }
}

/**
 * Whether `roles` allow `action` on `group`, by the rule of RoleSet; entries that are not strings grant nothing. For
 * a connection checked again and again, keep a RoleSet instead: this builds one for each call.
 */
export function can(roles: Iterable<string>, action: Permission, group: string): boolean {
  checkPermission(action);
  if (typeof group !== "string") throw new TypeError("group must be a string");
  checkIterable(roles);
  const set = new RoleSet();
  for (const role of roles) if (typeof role === "string") set.add(role);
  return set.can(action, group);
}
