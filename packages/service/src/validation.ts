// Argument validation. Every public method validates all of its arguments here before anything is sent, and the
// errors name the argument and the rule it broke, so a bad call never turns into a confusing 404 from the service.
import { checkGroupName, checkHubName, shownValue } from "@webpubsub/core";

/** The permissions a connection can be granted. */
export type Permission = "joinLeaveGroup" | "sendToGroup";
/** The client protocols a client access token can be minted for. */
export type WebPubSubClientProtocol = "default" | "mqtt" | "socketio";

const PERMISSIONS: ReadonlySet<string> = new Set(["joinLeaveGroup", "sendToGroup"]);
const CLIENT_PROTOCOLS: ReadonlySet<string> = new Set(["default", "mqtt", "socketio"]);
/** The service keeps a message for at most 300 seconds; 0 means "no expiry". */
export const MAX_MESSAGE_TTL_SECONDS = 300;
/** The longest token lifetime the service grants: its minutesToExpire is an int32. */
export const MAX_TOKEN_MINUTES = 2 ** 31 - 1;
/** The service returns at most 200 group members per page. */
export const MAX_PAGE_SIZE = 200;

/** A value for an error message, bounded by core's shownValue (a string quoted up to its first 64 characters). */
function describe(value: unknown): string {
  if (typeof value === "string") return shownValue(value);
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "function") return "a function";
  return typeof value === "object" ? "an object" : `${typeof value} ${shownValue(value)}`;
}

export function checkHub(hub: unknown, name = "hub"): asserts hub is string {
  checkHubName(hub, name);
}

/**
 * A path parameter can never be `.` or `..`: every URL parser (WHATWG, RFC 3986) removes such dot segments, also
 * percent-encoded as `%2E`, so the request would reach another resource: `sendToUser("..")` would be sent to
 * `/api/hubs/{hub}/:send`, a broadcast to the whole hub, with a token signed for that URL. Only the whole segment is
 * refused: `a..b`, `...`, `.a` or `a/b` (its `/` is percent-encoded) are ordinary names.
 */
function checkNotDotSegment(value: string, name: string): void {
  if (value === "." || value === "..") {
    throw new TypeError(
      `${name} must not be "${value}": a path segment "." or ".." is resolved away by URL parsers, so the request would reach another resource.`,
    );
  }
}

/** Group names in a request path: the service's rule (1 to 1024 characters, not whitespace only), not `.`/`..`. */
export function checkGroup(group: unknown, name = "groupName"): asserts group is string {
  checkGroupName(group, name);
  checkNotDotSegment(group, name);
}

/** Group names outside the path (the `targetName` query of permissions): the service's rule only. */
export function checkGroupValue(group: unknown, name: string): asserts group is string {
  checkGroupName(group, name);
}

function checkNonEmpty(value: unknown, name: string): asserts value is string {
  if (typeof value !== "string") throw new TypeError(`${name} must be a non-empty string, got ${describe(value)}.`);
  if (value.length === 0) throw new TypeError(`${name} must be a non-empty string, got an empty string.`);
}

/** Connection ids and user ids in a request path: non-empty strings, not `.`/`..`. */
export function checkId(value: unknown, name: string): asserts value is string {
  checkNonEmpty(value, name);
  checkNotDotSegment(value, name);
}

/** Optional ids outside the path (a token's user id, a continuation token): non-empty strings when given. */
export function checkOptionalId(value: unknown, name: string): asserts value is string | undefined {
  if (value !== undefined) checkNonEmpty(value, name);
}

export function checkOptions(options: unknown, name = "options"): void {
  if (options !== undefined && (options === null || typeof options !== "object" || Array.isArray(options))) {
    throw new TypeError(`${name} must be an object when given, got ${describe(options)}.`);
  }
}

export function checkOptionalString(value: unknown, name: string): asserts value is string | undefined {
  if (value !== undefined && typeof value !== "string") {
    throw new TypeError(`${name} must be a string when given, got ${describe(value)}.`);
  }
}

/** OData filters: a non-empty string (use the `odata` template to build one safely). */
export function checkFilter(filter: unknown, name = "options.filter"): asserts filter is string | undefined {
  if (filter === undefined) return;
  if (typeof filter !== "string")
    throw new TypeError(`${name} must be an OData filter string, got ${describe(filter)}.`);
  if (filter.trim().length === 0) throw new TypeError(`${name} must not be empty or whitespace.`);
}

export function checkRequiredFilter(filter: unknown, name = "filter"): asserts filter is string {
  if (filter === undefined) throw new TypeError(`${name} is required: an OData filter string.`);
  checkFilter(filter, name);
}

