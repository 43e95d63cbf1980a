// RoleSet: a connection's roles held for many checks. The rule is the one of can() (plain, per-group and wildcard
// roles; invalid patterns grant nothing; case-sensitive; a per-group role names exactly one group), and it must keep
// holding as roles are added and removed (the emulator's grant and revoke), wildcard roles included.
import { can, RoleSet } from "@webpubsub/core";
import { describe, expect, test } from "vitest";

describe("RoleSet grants by the role rule", () => {
  test("an empty set grants nothing; the plain role grants every group of its action only", () => {
    expect(new RoleSet().can("sendToGroup", "g")).toBe(false);
    expect(new RoleSet([]).can("joinLeaveGroup", "g")).toBe(false);
    const roles = new RoleSet(["webpubsub.sendToGroup"]);
    expect(roles.can("sendToGroup", "any.group")).toBe(true);
    expect(roles.can("sendToGroup", "")).toBe(true);
    expect(roles.can("joinLeaveGroup", "g")).toBe(false);
  });

  test("a per-group role grants exactly its group: not a suffix, a prefix or an extension, and the other way round", () => {
    const abc = new RoleSet(["webpubsub.joinLeaveGroup.abc"]);
    expect(abc.can("joinLeaveGroup", "abc")).toBe(true);
    for (const other of ["bc", "c", "ab", "abcd", "xabc", "x.abc", "abc.x", "ABC"]) {
      expect(abc.can("joinLeaveGroup", other), other).toBe(false);
    }
    const bc = new RoleSet(["webpubsub.joinLeaveGroup.bc"]);
    expect(bc.can("joinLeaveGroup", "abc")).toBe(false);
    expect(bc.can("joinLeaveGroup", "bc")).toBe(true);
    expect(abc.can("sendToGroup", "abc")).toBe(false);
  });

  test("a per-group role takes its group literally, dots and wildcard characters included", () => {
    const roles = new RoleSet(["webpubsub.sendToGroup.a.b", "webpubsub.sendToGroup.*"]);
    expect(roles.can("sendToGroup", "a.b")).toBe(true);
    expect(roles.can("sendToGroup", "a")).toBe(false);
    expect(roles.can("sendToGroup", "*")).toBe(true);
    expect(roles.can("sendToGroup", "x")).toBe(false);
  });

  test("a wildcard role grants the groups its pattern matches, for its own action only", () => {
    const roles = new RoleSet(["webpubsub.sendToGroups.chat.*", "webpubsub.joinLeaveGroups.news.**"]);
    expect(roles.can("sendToGroup", "chat.lobby")).toBe(true);
    expect(roles.can("sendToGroup", "chat.lobby.sub")).toBe(false);
    expect(roles.can("sendToGroup", "news.a.b")).toBe(false);
    expect(roles.can("joinLeaveGroup", "news.a.b")).toBe(true);
    expect(roles.can("joinLeaveGroup", "chat.lobby")).toBe(false);
  });

  test("a wildcard role with an invalid pattern is held but grants nothing", () => {
    const invalid = ["webpubsub.sendToGroups.a\\b", "webpubsub.sendToGroups.*.*.*.*.*.*", "webpubsub.sendToGroups."];
    const roles = new RoleSet(invalid);
    expect(roles.size).toBe(3);
    for (const role of invalid) expect(roles.has(role)).toBe(true);
    expect(roles.can("sendToGroup", "a\\b")).toBe(false);
    expect(roles.can("sendToGroup", "a.b.c.d.e.f")).toBe(false);
    expect(roles.can("sendToGroup", "")).toBe(false);
  });

  test("role names are case-sensitive, and a role that only starts like one grants nothing", () => {
    const roles = new RoleSet([
      "webpubsub.SendToGroup",
      "WEBPUBSUB.sendToGroup",
      "webpubsub.sendToGroupss.**",
      "webpubsub.sendToGroupX**",
      "xwebpubsub.sendToGroups.**",
      "webpubsub.SendToGroups.**",
    ]);
    expect(roles.can("sendToGroup", "g")).toBe(false);
    expect(new RoleSet(["webpubsub.sendToGroups.**"]).can("sendToGroup", "g")).toBe(true);
  });
});

