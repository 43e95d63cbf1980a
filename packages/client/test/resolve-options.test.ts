// The client's options on their own: the defaults, and every rule of validation with both sides of its boundary.
// An error names the option and says what it must be, before any connection is made.
import { MAX_TIMER_MS } from "@webpubsub/core";
import { describe, expect, it } from "vitest";
import type { WebPubSubClientOptions } from "../src/index.ts";
import { backoffShape, resolveOptions, resolveRetryOptions } from "../src/options.ts";

const RETRY_DEFAULTS = {
  maxRetries: 3,
  mode: "exponential",
  retryDelayInMs: 1000,
  maxRetryDelayInMs: 30_000,
  jitter: true,
} as const;

describe("defaults", () => {
  it("an empty options object resolves to the documented defaults", () => {
    expect(resolveOptions({})).toEqual({
      autoReconnect: true,
      autoRejoinGroups: true,
      reconnectRetryOptions: {
        maxRetries: Number.POSITIVE_INFINITY,
        mode: "exponential",
        retryDelayInMs: 500,
        maxRetryDelayInMs: 30_000,
        jitter: true,
        shouldRetry: undefined,
      },
      messageRetryOptions: { ...RETRY_DEFAULTS, shouldRetry: undefined },
      ackTimeoutInMs: 30_000,
      keepAliveIntervalInMs: 20_000,
      keepAliveTimeoutInMs: 60_000,
      connectTimeoutInMs: 30_000,
      recoveryWindowInMs: 30_000,
      stableConnectionInMs: 30_000,
      maxMessageSizeInBytes: undefined,
      binaryType: "uint8array",
    });
  });

  it("options must be an object", () => {
    for (const bad of [null, "fast", 3]) {
      expect(() => resolveOptions(bad as never)).toThrow(new TypeError("options must be an object"));
    }
  });

  it("given values are kept as given", () => {
    const given: WebPubSubClientOptions = {
      autoReconnect: false,
      autoRejoinGroups: false,
      ackTimeoutInMs: 1,
      keepAliveIntervalInMs: 0,
      keepAliveTimeoutInMs: 0,
      connectTimeoutInMs: 2,
      recoveryWindowInMs: 0,
      stableConnectionInMs: 0,
      maxMessageSizeInBytes: 1,
      binaryType: "arraybuffer",
    };
    expect(resolveOptions(given)).toMatchObject(structuredClone(given));
  });
});

describe("durations", () => {
  const zeroAllowed = ["keepAliveIntervalInMs", "recoveryWindowInMs", "stableConnectionInMs"] as const;
  const positive = ["ackTimeoutInMs", "connectTimeoutInMs"] as const;

  it("0 turns off keep-alive, recovery and the stable period; it is refused for the ack and connect timeouts", () => {
    for (const name of zeroAllowed) expect(resolveOptions({ [name]: 0 })[name], name).toBe(0);
    expect(resolveOptions({ keepAliveTimeoutInMs: 0 }).keepAliveTimeoutInMs).toBe(0);
    for (const name of positive) {
      expect(() => resolveOptions({ [name]: 0 }), name).toThrow(
        new RangeError(`options.${name} must be more than 0 ms, got 0`),
      );
      expect(resolveOptions({ [name]: 0.5 })[name], name).toBe(0.5);
    }
  });

  it("negative, NaN and non-number durations are refused, naming the option", () => {
    for (const name of zeroAllowed) {
      // a number as written, a string quoted (core's shownValue)
      for (const [bad, shown] of [
        [-1, "-1"],
        [Number.NaN, "NaN"],
        ["5", '"5"'],
      ] as const) {
        expect(() => resolveOptions({ [name]: bad }), `${name} ${String(bad)}`).toThrow(
          new RangeError(`options.${name} must be a finite number >= 0, got ${shown}.`),
        );
      }
    }
    expect(() => resolveOptions({ ackTimeoutInMs: -1 })).toThrow(
      new RangeError("options.ackTimeoutInMs must be a finite number >= 0, got -1."),
    );
  });

  it("a duration stops at a timer's limit, MAX_TIMER_MS", () => {
    expect(resolveOptions({ recoveryWindowInMs: MAX_TIMER_MS }).recoveryWindowInMs).toBe(MAX_TIMER_MS);
    expect(() => resolveOptions({ recoveryWindowInMs: MAX_TIMER_MS + 1 })).toThrow(
      new RangeError(
        `options.recoveryWindowInMs must be at most ${MAX_TIMER_MS} ms (a timer's limit), got ${MAX_TIMER_MS + 1}.`,
      ),
    );
  });

  it("the keep-alive timeout must be longer than the ping interval, unless either is off", () => {
    expect(() => resolveOptions({ keepAliveIntervalInMs: 1000, keepAliveTimeoutInMs: 1000 })).toThrow(
      new RangeError(
        "options.keepAliveTimeoutInMs must be 0 or more than options.keepAliveIntervalInMs (1000), got 1000",
      ),
    );
    expect(() => resolveOptions({ keepAliveIntervalInMs: 1000, keepAliveTimeoutInMs: 999 })).toThrow(RangeError);
    expect(resolveOptions({ keepAliveIntervalInMs: 1000, keepAliveTimeoutInMs: 1001 }).keepAliveTimeoutInMs).toBe(1001);
    expect(resolveOptions({ keepAliveIntervalInMs: 1000, keepAliveTimeoutInMs: 0 }).keepAliveTimeoutInMs).toBe(0);
    expect(resolveOptions({ keepAliveIntervalInMs: 0, keepAliveTimeoutInMs: 10 }).keepAliveTimeoutInMs).toBe(10);
    expect(() => resolveOptions({ keepAliveTimeoutInMs: 20_000 })).toThrow(
      /keepAliveIntervalInMs \(20000\), got 20000$/,
    ); // default interval
  });
});

