// Our SHA-256 / HMAC-SHA256 against node:crypto, including every padding boundary and long keys.
import { createHash, createHmac } from "node:crypto";
import { hmacSha256Hex, signJwt } from "@webpubsub/core";
import { describe, expect, test } from "vitest";
import { sha256 } from "../src/sha256.ts";

function pseudoRandomBytes(length: number, seed: number): Uint8Array {
  let s = seed;
  return Uint8Array.from({ length }, () => {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    return s >>> 16;
  });
}

describe("sha256", () => {
  test("known answers", () => {
    const hex = (s: string) => Buffer.from(sha256(new TextEncoder().encode(s))).toString("hex");
    expect(hex("")).toBe("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    expect(hex("abc")).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    expect(hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")).toBe(
      "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1",
    );
  });

  test("matches node:crypto for every length from 0 to 300 bytes", () => {
    for (let len = 0; len <= 300; len++) {
      const data = pseudoRandomBytes(len, len + 1);
      expect(Buffer.from(sha256(data)).toString("hex"), `length ${len}`).toBe(
        createHash("sha256").update(data).digest("hex"),
      );
    }
  });

  test("matches node:crypto for a large input", () => {
    const data = pseudoRandomBytes(100_000, 3);
    expect(Buffer.from(sha256(data)).toString("hex")).toBe(createHash("sha256").update(data).digest("hex"));
  });
});

describe("hmacSha256Hex", () => {
  test.each([1, 2, 31, 32, 44, 63, 64, 65, 100, 200])(
    "matches node:crypto with a %i-character key",
    async (keyLength) => {
      const key = "k".repeat(keyLength - 1) + String.fromCharCode(65 + (keyLength % 26));
      for (const message of ["", "conn-1", "x".repeat(55), "y".repeat(64), "z".repeat(119), "日本語".repeat(40)]) {
        expect(await hmacSha256Hex(key, message)).toBe(createHmac("sha256", key).update(message).digest("hex"));
      }
    },
  );

  test("non-ASCII keys are used as UTF-8", async () => {
    expect(await hmacSha256Hex("ключ🔑", "m")).toBe(createHmac("sha256", "ключ🔑").update("m").digest("hex"));
  });

  test("many distinct keys (beyond the key cache size) stay correct", async () => {
    for (let i = 0; i < 150; i++) {
      const key = `key-${i}`;
      expect(await hmacSha256Hex(key, "m")).toBe(createHmac("sha256", key).update("m").digest("hex"));
    }
    const again = await signJwt({ iat: 1 }, "key-0");
    const [h, p, s] = again.split(".");
    expect(createHmac("sha256", "key-0").update(`${h}.${p}`).digest("base64url")).toBe(s);
  });

  test("bad arguments are TypeErrors", async () => {
    await expect(hmacSha256Hex("", "m")).rejects.toThrow(TypeError);
    await expect(hmacSha256Hex("k", 1 as never)).rejects.toThrow(TypeError);
  });
});