export function checkTtl(ttl: unknown, name = "options.messageTtlSeconds"): asserts ttl is number | undefined {
  if (ttl === undefined) return;
  if (typeof ttl !== "number" || !Number.isInteger(ttl)) {
    throw new TypeError(`${name} must be an integer number of seconds, got ${describe(ttl)}.`);
  }
  if (ttl < 0 || ttl > MAX_MESSAGE_TTL_SECONDS) {
    throw new RangeError(`${name} must be between 0 and ${MAX_MESSAGE_TTL_SECONDS} (0 = never expires), got ${ttl}.`);
  }
}

/** An array of non-empty strings (connection ids, roles). Returns undefined for an absent value. */
export function checkStringArray(value: unknown, name: string): asserts value is string[] | undefined {
  if (value === undefined) return;
  if (!Array.isArray(value)) throw new TypeError(`${name} must be an array of strings, got ${describe(value)}.`);
  for (let i = 0; i < value.length; i++) {
    const item: unknown = value[i];
    if (typeof item !== "string" || item.length === 0) {
      throw new TypeError(`${name}[${i}] must be a non-empty string, got ${describe(item)}.`);
    }
  }
}

/** An array of valid group names. */
export function checkGroupArray(
  value: unknown,
  name: string,
  required: boolean,
): asserts value is string[] | undefined {
  if (value === undefined && !required) return;
  if (!Array.isArray(value)) throw new TypeError(`${name} must be an array of group names, got ${describe(value)}.`);
  if (required && value.length === 0) throw new RangeError(`${name} must contain at least one group name.`);
  for (let i = 0; i < value.length; i++) checkGroupName(value[i], `${name}[${i}]`);
}

export function checkPermission(permission: unknown, name = "permission"): asserts permission is Permission {
  if (typeof permission !== "string" || !PERMISSIONS.has(permission)) {
    throw new TypeError(`${name} must be "joinLeaveGroup" or "sendToGroup", got ${describe(permission)}.`);
  }
}

export function checkClientProtocol(
  protocol: unknown,
  name = "options.clientProtocol",
): asserts protocol is WebPubSubClientProtocol | undefined {
  if (protocol !== undefined && (typeof protocol !== "string" || !CLIENT_PROTOCOLS.has(protocol))) {
    throw new TypeError(`${name} must be "default", "mqtt" or "socketio", got ${describe(protocol)}.`);
  }
}

export function checkExpiration(minutes: unknown, name = "options.expirationTimeInMinutes"): void {
  if (minutes === undefined) return;
  if (typeof minutes !== "number" || !Number.isFinite(minutes)) {
    throw new TypeError(`${name} must be a number of minutes, got ${describe(minutes)}.`);
  }
  if (minutes <= 0) throw new RangeError(`${name} must be greater than 0, got ${minutes}.`);
  // Tokens carry whole seconds: anything under one second would be a token that is already expired.
  if (Math.floor(minutes * 60) < 1) {
    throw new RangeError(`${name} must give a lifetime of at least 1 second (1/60 of a minute), got ${minutes}.`);
  }
  // The service's rule (its :generateToken minutesToExpire is an int32), for locally signed tokens too: far past it an
  // expiry was no longer a whole number of seconds, and from ~3e306 minutes not even finite.
  if (minutes > MAX_TOKEN_MINUTES) {
    throw new RangeError(`${name} must be at most ${MAX_TOKEN_MINUTES} minutes (2^31 - 1), got ${minutes}.`);
  }
}

export function checkPositiveInteger(value: unknown, name: string, max?: number): asserts value is number | undefined {
  if (value === undefined) return;
  if (typeof value !== "number" || !Number.isInteger(value)) {
    throw new TypeError(`${name} must be an integer, got ${describe(value)}.`);
  }
  if (value < 1 || (max !== undefined && value > max)) {
    throw new RangeError(`${name} must be between 1 and ${max ?? "2^53"}, got ${value}.`);
  }
}

export function checkAbortSignal(signal: unknown, name = "options.abortSignal"): void {
  // Duck-typed, so signals from another realm or an AbortController polyfill are accepted.
  const looksLikeSignal =
    typeof signal === "object" &&
    signal !== null &&
    typeof (signal as AbortSignal).aborted === "boolean" &&
    typeof (signal as AbortSignal).addEventListener === "function";
  if (signal !== undefined && !looksLikeSignal) {
    throw new TypeError(`${name} must be an AbortSignal when given, got ${describe(signal)}.`);
  }
}

export { normalizeEndpoint } from "@webpubsub/rest/endpoint";
