// The native fast paths (Node's crypto and Buffer, found at run time) and the portable JavaScript paths must give
// byte-identical results: load core a second time with process.getBuiltinModule hidden and compare.
import { execFileSync } from "node:child_process";
import { afterAll, describe, expect, it, vi } from "vitest";
import * as withNatives from "../src/index.ts";
import { nativeBuffer, nativeCrypto } from "../src/native.ts";

const saved = process.getBuiltinModule;
afterAll(() => {
  process.getBuiltinModule = saved;
});

async function loadPortable(): Promise<typeof withNatives> {
  vi.resetModules();
  // @ts-expect-error: hiding the lookup is the point of this test
  process.getBuiltinModule = undefined;
  try {
    // A query makes vitest evaluate fresh copies of the modules while the lookup is hidden.
    const nativePath = "../src/native.ts?portable";
    const indexPath = "../src/index.ts?portable";
    const native = (await import(nativePath)) as { nativeCrypto: () => unknown };
    expect(native.nativeCrypto()).toBeUndefined();
    return (await import(indexPath)) as typeof withNatives;
  } finally {
    process.getBuiltinModule = saved;
  }
}

describe("native and portable paths", () => {
  it("finds the natives on Node", () => {
    expect(nativeCrypto()).toBeDefined();
    expect(nativeBuffer).toBeDefined();
  });

  it("sign the same tokens and encode the same base64url", async () => {
    const portable = await loadPortable();
    const key = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789ABCDEFGH";
    const claims = { aud: "http://localhost/client/hubs/h", sub: "ünïcødé ✓", role: ["webpubsub.sendToGroup.g"] };
    const a = await withNatives.signJwt(claims, key, { now: 1_700_000_000, expiresInSeconds: 60 });
    const b = await portable.signJwt(claims, key, { now: 1_700_000_000, expiresInSeconds: 60 });
    expect(a).toBe(b);
    await expect(portable.verifyJwt(a, key, { now: 1_700_000_010 })).resolves.toMatchObject({ sub: "ünïcødé ✓" });
    for (let n = 0; n < 70; n++) {
      const bytes = Uint8Array.from({ length: n }, (_, i) => (i * 37 + n) & 255);
      expect(withNatives.base64UrlEncode(bytes)).toBe(portable.base64UrlEncode(bytes));
      expect(withNatives.base64UrlEncode(bytes.subarray(1))).toBe(portable.base64UrlEncode(bytes.subarray(1)));
    }
    for (const k of ["k", key, "x".repeat(65), "é".repeat(40)]) {
      expect(await withNatives.hmacSha256Hex(k, "message ✓")).toBe(await portable.hmacSha256Hex(k, "message ✓"));
    }
  });

  it("encode and decode the same base64 and base64url, and refuse the same bad input (Buffer vs atob/btoa)", async () => {
    const portable = await loadPortable();
    for (const n of [0, 1, 2, 3, 4, 5, 63, 64, 65, 0x8000 + 7]) {
      const bytes = Uint8Array.from({ length: n }, (_, i) => (i * 151 + n) & 255);
      const std = withNatives.base64Encode(bytes);
      const url = withNatives.base64UrlEncode(bytes);
      expect(portable.base64Encode(bytes)).toBe(std);
      expect(portable.base64UrlEncode(bytes)).toBe(url);
      expect(portable.base64Decode(std)).toEqual(bytes);
      expect(portable.base64UrlDecode(url)).toEqual(bytes);
      expect(withNatives.base64Decode(std)).toEqual(bytes);
      expect(Object.getPrototypeOf(withNatives.base64Decode(std))).toBe(Uint8Array.prototype);
    }
    // Both paths check the input first: Buffer would skip the "!" and atob the space.
    for (const [input, problem] of [
      ["Zm9v!mFy", "unexpected character at index 4"],
      ["Zm9v YmF", "unexpected character at index 4"],
      ["Zg=", "wrong padding"],
      ["Zm9vY", "truncated input"],
    ]) {
      expect(() => portable.base64Decode(input as string)).toThrow(
        `base64Decode: input is not valid base64: ${problem}`,
      );
      expect(() => withNatives.base64Decode(input as string)).toThrow(problem as string);
    }
    expect(() => portable.base64UrlDecode("ab+c")).toThrow("unexpected character at index 2");
    expect(() => withNatives.base64Decode("ab-c")).toThrow("unexpected character at index 2");
  });

  it("loads node:crypto on the first HMAC, not with core (fresh process)", () => {
    const script = `
      const loaded = () => process.moduleLoadList.includes("NativeModule crypto");
      const core = await import("./src/index.ts");
      const atImport = loaded();
      const mac = await core.hmacSha256Hex("k", "m");
      process.stdout.write(JSON.stringify({ atImport, afterHmac: loaded(), mac: mac.length }));`;
    // (the source condition resolves core's #native import to src/native.ts, as in the workspace's other child processes)
    const out = execFileSync(process.execPath, ["--conditions=source", "--input-type=module", "-e", script], {
      cwd: new URL("..", import.meta.url).pathname,
      encoding: "utf8",
    });
    expect(JSON.parse(out)).toEqual({ atImport: false, afterHmac: true, mac: 64 });
  });
});
