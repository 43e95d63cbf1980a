import { checkGroupName, checkHubName, HUB_NAME_PATTERN } from "@webpubsub/core";
import { describe, expect, test } from "vitest";

describe("checkHubName", () => {
  test.each(["a", "Hub1", "chat_room", "a`,.[]", "A".repeat(128)])("accepts %j", (hub) => {
    expect(() => checkHubName(hub)).not.toThrow();
    expect(HUB_NAME_PATTERN.test(hub)).toBe(true);
  });

  test.each(["", "1hub", "_hub", "hub-name", "hub name", "a/b", "A".repeat(129), "hüb"])("rejects %j", (hub) => {
    expect(() => checkHubName(hub, "hubName")).toThrow(/hubName/);
    expect(() => checkHubName(hub)).toThrow(TypeError);
  });

  test("rejects non-strings", () => {
    expect(() => checkHubName(42)).toThrow(TypeError);
  });
});

describe("checkGroupName", () => {
  test.each(["g", "a b", " x ", "g".repeat(1024), "日本"])("accepts %j", (g) => {
    expect(() => checkGroupName(g)).not.toThrow();
  });

  test.each(["", " ", "\t\n", "g".repeat(1025)])("rejects %j", (g) => {
    expect(() => checkGroupName(g, "groupName")).toThrow(/groupName/);
  });

  test("rejects non-strings", () => {
    expect(() => checkGroupName(null)).toThrow(TypeError);
  });
});
