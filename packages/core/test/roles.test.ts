import { can, compileGroupPattern, roleFor } from "@webpubsub/core";
import { describe, expect, test } from "vitest";

describe("roleFor", () => {
  test("plain and per-group roles", () => {
    expect(roleFor("sendToGroup")).toBe("webpubsub.sendToGroup");
    expect(roleFor("joinLeaveGroup", "g1")).toBe("webpubsub.joinLeaveGroup.g1");
    expect(() => roleFor("admin" as never)).toThrow(TypeError);
    expect(() => roleFor("sendToGroup", "")).toThrow(TypeError);
  });
});

describe("can", () => {
  test("no roles grant nothing", () => {
    expect(can([], "sendToGroup", "g")).toBe(false);
    expect(can([], "joinLeaveGroup", "g")).toBe(false);
  });

  test("plain roles grant every group for their action only", () => {
    expect(can(["webpubsub.sendToGroup"], "sendToGroup", "any.group")).toBe(true);
    expect(can(["webpubsub.sendToGroup"], "joinLeaveGroup", "g")).toBe(false);
    expect(can(["webpubsub.joinLeaveGroup"], "joinLeaveGroup", "g")).toBe(true);
  });

  test("per-group roles grant exactly that group", () => {
    const roles = ["webpubsub.joinLeaveGroup.g1", "webpubsub.sendToGroup.a.b"];
    expect(can(roles, "joinLeaveGroup", "g1")).toBe(true);
    expect(can(roles, "joinLeaveGroup", "g2")).toBe(false);
    expect(can(roles, "joinLeaveGroup", "g")).toBe(false);
    expect(can(roles, "joinLeaveGroup", "g10")).toBe(false);
    expect(can(roles, "sendToGroup", "g1")).toBe(false);
    expect(can(roles, "sendToGroup", "a.b")).toBe(true);
    expect(can(roles, "sendToGroup", "a")).toBe(false);
  });

  test("per-group roles take the group literally (no wildcards)", () => {
    expect(can(["webpubsub.sendToGroup.*"], "sendToGroup", "x")).toBe(false);
    expect(can(["webpubsub.sendToGroup.*"], "sendToGroup", "*")).toBe(true);
  });

  test("wildcard roles", () => {
    const roles = ["webpubsub.sendToGroups.chat.*", "webpubsub.joinLeaveGroups.**"];
    expect(can(roles, "sendToGroup", "chat.lobby")).toBe(true);
    expect(can(roles, "sendToGroup", "chat.lobby.sub")).toBe(false);
    expect(can(roles, "sendToGroup", "news.x")).toBe(false);
    expect(can(roles, "joinLeaveGroup", "anything.at.all")).toBe(true);
  });

  test("invalid wildcard patterns grant nothing instead of throwing", () => {
    expect(can(["webpubsub.sendToGroups.a\\b"], "sendToGroup", "a\\b")).toBe(false);
    expect(can(["webpubsub.sendToGroups.*.*.*.*.*.*"], "sendToGroup", "a.b.c.d.e.f")).toBe(false);
  });

  test("role names are case-sensitive; other roles and non-strings are ignored", () => {
    expect(can(["webpubsub.SendToGroup", "WEBPUBSUB.sendToGroup"], "sendToGroup", "g")).toBe(false);
    expect(can(["other", 1 as unknown as string], "sendToGroup", "g")).toBe(false);
  });

  test("accepts any iterable", () => {
    expect(can(new Set(["webpubsub.sendToGroup.g"]), "sendToGroup", "g")).toBe(true);
  });

  test("bad arguments are TypeErrors", () => {
    expect(() => can(null as never, "sendToGroup", "g")).toThrow(TypeError);
    expect(() => can([], "bogus" as never, "g")).toThrow(TypeError);
    expect(() => can([], "sendToGroup", 3 as never)).toThrow(TypeError);
  });
});

describe("compileGroupPattern basics", () => {
  test("literal patterns match exactly", () => {
    const m = compileGroupPattern("chat.lobby");
    expect(m("chat.lobby")).toBe(true);
    expect(m("chatXlobby")).toBe(false);
  });

  test("throws on empty patterns", () => {
    expect(() => compileGroupPattern("")).toThrow(TypeError);
  });
});
