// The portable (no Node natives) HMAC-SHA256 and base64url paths, as browsers and edge runtimes run them, checked
// against node:crypto and Buffer at every boundary that matters: key lengths around the 64-byte block (longer keys
// are hashed first, a key of exactly 64 bytes is not), multi-byte UTF-8 keys, and every input length mod 3.
import { createHmac } from "node:crypto";
import { afterAll, beforeAll, describe, expect, test, vi } from "vitest";
import * as Core from "../src/index.ts";

const saved = process.getBuiltinModule;
let portable: typeof Core;

beforeAll(async () => {
  vi.resetModules();
  // @ts-expect-error: hiding the lookup makes core take its portable paths
  process.getBuiltinModule = undefined;
  try {
    const nativePath = "../src/native.ts?portable-boundaries";
    const indexPath = "../src/index.ts?portable-boundaries";
    const native = (await import(nativePath)) as { nativeCrypto: () => unknown; nativeBuffer?: unknown };
    expect(native.nativeCrypto()).toBeUndefined();
    expect(native.nativeBuffer).toBeUndefined();
    portable = (await import(indexPath)) as typeof Core;
  } finally {
    process.getBuiltinModule = saved;
  }
});
afterAll(() => {
  process.getBuiltinModule = saved;
});

describe("portable HMAC-SHA256", () => {
  test("agrees with node:crypto for keys of 1 to 130 bytes (below, at and above the 64-byte block)", async () => {
    for (let length = 1; length <= 130; length++) {
      const key = String.fromCharCode(...Array.from({ length }, (_, i) => 33 + ((i * 7 + length) % 90)));
      for (const message of ["", "conn-1", "m".repeat(64)]) {
        expect(await portable.hmacSha256Hex(key, message), `key of ${length} bytes`).toBe(
          createHmac("sha256", key).update(message).digest("hex"),
        );
      }
    }
  });

  test("takes keys as UTF-8, also when multi-byte characters cross the 64-byte block", async () => {
    for (const key of ["é".repeat(31), "é".repeat(32), "é".repeat(33), "🔑".repeat(16), "🔑".repeat(17)]) {
      expect(await portable.hmacSha256Hex(key, "m")).toBe(createHmac("sha256", key).update("m").digest("hex"));
    }
  });

  test("signs and verifies JWTs that node:crypto agrees with, byte for byte what the native path signs", () => {
    const key = "k".repeat(64);
    const token = portable.signJwtSync({ sub: "a" }, key, { now: 1, expiresInSeconds: 60 });
    expect(token).toBe(Core.signJwtSync({ sub: "a" }, key, { now: 1, expiresInSeconds: 60 }));
    const [h, p, s] = token.split(".");
    expect(createHmac("sha256", key).update(`${h}.${p}`).digest("base64url")).toBe(s);
    expect(portable.verifyJwtSync(token, key, { now: 2 })).toMatchObject({ sub: "a" });
  });
});

describe("portable base64url", () => {
  test("encodes every length mod 3 without padding, as Buffer does", () => {
    for (let length = 0; length <= 12; length++) {
      const bytes = Uint8Array.from({ length }, (_, i) => (i * 97 + 251) & 255);
      expect(portable.base64UrlEncode(bytes), `${length} bytes`).toBe(Buffer.from(bytes).toString("base64url"));
    }
    expect(portable.base64UrlEncode("ü?>")).toBe(Buffer.from("ü?>").toString("base64url"));
  });

  test("refuses input that is neither bytes nor a string, naming the function", () => {
    expect(() => portable.base64UrlEncode(5 as never)).toThrow(
      "base64UrlEncode: input must be a Uint8Array or a string",
    );
  });
});
