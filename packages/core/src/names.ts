// Hub and group name rules (protocol.md 7).

import { shown } from "./shown.ts";

/** Hub names: a letter, then up to 127 letters, digits or _ ` , . [ ]. */
export const HUB_NAME_PATTERN: RegExp = /^[A-Za-z][A-Za-z0-9_`,.[\]]{0,127}$/;

export const MAX_GROUP_NAME_LENGTH = 1024;

/** Throws a TypeError naming `argName` unless `hub` is a valid hub name. */
export function checkHubName(hub: unknown, argName = "hub"): asserts hub is string {
  if (typeof hub !== "string") throw new TypeError(`${argName} must be a string, got ${typeof hub}`);
  if (!HUB_NAME_PATTERN.test(hub)) {
    throw new TypeError(
      `${argName} ${shown(hub)} is not a valid hub name: it must start with a letter and contain 1 to 128 ` +
        "letters, digits or the characters _ ` , . [ ]",
    );
  }
}

/** Throws a TypeError naming `argName` unless `group` is a valid group name. */
export function checkGroupName(group: unknown, argName = "group"): asserts group is string {
  if (typeof group !== "string") throw new TypeError(`${argName} must be a string, got ${typeof group}`);
  if (group.length === 0 || group.length > MAX_GROUP_NAME_LENGTH) {
    throw new TypeError(`${argName} must be 1 to ${MAX_GROUP_NAME_LENGTH} characters long, got ${group.length}`);
  }
  if (group.trim() === "") throw new TypeError(`${argName} must not be whitespace only`);
}

/** @deprecated Use checkHubName (the library's one verb for argument checks); same function. */
export const validateHubName: typeof checkHubName = checkHubName;
/** @deprecated Use checkGroupName; same function. */
export const validateGroupName: typeof checkGroupName = checkGroupName;

/**
 * User event names (the `event` of a client's `event` message): a letter, then up to 127 letters, digits or `_ . -`
 * (protocol.md 4.3; the rule of the official emulator). Names travel in the `ce-type` / `ce-eventName` headers, in
 * event handler URL templates and in comma-separated `userEventPattern` lists, so they are kept to this safe set.
 */
export const EVENT_NAME_PATTERN: RegExp = /^[A-Za-z][A-Za-z0-9_.-]{0,127}$/;

/** Whether `event` is a valid user event name (see EVENT_NAME_PATTERN). */
export function isValidEventName(event: unknown): event is string {
  return typeof event === "string" && EVENT_NAME_PATTERN.test(event);
}

/** Whether `group` is a valid group name (1 to 1024 characters, not whitespace only), without throwing. */
export function isValidGroupName(group: unknown): group is string {
  return typeof group === "string" && group.length >= 1 && group.length <= MAX_GROUP_NAME_LENGTH && group.trim() !== "";
}
