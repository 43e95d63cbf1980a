// The ce-signature rules (protocol.md 5.4): only `sha256=` entries count, keys must be non-empty strings, and a
// missing or unusable header or connection id is "not valid" rather than an exception.
import {
  hmacSha256Hex,
  MAX_SIGNATURE_HEADER_LENGTH,
  signConnectionId,
  verifyConnectionSignature,
} from "@webpubsub/core";
import { describe, expect, test } from "vitest";

describe("verifyConnectionSignature", () => {
  test("an entry with another algorithm name never matches, even when it carries the right digest", async () => {
    const digest = await hmacSha256Hex("key", "conn");
    expect(await verifyConnectionSignature(`sha256=${digest}`, "conn", ["key"])).toBe(true);
    for (const header of [`sha512=${digest}`, `sha384=${digest}`, `md5=${digest}`, digest, `x${digest}`]) {
      expect(await verifyConnectionSignature(header, "conn", ["key"]), header).toBe(false);
    }
  });

  test("a header of at most MAX_SIGNATURE_HEADER_LENGTH characters is read to its end; a longer one is not valid", async () => {
    // The bound keeps one request from holding the event loop (millions of entries to split and compare).
    const entry = `sha256=${await hmacSha256Hex("key", "conn")}`;
    const filler = (length: number) => ",".repeat(length);
    const atBound = filler(MAX_SIGNATURE_HEADER_LENGTH - entry.length) + entry;
    expect(atBound.length).toBe(MAX_SIGNATURE_HEADER_LENGTH);
    expect(await verifyConnectionSignature(atBound, "conn", ["key"])).toBe(true);
    expect(await verifyConnectionSignature(`,${atBound}`, "conn", ["key"])).toBe(false);
    expect(await verifyConnectionSignature(atBound.slice(1), "conn", ["key"])).toBe(true);
    expect(await verifyConnectionSignature(filler(2_000_000) + entry, "conn", ["key"])).toBe(false);
  });

  test("a connection id that is not a string is not valid (no exception)", async () => {
    const header = await signConnectionId("1", ["key"]);
    expect(await verifyConnectionSignature(header, 1 as never, ["key"])).toBe(false);
  });

  test("the keys must be an array of non-empty strings", async () => {
    for (const keys of ["key", [""], ["key", ""], [1], null]) {
      await expect(verifyConnectionSignature("sha256=00", "conn", keys as never)).rejects.toThrow(
        "accessKeys must be an array of non-empty strings",
      );
    }
  });
});

describe("signConnectionId", () => {
  test("refuses a connection id that is not a string, bad keys and an empty key list, naming the problem", async () => {
    await expect(signConnectionId(1 as never, ["key"])).rejects.toThrow("connectionId must be a string");
    await expect(signConnectionId("c", [""])).rejects.toThrow("accessKeys must be an array of non-empty strings");
    await expect(signConnectionId("c", [])).rejects.toThrow("accessKeys must contain at least one key");
  });
});
