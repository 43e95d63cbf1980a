// The argument checks on their own: what each takes, what it refuses (both sides of every bound), and the error it
// throws: its class and a message naming the argument, with what was given shown bounded. The client's methods run
// these before any side effect (messaging.test.ts and bounded-echoes.test.ts check that end to end).
import { MAX_TIMER_MS } from "@webpubsub/core/timers";
import { describe, expect, it } from "vitest";
import {
  checkAckId,
  checkEventName,
  checkIdleTimeout,
  checkOnGroupStream,
  checkSendOptions,
  checkStreamOptions,
  checkUrl,
} from "../src/validation.ts";

describe("checkAckId", () => {
  it("takes undefined and safe integers from 0; refuses the rest with a RangeError naming options.ackId", () => {
    for (const ok of [undefined, 0, 1, Number.MAX_SAFE_INTEGER]) expect(() => checkAckId(ok)).not.toThrow();
    expect(() => checkAckId(-1)).toThrow(new RangeError("options.ackId must be a safe integer >= 0, got -1"));
    expect(() => checkAckId(1.5)).toThrow(new RangeError("options.ackId must be a safe integer >= 0, got 1.5"));
    expect(() => checkAckId(Number.MAX_SAFE_INTEGER + 1)).toThrow(RangeError);
    expect(() => checkAckId("1")).toThrow(new RangeError('options.ackId must be a safe integer >= 0, got "1"'));
  });
});

describe("checkSendOptions", () => {
  it("takes the switches as booleans or absent, and refuses others naming the option", () => {
    expect(() => checkSendOptions({})).not.toThrow();
    expect(() => checkSendOptions({ fireAndForget: false, noEcho: true, ackId: 3 })).not.toThrow();
    expect(() => checkSendOptions({ fireAndForget: "yes" })).toThrow(
      new TypeError('options.fireAndForget must be a boolean, got "yes"'),
    );
    expect(() => checkSendOptions({ noEcho: 1 })).toThrow(new TypeError("options.noEcho must be a boolean, got 1"));
  });

  it("refuses an ackId with fireAndForget (nothing would ack it), but not with fireAndForget false", () => {
    expect(() => checkSendOptions({ fireAndForget: true, ackId: 1 })).toThrow(
      new TypeError("options.ackId cannot be combined with options.fireAndForget (fire-and-forget sends no ackId)"),
    );
    expect(() => checkSendOptions({ fireAndForget: true, ackId: 0 })).toThrow(/cannot be combined/);
    expect(() => checkSendOptions({ fireAndForget: true })).not.toThrow();
    expect(() => checkSendOptions({ fireAndForget: false, ackId: 1 })).not.toThrow();
  });

  it("checks the options object, its ackId and its abortSignal first (the group options)", () => {
    expect(() => checkSendOptions(null)).toThrow(new TypeError("options must be an object"));
    expect(() => checkSendOptions(1)).toThrow(new TypeError("options must be an object"));
    expect(() => checkSendOptions({ ackId: -1 })).toThrow(RangeError);
    expect(() => checkSendOptions({ abortSignal: {} })).toThrow(
      new TypeError("options.abortSignal must be an AbortSignal"),
    );
    expect(() => checkSendOptions({ abortSignal: new AbortController().signal })).not.toThrow();
  });
});

describe("checkStreamOptions", () => {
  it("takes an object whose signal is an AbortSignal or absent", () => {
    expect(() => checkStreamOptions({})).not.toThrow();
    expect(() => checkStreamOptions({ signal: AbortSignal.abort() })).not.toThrow();
  });

  it("refuses options that are not an object, and a signal that is not an AbortSignal, naming options.signal", () => {
    expect(() => checkStreamOptions(null)).toThrow(new TypeError("options must be an object"));
    expect(() => checkStreamOptions("x")).toThrow(new TypeError("options must be an object"));
    expect(() => checkStreamOptions({ signal: "abort" })).toThrow(
      new TypeError("options.signal must be an AbortSignal"),
    );
  });
});