describe("RoleSet add and delete (the emulator's grant and revoke)", () => {
  test("adding a per-group role grants that group; deleting it takes the grant away again", () => {
    const roles = new RoleSet();
    expect(roles.add("webpubsub.sendToGroup.g")).toBe(roles);
    expect(roles.can("sendToGroup", "g")).toBe(true);
    expect(roles.can("sendToGroup", "h")).toBe(false);
    expect(roles.delete("webpubsub.sendToGroup.g")).toBe(true);
    expect(roles.can("sendToGroup", "g")).toBe(false);
    expect(roles.delete("webpubsub.sendToGroup.g")).toBe(false);
  });

  test("adding a wildcard role grants what it matches; deleting it removes only that role's pattern", () => {
    const roles = new RoleSet(["webpubsub.joinLeaveGroups.a.*"]);
    roles.add("webpubsub.joinLeaveGroups.b.*");
    expect(roles.can("joinLeaveGroup", "a.1")).toBe(true);
    expect(roles.can("joinLeaveGroup", "b.1")).toBe(true);
    expect(roles.delete("webpubsub.joinLeaveGroups.a.*")).toBe(true);
    expect(roles.can("joinLeaveGroup", "a.1")).toBe(false);
    expect(roles.can("joinLeaveGroup", "b.1")).toBe(true);
    roles.delete("webpubsub.joinLeaveGroups.b.*");
    expect(roles.can("joinLeaveGroup", "b.1")).toBe(false);
    expect(roles.size).toBe(0);
  });

  test("deleting a role of one action leaves the same pattern of the other action in place", () => {
    const roles = new RoleSet(["webpubsub.joinLeaveGroups.a.*", "webpubsub.sendToGroups.a.*"]);
    roles.delete("webpubsub.joinLeaveGroups.a.*");
    expect(roles.can("joinLeaveGroup", "a.1")).toBe(false);
    expect(roles.can("sendToGroup", "a.1")).toBe(true);
  });

  test("a role is held once: adding it again changes nothing, and one delete removes it", () => {
    const roles = new RoleSet(["webpubsub.sendToGroups.**", "webpubsub.sendToGroups.**"]);
    roles.add("webpubsub.sendToGroups.**");
    expect(roles.size).toBe(1);
    expect(roles.delete("webpubsub.sendToGroups.**")).toBe(true);
    expect(roles.can("sendToGroup", "g")).toBe(false);
  });

  test("deleting the plain role leaves the per-group and wildcard roles granting", () => {
    const roles = new RoleSet(["webpubsub.sendToGroup", "webpubsub.sendToGroup.g", "webpubsub.sendToGroups.w.*"]);
    roles.delete("webpubsub.sendToGroup");
    expect(roles.can("sendToGroup", "g")).toBe(true);
    expect(roles.can("sendToGroup", "w.x")).toBe(true);
    expect(roles.can("sendToGroup", "h")).toBe(false);
  });

  test("a deleted role with an invalid pattern is gone; one added later is held", () => {
    const roles = new RoleSet(["webpubsub.sendToGroups.a\\b"]);
    expect(roles.delete("webpubsub.sendToGroups.a\\b")).toBe(true);
    expect(roles.has("webpubsub.sendToGroups.a\\b")).toBe(false);
    roles.add("webpubsub.joinLeaveGroups.***");
    expect(roles.has("webpubsub.joinLeaveGroups.***")).toBe(true);
    expect(roles.can("joinLeaveGroup", "x")).toBe(false);
  });

  test("iterating yields each role held, in the order it was first added", () => {
    const roles = new RoleSet(["b", "webpubsub.sendToGroups.*", "a", "b"]);
    roles.add("c");
    roles.delete("a");
    expect([...roles]).toEqual(["b", "webpubsub.sendToGroups.*", "c"]);
    expect(roles.size).toBe(3);
  });
});

describe("RoleSet refuses bad arguments with a TypeError naming the problem", () => {
  test("roles that are not an iterable, or an entry that is not a string", () => {
    for (const roles of [null, 5, {}, { [Symbol.iterator]: 1 }]) {
      expect(() => new RoleSet(roles as never)).toThrow("roles must be an iterable of strings");
    }
    expect(() => new RoleSet(["webpubsub.sendToGroup", 5] as never)).toThrow("a role must be a string, got 5");
  });

  test("add and delete take strings only, and change nothing when refused", () => {
    const roles = new RoleSet(["webpubsub.sendToGroup"]);
    expect(() => roles.add(null as never)).toThrow("a role must be a string, got null");
    expect(() => roles.delete({} as never)).toThrow("a role must be a string, got object");
    expect([...roles]).toEqual(["webpubsub.sendToGroup"]);
  });

  test("can takes a known action and a string group", () => {
    const roles = new RoleSet(["webpubsub.sendToGroup"]);
    expect(() => roles.can("admin" as never, "g")).toThrow(
      'action must be "joinLeaveGroup" or "sendToGroup", got "admin"',
    );
    expect(() => roles.can("sendToGroup", 5 as never)).toThrow("group must be a string");
  });
});

describe("can() is the RoleSet rule over any iterable", () => {
  test("it refuses a bad action or group before it reads any role", () => {
    let reads = 0;
    const roles = {
      *[Symbol.iterator]() {
        reads++;
        yield "webpubsub.sendToGroup";
      },
    };
    expect(() => can(roles, "admin" as never, "g")).toThrow('action must be "joinLeaveGroup" or "sendToGroup"');
    expect(() => can(roles, "sendToGroup", 5 as never)).toThrow("group must be a string");
    expect(reads).toBe(0);
    expect(can(roles, "sendToGroup", "g")).toBe(true);
    expect(reads).toBe(1);
  });

  test("it ignores entries that are not strings, where a RoleSet refuses them", () => {
    const roles = [5, "webpubsub.sendToGroup.g", null] as never;
    expect(can(roles, "sendToGroup", "g")).toBe(true);
    expect(can(roles, "sendToGroup", "h")).toBe(false);
    expect(() => new RoleSet(roles)).toThrow(TypeError);
  });
});
