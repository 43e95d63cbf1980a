// Group name rule as a predicate (the REST and WebSocket paths answer errors on the wire, not by throwing).
import { MAX_GROUP_NAME_LENGTH } from "@webpubsub/core";

/** 1..1024 characters, not whitespace only (protocol.md 2.1). */
export function isValidGroupName(group: unknown): group is string {
  return typeof group === "string" && group.length >= 1 && group.length <= MAX_GROUP_NAME_LENGTH && group.trim() !== "";
}
