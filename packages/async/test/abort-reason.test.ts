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

  it("an AbortError made without a message says the operation was aborted", () => {
    expect(new AbortError().message).toBe("The operation was aborted.");
    expect(abortReason(AbortSignal.abort()).message).toBe("The operation was aborted.");
  });

  // Rule: only a bare abort (no reason, or the DOMException named AbortError that abort() makes) gives no cause;
  // every other reason, whatever its name or type, is kept as the cause.
  it("keeps a reason of another DOMException name, or an Error named AbortError, as the cause", () => {
    const timedOut = new DOMException("signal timed out", "TimeoutError");
    expect(abortReason(AbortSignal.abort(timedOut)).cause).toBe(timedOut);
    const foreign = Object.assign(new Error("another library's abort"), { name: "AbortError" });
    expect(abortReason(AbortSignal.abort(foreign)).cause).toBe(foreign);
    // the other side: the DOMException of a bare abort() is not a cause
    const bare = new DOMException("This operation was aborted", "AbortError");
    expect("cause" in abortReason(AbortSignal.abort(bare))).toBe(false);
  });

  it("gives no cause (not even an undefined one) for a signal of AbortSignal's shape aborted without a reason", () => {
    const shaped = { aborted: true, reason: undefined } as unknown as AbortSignal;
    const error = abortReason(shaped);
    expect(error).toBeInstanceOf(AbortError);
    expect("cause" in error).toBe(false);
    // the other side: the same signal with a reason keeps it
    const why = new Error("why");
    expect(abortReason({ aborted: true, reason: why } as unknown as AbortSignal).cause).toBe(why);
  });
});
