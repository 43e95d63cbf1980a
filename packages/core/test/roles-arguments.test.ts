// Bad arguments to the role helpers and the wildcard pattern compiler are refused with a TypeError that names the
// argument and the problem; a compiled matcher answers false (never throws) for a group that is not a string.
import { can, compileGroupPattern, roleFor } from "@webpubsub/core";
import { describe, expect, test } from "vitest";

describe("roleFor", () => {
  test("an unknown action is refused, naming the allowed ones and what was given", () => {
    expect(() => roleFor("admin" as never)).toThrow('action must be "joinLeaveGroup" or "sendToGroup", got "admin"');
  });

  test("a group must be a non-empty string", () => {
    for (const group of ["", 5, null]) {
      expect(() => roleFor("sendToGroup", group as never)).toThrow("group must be a non-empty string");
    }
    expect(roleFor("sendToGroup", "g")).toBe("webpubsub.sendToGroup.g");
  });
});

describe("can", () => {
  test("roles must be an iterable; the error says so", () => {
    for (const roles of [null, undefined, 5, {}, { [Symbol.iterator]: 1 }]) {
      expect(() => can(roles as never, "sendToGroup", "g")).toThrow("roles must be an iterable of strings");
    }
  });

  test("the group must be a string", () => {
    expect(() => can(["webpubsub.sendToGroup"], "sendToGroup", 5 as never)).toThrow("group must be a string");
  });

  test("a role that starts like neither a per-group nor a wildcard role grants nothing, whatever follows", () => {
    for (const role of ["webpubsub.sendToGroupX**", "webpubsub.sendToGroupss.**", "xwebpubsub.sendToGroups.**"]) {
      expect(can([role], "sendToGroup", "g"), role).toBe(false);
    }
    expect(can(["webpubsub.sendToGroups.**"], "sendToGroup", "g")).toBe(true);
  });
});

describe("compileGroupPattern", () => {
  test("a pattern that is not a string, or is empty, is refused as such", () => {
    for (const pattern of [5, undefined, null, ["*"]]) {
      expect(() => compileGroupPattern(pattern as never)).toThrow("pattern must be a string");
    }
    expect(() => compileGroupPattern("")).toThrow("pattern must not be empty");
  });

  test("invalid escapes and runs of three stars are refused with a message naming the pattern and the rule", () => {
    expect(() => compileGroupPattern("a\\b")).toThrow(
      `pattern "a\\\\b" has an invalid escape: '\\' may only precede '*', '?' or '\\'`,
    );
    expect(() => compileGroupPattern("a***")).toThrow(`pattern "a***" has more than two consecutive '*'`);
    expect(() => compileGroupPattern("*.*.*.*.*.*")).toThrow(`pattern "*.*.*.*.*.*" has 6 '*'; at most 5 are allowed`);
  });

  test("a matcher answers false for a group that is not a string, literal or wildcard alike", () => {
    for (const pattern of ["a*", "**", "a?", "abc"]) {
      const matches = compileGroupPattern(pattern);
      for (const group of [5, null, undefined, ["abc"]]) expect(matches(group as never), pattern).toBe(false);
    }
  });
});
