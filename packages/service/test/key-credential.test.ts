// AzureKeyCredential: the access key is a non-empty string, at construction and at every rotation.
import { describe, expect, it } from "vitest";
import { AzureKeyCredential } from "../src/index.ts";

describe("AzureKeyCredential", () => {
  it.each([
    ["a number", 5],
    ["an object with a length", { length: 3 }],
    ["an empty string", ""],
  ])("refuses %s as the key", (_name, key) => {
    expect(() => new AzureKeyCredential(key as never)).toThrow(new TypeError("key must be a non-empty string"));
  });

  it.each([
    ["a number", 5],
    ["an object with a length", { length: 3 }],
    ["an empty string", ""],
  ])("refuses %s as the new key, keeping the current one", (_name, key) => {
    const credential = new AzureKeyCredential("k1");
    expect(() => credential.update(key as never)).toThrow(new TypeError("newKey must be a non-empty string"));
    expect(credential.key).toBe("k1");
  });

  it("takes a one-character key, and a rotation replaces it", () => {
    const credential = new AzureKeyCredential("a");
    expect(credential.key).toBe("a");
    credential.update("b");
    expect(credential.key).toBe("b");
  });
});