describe("other options", () => {
  it("switches must be booleans", () => {
    for (const name of ["autoReconnect", "autoRejoinGroups"] as const) {
      expect(() => resolveOptions({ [name]: "yes" as never }), name).toThrow(
        new TypeError(`options.${name} must be a boolean, got "yes"`),
      );
    }
  });

  it("maxMessageSizeInBytes is a positive safe integer", () => {
    expect(resolveOptions({ maxMessageSizeInBytes: 2 ** 53 - 1 }).maxMessageSizeInBytes).toBe(2 ** 53 - 1);
    for (const bad of [0, -1, 1.5, 2 ** 53, "10"]) {
      const shown = typeof bad === "string" ? `"${bad}"` : String(bad);
      expect(() => resolveOptions({ maxMessageSizeInBytes: bad as number }), String(bad)).toThrow(
        new RangeError(`options.maxMessageSizeInBytes must be a positive integer number of bytes, got ${shown}`),
      );
    }
  });

  it("binaryType is uint8array or arraybuffer", () => {
    expect(resolveOptions({ binaryType: "uint8array" }).binaryType).toBe("uint8array");
    expect(resolveOptions({ binaryType: "arraybuffer" }).binaryType).toBe("arraybuffer");
    expect(() => resolveOptions({ binaryType: "blob" as never })).toThrow(TypeError);
  });

  it("a refused binaryType is echoed by its first 64 characters only; a short one whole; an object by type", () => {
    const long = "x".repeat(100_000);
    expect(() => resolveOptions({ binaryType: long as never })).toThrow(
      new TypeError(`options.binaryType must be "uint8array" or "arraybuffer", got "${"x".repeat(64)}"...`),
    );
    expect(() => resolveOptions({ binaryType: "x".repeat(64) as never })).toThrow(
      new TypeError(`options.binaryType must be "uint8array" or "arraybuffer", got "${"x".repeat(64)}"`),
    );
    // an object is named by its type: never serialized, and one without a toString does not break the check
    expect(() => resolveOptions({ binaryType: Object.create(null) })).toThrow(
      new TypeError('options.binaryType must be "uint8array" or "arraybuffer", got object'),
    );
  });
});

