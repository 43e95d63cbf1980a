// The abort policy as exported for other packages: abortReason and throwIfAborted always give this package's
// AbortError, with a custom abort reason as its cause.
import { describe, expect, it } from "vitest";
import { AbortError, abortReason, throwIfAborted } from "../src/index.ts";

describe("abortReason / throwIfAborted", () => {
  it("a custom reason becomes the cause; a bare abort() gives none; an AbortError reason is kept as is", () => {
    const custom = new Error("user gave up");
    const withCause = abortReason(AbortSignal.abort(custom));
    expect(withCause).toBeInstanceOf(AbortError);
    expect(withCause.cause).toBe(custom);
    const bare = abortReason(AbortSignal.abort());
    expect(bare).toBeInstanceOf(AbortError);
    expect(bare.cause).toBeUndefined();
    const own = new AbortError("stopped");
    expect(abortReason(AbortSignal.abort(own))).toBe(own);
    expect((abortReason(AbortSignal.abort("text")) as AbortError).cause).toBe("text");
  });

  it("throwIfAborted throws that AbortError only for an aborted signal", () => {
    expect(() => throwIfAborted(undefined)).not.toThrow();
    expect(() => throwIfAborted(new AbortController().signal)).not.toThrow();
    const custom = new Error("no");
    try {
      throwIfAborted(AbortSignal.abort(custom));
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(AbortError);
      expect((error as AbortError).cause).toBe(custom);
    }
  });
});