describe("checkUrl", () => {
  it("takes absolute ws:// and wss:// URLs", () => {
    expect(() => checkUrl("ws://localhost:8080/client/hubs/h", "clientAccessUrl")).not.toThrow();
    expect(() => checkUrl("wss://example.com/client/hubs/h?access_token=t", "clientAccessUrl")).not.toThrow();
  });

  it("refuses a value that is not a string, shown by its value", () => {
    expect(() => checkUrl(42, "clientAccessUrl")).toThrow(new TypeError("clientAccessUrl must be a string, got 42"));
    expect(() => checkUrl(undefined, "url")).toThrow(new TypeError("url must be a string, got undefined"));
  });

  it("refuses another scheme or an invalid URL, showing the scheme only, never the URL (it holds the token)", () => {
    expect(() => checkUrl("https://example.com/?access_token=secret", "clientAccessUrl")).toThrow(
      new TypeError('clientAccessUrl must be an absolute ws:// or wss:// URL, got "https:"'),
    );
    expect(() => checkUrl("example.com/?access_token=secret", "clientAccessUrl")).toThrow(
      new TypeError('clientAccessUrl must be an absolute ws:// or wss:// URL, got "an invalid URL"'),
    );
    expect(() => checkUrl("wsx://example.com", "u")).toThrow(/got "wsx:"$/);
  });
});

describe("checkEventName", () => {
  it("takes names matching the pattern; refuses others, showing a string bounded and anything else by its type", () => {
    expect(() => checkEventName("e.v-1_x")).not.toThrow();
    expect(() => checkEventName("1e")).toThrow(TypeError);
    expect(() => checkEventName("1e")).toThrow(/^eventName must match .* got "1e"$/);
    expect(() => checkEventName(42)).toThrow(/^eventName must match .* got number$/);
  });
});

describe("checkIdleTimeout", () => {
  it("takes absent, or whole milliseconds from 1 to the longest a timer can wait", () => {
    for (const ok of [undefined, 1, 2, MAX_TIMER_MS - 1, MAX_TIMER_MS])
      expect(() => checkIdleTimeout(ok)).not.toThrow();
  });

  it("refuses 0, a fraction, past the timer limit and non-numbers with a RangeError giving the range", () => {
    for (const [bad, got] of [
      [0, "0"],
      [1.5, "1.5"],
      [MAX_TIMER_MS + 1, String(MAX_TIMER_MS + 1)],
      ["5", '"5"'],
    ] as const) {
      expect(() => checkIdleTimeout(bad)).toThrow(
        new RangeError(`options.idleTimeoutInMs must be an integer from 1 to ${MAX_TIMER_MS}, got ${got}`),
      );
    }
  });
});

describe("checkOnGroupStream", () => {
  const callback = () => {};

  it("takes a callback with options holding only valid fields", () => {
    expect(() => checkOnGroupStream(callback, {})).not.toThrow();
    expect(() =>
      checkOnGroupStream(callback, { idleTimeoutInMs: 1, handleFromStart: false, groupNames: ["a", "b"] }),
    ).not.toThrow();
    expect(() => checkOnGroupStream(callback, { groupNames: [] })).not.toThrow();
  });

  it("refuses a callback that is not a function, and options that are not an object", () => {
    expect(() => checkOnGroupStream("cb", {})).toThrow(new TypeError("callback must be a function"));
    expect(() => checkOnGroupStream(undefined, {})).toThrow(new TypeError("callback must be a function"));
    expect(() => checkOnGroupStream(callback, null)).toThrow(new TypeError("options must be an object"));
  });

  it("refuses a bad idleTimeoutInMs and a handleFromStart that is not a boolean, naming them", () => {
    expect(() => checkOnGroupStream(callback, { idleTimeoutInMs: 0 })).toThrow(RangeError);
    expect(() => checkOnGroupStream(callback, { idleTimeoutInMs: 0 })).toThrow(/options\.idleTimeoutInMs/);
    expect(() => checkOnGroupStream(callback, { handleFromStart: "yes" })).toThrow(
      new TypeError('options.handleFromStart must be a boolean, got "yes"'),
    );
  });

  it("refuses groupNames that is not an array, or holds anything but strings (one is enough)", () => {
    const refusal = new TypeError("options.groupNames must be an array of group names");
    expect(() => checkOnGroupStream(callback, { groupNames: "a" })).toThrow(refusal);
    expect(() => checkOnGroupStream(callback, { groupNames: { length: 0 } })).toThrow(refusal);
    expect(() => checkOnGroupStream(callback, { groupNames: [1] })).toThrow(refusal);
    expect(() => checkOnGroupStream(callback, { groupNames: ["a", 1] })).toThrow(refusal);
    expect(() => checkOnGroupStream(callback, { groupNames: [null, "a"] })).toThrow(refusal);
  });
});
