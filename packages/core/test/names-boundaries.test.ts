// Hub, group and event name rules (protocol.md 7) at their boundaries: both sides of every length limit, values that
// are not strings even when their text form would pass, and errors that name the argument and the problem.
import {
  checkGroupName,
  checkHubName,
  isValidEventName,
  isValidGroupName,
  validateGroupName,
  validateHubName,
} from "@webpubsub/core";
import { describe, expect, test } from "vitest";

describe("hub names", () => {
  test("a value that is not a string is refused even when its text form is a valid name", () => {
    for (const hub of [undefined, null, true, ["hub"], { toString: () => "hub" }]) {
      expect(() => checkHubName(hub)).toThrow(TypeError);
    }
  });

  test("the error names the argument and what was wrong", () => {
    expect(() => checkHubName(7, "hubName")).toThrow("hubName must be a string, got number");
    expect(() => checkHubName("1x", "hubName")).toThrow('hubName "1x" is not a valid hub name');
    expect(() => checkHubName("1x")).toThrow(
      'hub "1x" is not a valid hub name: it must start with a letter and contain 1 to 128 letters, digits or the ' +
        "characters _ ` , . [ ]",
    );
  });

  test("a refused name is echoed whole up to 64 characters and cut after them (no unbounded echo)", () => {
    const at = "1".repeat(64);
    expect(() => checkHubName(at)).toThrow(`hub "${at}" is not a valid hub name`);
    const over = "1".repeat(65);
    let message = "";
    try {
      checkHubName(over + "x".repeat(100_000));
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message.startsWith(`hub "${at}"... is not a valid hub name`)).toBe(true);
    expect(message.length).toBeLessThan(300);
  });

  test("the earlier names validateHubName / validateGroupName are the same functions (deprecated aliases)", () => {
    expect(validateHubName).toBe(checkHubName);
    expect(validateGroupName).toBe(checkGroupName);
  });
});

describe("group names", () => {
  test("1 to 1024 characters: 1024 is accepted, 1025 refused, and the error says so", () => {
    expect(() => checkGroupName("g".repeat(1024))).not.toThrow();
    expect(() => checkGroupName("g".repeat(1025))).toThrow("group must be 1 to 1024 characters long, got 1025");
    expect(() => checkGroupName("")).toThrow("group must be 1 to 1024 characters long, got 0");
    expect(isValidGroupName("g".repeat(1024))).toBe(true);
    expect(isValidGroupName("g".repeat(1025))).toBe(false);
    expect(isValidGroupName("g")).toBe(true);
    expect(isValidGroupName("")).toBe(false);
  });

  test("whitespace-only names are refused with their own message", () => {
    expect(() => checkGroupName(" \t", "groupName")).toThrow("groupName must not be whitespace only");
    expect(isValidGroupName(" \t")).toBe(false);
  });

  test("a value that is not a string is refused with a message naming its type; isValidGroupName never throws", () => {
    expect(() => checkGroupName(12, "groupName")).toThrow("groupName must be a string, got number");
    for (const group of [undefined, null, 12, ["g"], { length: 1, trim: () => "g" }]) {
      expect(() => checkGroupName(group)).toThrow(TypeError);
      expect(isValidGroupName(group)).toBe(false);
    }
  });
});

describe("event names", () => {
  test("a value that is not a string is never a valid event name, even when its text form would be", () => {
    for (const event of [undefined, null, true, ["message"], { toString: () => "message" }]) {
      expect(isValidEventName(event)).toBe(false);
    }
    expect(isValidEventName("message")).toBe(true);
  });

  test("a letter, then up to 127 letters, digits or _ . -", () => {
    expect(isValidEventName(`a${"b".repeat(127)}`)).toBe(true);
    expect(isValidEventName(`a${"b".repeat(128)}`)).toBe(false);
    expect(isValidEventName("a_b.c-d9")).toBe(true);
    for (const bad of ["", "1a", "_a", "a b", "a/b", "a,b", "ä"]) expect(isValidEventName(bad), bad).toBe(false);
  });
});
