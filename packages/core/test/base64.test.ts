import { base64Decode, base64Encode, base64UrlDecode, base64UrlEncode, utf8Decode, utf8Encode } from "@webpubsub/core";
import { describe, expect, test } from "vitest";

const bytes = (s: string) => new TextEncoder().encode(s);

describe("base64", () => {
  test.each([
    ["", ""],
    ["f", "Zg=="],
    ["fo", "Zm8="],
    ["foo", "Zm9v"],
    ["foob", "Zm9vYg=="],
    ["fooba", "Zm9vYmE="],
    ["foobar", "Zm9vYmFy"],
  ])("RFC 4648 vector %j", (input, encoded) => {
    expect(base64Encode(bytes(input))).toBe(encoded);
    expect(base64Decode(encoded)).toEqual(bytes(input));
  });

  test("matches Buffer for every byte value and many lengths", () => {
    const all = Uint8Array.from({ length: 256 * 3 + 2 }, (_, i) => (i * 7 + 3) & 255);
    for (let len = 0; len < all.length; len += 37) {
      const b = all.subarray(0, len);
      expect(base64Encode(b)).toBe(Buffer.from(b).toString("base64"));
      expect(base64UrlEncode(b)).toBe(Buffer.from(b).toString("base64url"));
      expect(base64Decode(Buffer.from(b).toString("base64"))).toEqual(new Uint8Array(b));
      expect(base64UrlDecode(Buffer.from(b).toString("base64url"))).toEqual(new Uint8Array(b));
    }
  });

  test("large inputs round-trip", () => {
    const big = Uint8Array.from({ length: 200_003 }, (_, i) => i & 255);
    expect(base64Decode(base64Encode(big))).toEqual(big);
  });

  test("decoding accepts missing padding", () => {
    expect(base64Decode("Zg")).toEqual(bytes("f"));
    expect(base64UrlDecode("Zm8=")).toEqual(bytes("fo"));
  });

  test.each(["Zg=", "Z===", "Zm9v!", "Z", "Zm9 v", "Zm9v\n", "=Zm9", "Zm-v", "é"])("rejects invalid base64 %j", (s) => {
    expect(() => base64Decode(s)).toThrow(TypeError);
  });

  test("base64url rejects the standard alphabet's + and /", () => {
    expect(() => base64UrlDecode("a+b/")).toThrow(TypeError);
  });

  test("base64UrlEncode encodes strings as UTF-8", () => {
    expect(base64UrlEncode("héllo?")).toBe(Buffer.from("héllo?").toString("base64url"));
  });

  test("rejects non-bytes", () => {
    expect(() => base64Encode("x" as unknown as Uint8Array)).toThrow(TypeError);
    expect(() => base64UrlEncode(1 as unknown as string)).toThrow(TypeError);
  });
});

describe("utf8", () => {
  test("round-trips non-ASCII text", () => {
    const s = "日本語 ✓ 😀";
    expect(utf8Decode(utf8Encode(s))).toBe(s);
    expect(utf8Encode(s)).toEqual(new Uint8Array(Buffer.from(s)));
  });

  test("rejects invalid UTF-8", () => {
    expect(() => utf8Decode(new Uint8Array([0xff, 0xfe]))).toThrow(TypeError);
  });
});
