// AzureKeyCredential: an access key that can be rotated (`update`), the credential this package's users construct.
// The same shape as @azure/core-auth's class (any `{ key }` object is accepted wherever a KeyCredential is); it lives
// here because importing @azure/core-auth at start-up loads its HTTP runtime (docs/decisions/0003-lazy-http-stack.md).
import type { KeyCredential } from "@azure/core-auth";

/** A static access key; `update(newKey)` takes effect at the next request and the next token signed. */
export class AzureKeyCredential implements KeyCredential {
  #key: string;

  /** @param key - The access key (the `AccessKey` of the connection string). */
  constructor(key: string) {
    if (typeof key !== "string" || key.length === 0) throw new TypeError("key must be a non-empty string");
    this.#key = key;
  }

  /** The current key. */
  get key(): string {
    return this.#key;
  }

  /** Replaces the key (key rotation); requests already sent are not affected. */
  update(newKey: string): void {
    if (typeof newKey !== "string" || newKey.length === 0) throw new TypeError("newKey must be a non-empty string");
    this.#key = newKey;
  }
}
