import { HUB_NAME_PATTERN, validateGroupName, validateHubName } from "@webpubsub/core";
import { describe, expect, test } from "vitest";

describe("validateHubName", () => {
  test.each(["a", "Hub1", "chat_room", "a`,.[]", "A".repeat(128)])("accepts %j", (hub) => {
    expect(() => validateHubName(hub)).not.toThrow();
    expect(HUB_NAME_PATTERN.test(hub)).toBe(true);
  });

  test.each(["", "1hub", "_hub", "hub-name", "hub name", "a/b", "A".repeat(129), "hüb"])("rejects %j", (hub) => {
    expect(() => validateHubName(hub, "hubName")).toThrow(/hubName/);
    expect(() => validateHubName(hub)).toThrow(TypeError);
  });

  test("rejects non-strings", () => {
    expect(() => validateHubName(42)).toThrow(TypeError);
  });
});

describe("validateGroupName", () => {
  test.each(["g", "a b", " x ", "g".repeat(1024), "日本"])("accepts %j", (g) => {
    expect(() => validateGroupName(g)).not.toThrow();
  });

  test.each(["", " ", "\t\n", "g".repeat(1025)])("rejects %j", (g) => {
    expect(() => validateGroupName(g, "groupName")).toThrow(/groupName/);
  });

  test("rejects non-strings", () => {
    expect(() => validateGroupName(null)).toThrow(TypeError);
  });
});
