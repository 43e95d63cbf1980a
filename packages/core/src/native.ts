// Native building blocks some runtimes expose without an import: `process.getBuiltinModule` exists in Node (>= 22.3),
// Bun and Deno. Looking them up at run time keeps this package free of `node:` imports, so bundlers and browsers never
// see Node code; where they are missing, callers fall back to their portable JavaScript paths.

type GetBuiltinModule = (id: string) => unknown;

const getBuiltinModule = (globalThis as { process?: { getBuiltinModule?: GetBuiltinModule } }).process
  ?.getBuiltinModule;

function builtin<T>(id: string): T | undefined {
  try {
    return typeof getBuiltinModule === "function" ? (getBuiltinModule(id) as T | undefined) : undefined;
  } catch {
    return undefined;
  }
}

export interface NativeCrypto {
  createSecretKey(key: Uint8Array): unknown;
  createHmac(
    algorithm: "sha256",
    key: unknown,
  ): { update(data: Uint8Array | string): { digest(): Uint8Array; digest(encoding: "base64url"): string } };
}

interface NativeBufferValue {
  toString(encoding: "base64url" | "base64"): string;
}

export interface NativeBuffer {
  from(data: string, encoding: "utf8"): NativeBufferValue;
  from(data: string, encoding: "base64" | "base64url"): Uint8Array;
  from(data: ArrayBufferLike, byteOffset: number, length: number): NativeBufferValue;
}

let crypto: NativeCrypto | undefined | null = null;

/**
 * Node's crypto module, looked up on first use rather than when core loads: loading it costs a cold import several
 * milliseconds, and most importers (a WebSocket client) never sign anything. The lookup function is the one found
 * when core loaded.
 */
export function nativeCrypto(): NativeCrypto | undefined {
  if (crypto === null) crypto = builtin<NativeCrypto>("node:crypto");
  return crypto;
}

// (pure: a bundle that does not use it drops the lookup)
export const nativeBuffer: NativeBuffer | undefined = /* @__PURE__ */ builtin<{ Buffer: NativeBuffer }>(
  "node:buffer",
)?.Buffer;
