// Base64, base64url and UTF-8 helpers refuse bad input with a TypeError that names the function and the problem
// (wrong padding, truncated input, the first character outside the alphabet and its index), never with garbage bytes.
import { base64Decode, base64Encode, base64UrlDecode, base64UrlEncode, utf8Decode, utf8Encode } from "@webpubsub/core";
import { describe, expect, test } from "vitest";

describe("decoding errors", () => {
  test("a character outside ASCII is refused at its index, like any other character outside the alphabet", () => {
    for (const ch of ["\u0080", "é", "日", "\uD83D"]) {
      expect(() => base64Decode(`AAA${ch}`), `U+${ch.codePointAt(0)!.toString(16)}`).toThrow(
        "base64Decode: input is not valid base64: unexpected character at index 3",
      );
      expect(() => base64UrlDecode(`AA${ch}A`)).toThrow(
        "base64UrlDecode: input is not valid base64url: unexpected character at index 2",
      );
    }
  });

  test("padding on a string whose length is not a multiple of 4 is wrong padding; 4n+1 characters are truncated", () => {
    expect(() => base64Decode("Zg=")).toThrow("base64Decode: input is not valid base64: wrong padding");
    expect(() => base64UrlDecode("Zg=")).toThrow("base64UrlDecode: input is not valid base64url: wrong padding");
    expect(() => base64Decode("Zm9vY")).toThrow("base64Decode: input is not valid base64: truncated input");
  });

  test("a value that is not a string is refused, naming the function and the expected encoding", () => {
    expect(() => base64Decode(5 as never)).toThrow("base64Decode: input must be a base64 string");
    expect(() => base64UrlDecode(null as never)).toThrow("base64UrlDecode: input must be a base64url string");
  });

  test("the empty string decodes to no bytes", () => {
    expect(base64Decode("")).toEqual(new Uint8Array(0));
    expect(base64UrlDecode("")).toEqual(new Uint8Array(0));
  });
});

describe("encoding and UTF-8 errors", () => {
  test("each helper names itself and the type it wanted", () => {
    expect(() => base64Encode("x" as never)).toThrow("base64Encode: bytes must be a Uint8Array");
    expect(() => base64UrlEncode(1 as never)).toThrow("base64UrlEncode: input must be a Uint8Array or a string");
    expect(() => utf8Encode(1 as never)).toThrow("utf8Encode: input must be a string");
    expect(() => utf8Decode("x" as never)).toThrow("utf8Decode: input must be a Uint8Array");
  });
});