describe("retry options", () => {
  const resolve = (value: unknown) => resolveRetryOptions(value as never, "opts", RETRY_DEFAULTS);

  it("absent options take the defaults; given fields replace them one by one", () => {
    expect(resolve(undefined)).toEqual({ ...RETRY_DEFAULTS, shouldRetry: undefined });
    expect(resolve({})).toEqual({ ...RETRY_DEFAULTS, shouldRetry: undefined });
    const shouldRetry = () => false;
    expect(
      resolve({ maxRetries: 0, mode: "fixed", retryDelayInMs: 1, maxRetryDelayInMs: 5, jitter: false, shouldRetry }),
    ).toEqual({ maxRetries: 0, mode: "fixed", retryDelayInMs: 1, maxRetryDelayInMs: 5, jitter: false, shouldRetry });
  });

  it("must be an object", () => {
    for (const bad of [null, 5, "x"]) expect(() => resolve(bad)).toThrow(new TypeError("opts must be an object"));
  });

  it("maxRetries is an integer >= 0 or Infinity", () => {
    expect(resolve({ maxRetries: Number.POSITIVE_INFINITY }).maxRetries).toBe(Number.POSITIVE_INFINITY);
    expect(resolve({ maxRetries: 7 }).maxRetries).toBe(7);
    for (const bad of [-1, 1.5, Number.NaN, Number.NEGATIVE_INFINITY, "3"]) {
      const shown = typeof bad === "string" ? `"${bad}"` : String(bad);
      expect(() => resolve({ maxRetries: bad }), String(bad)).toThrow(
        new RangeError(`opts.maxRetries must be an integer >= 0 or Infinity, got ${shown}`),
      );
    }
  });

  it("mode is exponential or fixed, in either spelling; anything else is refused and echoed at most 64 characters", () => {
    expect(resolve({ mode: "Exponential" }).mode).toBe("exponential");
    expect(resolve({ mode: "Fixed" }).mode).toBe("fixed");
    expect(resolve({ mode: "exponential" }).mode).toBe("exponential");
    expect(() => resolve({ mode: "y".repeat(100_000) })).toThrow(
      new TypeError(
        `opts.mode must be "exponential" or "fixed" (or "Exponential" / "Fixed"), got "${"y".repeat(64)}"...`,
      ),
    );
    expect(() => resolve({ mode: "y".repeat(50) })).toThrow(
      new TypeError(`opts.mode must be "exponential" or "fixed" (or "Exponential" / "Fixed"), got "${"y".repeat(50)}"`),
    );
  });

  it("the delays follow the duration rules, named under the retry options", () => {
    expect(() => resolve({ retryDelayInMs: -1 })).toThrow(
      new RangeError("opts.retryDelayInMs must be a finite number >= 0, got -1."),
    );
    expect(() => resolve({ maxRetryDelayInMs: MAX_TIMER_MS + 1 })).toThrow(/^opts\.maxRetryDelayInMs must be at most/);
  });

  it("retryDelayInMs and maxRetryDelayInMs are at least 1 ms: a shorter delay would retry in a busy loop", () => {
    for (const key of ["retryDelayInMs", "maxRetryDelayInMs"] as const) {
      expect(resolve({ [key]: 1 })[key]).toBe(1);
      for (const bad of [0, 0.999]) {
        expect(() => resolve({ [key]: bad })).toThrow(new RangeError(`opts.${key} must be at least 1 ms, got ${bad}`));
      }
    }
    // the client names the option it refuses: options.reconnectRetryOptions / options.messageRetryOptions
    for (const key of ["reconnectRetryOptions", "messageRetryOptions"] as const) {
      expect(resolveOptions({ [key]: { retryDelayInMs: 1, maxRetryDelayInMs: 1 } })[key].retryDelayInMs).toBe(1);
      expect(() => resolveOptions({ [key]: { retryDelayInMs: 0 } })).toThrow(
        new RegExp(`^options\\.${key}\\.retryDelayInMs must be at least 1 ms`),
      );
    }
  });

  it("shouldRetry must be a function and jitter a boolean", () => {
    expect(() => resolve({ shouldRetry: "always" })).toThrow(new TypeError("opts.shouldRetry must be a function"));
    expect(() => resolve({ jitter: 1 })).toThrow(new TypeError("opts.jitter must be a boolean, got 1"));
  });

  it("backoffShape hands over exactly the delay fields", () => {
    const resolved = resolve({
      mode: "fixed",
      retryDelayInMs: 10,
      maxRetryDelayInMs: 20,
      jitter: false,
      maxRetries: 1,
    });
    expect(backoffShape(resolved)).toEqual({ mode: "fixed", retryDelayInMs: 10, maxRetryDelayInMs: 20, jitter: false });
  });

  it("the client reads its reconnect and message retry options under their own names", () => {
    expect(() => resolveOptions({ reconnectRetryOptions: { maxRetries: -1 } })).toThrow(
      /^options\.reconnectRetryOptions\.maxRetries/,
    );
    expect(() => resolveOptions({ messageRetryOptions: { maxRetries: -1 } })).toThrow(
      /^options\.messageRetryOptions\.maxRetries/,
    );
  });
});
