// What native.ts gives where there are no Node natives: the `browser` condition of core's `#native` import (see
// package.json "imports"), so that browser bundles carry neither the run-time lookup nor the Buffer and node:crypto
// paths of their callers (base64.ts and hmac.ts take their portable paths, which Node's tests check against the
// native ones byte for byte).

import type { NativeBuffer, NativeCrypto } from "./native.ts";

export const nativeBuffer: NativeBuffer | undefined = undefined;

export function nativeCrypto(): NativeCrypto | undefined {
  return undefined;
}
