// The argument rules one by one, with both sides of each boundary and the exact error: it names the argument, says
// the rule, and shows the bad value briefly (a string cut to 40 characters, anything else by its kind).
import { describe, expect, it } from "vitest";
import {
  checkAbortSignal,
  checkClientProtocol,
  checkExpiration,
  checkId,
  checkOptions,
  checkPermission,
  checkPositiveInteger,
  checkStringArray,
  checkTtl,
} from "../src/validation.ts";

describe("how a bad value is shown in the error", () => {
  it("a string is quoted whole up to 64 characters, and cut to 64 with ... beyond (core's shownValue)", () => {
    const limit = "p".repeat(64);
    expect(() => checkPermission(limit)).toThrow(
      new TypeError(`permission must be "joinLeaveGroup" or "sendToGroup", got "${limit}".`),
    );
    expect(() => checkPermission(`${limit}XYZ`)).toThrow(
      new TypeError(`permission must be "joinLeaveGroup" or "sendToGroup", got "${limit}"....`),
    );
    // a 100,000-character value: a message of a few hundred characters, still naming the problem
    let message = "";
    try {
      checkPermission(`${limit}${"x".repeat(100_000)}`);
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message.length).toBeLessThan(200);
    expect(message).toContain('must be "joinLeaveGroup" or "sendToGroup"');
  });

  it("null, arrays and objects are named by kind; other values by type and value", () => {
    const shown = (value: unknown) => {
      try {
        checkId(value, "userId");
      } catch (error) {
        return (error as Error).message.replace("userId must be a non-empty string, got ", "");
      }
      return "accepted";
    };
    expect(shown(null)).toBe("null.");
    expect(shown(["a"])).toBe("an array.");
    expect(shown({ id: "a" })).toBe("an object.");
    expect(shown(5)).toBe("number 5.");
    expect(shown(undefined)).toBe("undefined undefined.");
    expect(shown(true)).toBe("boolean true.");
    expect(shown(() => "x".repeat(100_000))).toBe("a function.");
    expect(shown(10n ** 100n)).toBe(`bigint 1${"0".repeat(63)}....`);
    expect(shown("")).toBe("an empty string.");
    expect(shown("a")).toBe("accepted");
  });
});

describe("options objects", () => {
  it("absent or a plain object is accepted; null, arrays and other types are refused, naming the argument", () => {
    checkOptions(undefined);
    checkOptions({});
    expect(() => checkOptions(null)).toThrow(new TypeError("options must be an object when given, got null."));
    expect(() => checkOptions([], "options.requestOptions")).toThrow(
      new TypeError("options.requestOptions must be an object when given, got an array."),
    );
    expect(() => checkOptions("fast")).toThrow(/options must be an object when given, got "fast"/);
  });
});

describe("integers with limits", () => {
  it("accepts 1 up to the maximum, refuses 0 and one past the maximum, naming the range", () => {
    checkPositiveInteger(undefined, "maxPageSize", 200);
    checkPositiveInteger(1, "maxPageSize", 200);
    checkPositiveInteger(200, "maxPageSize", 200);
    expect(() => checkPositiveInteger(0, "maxPageSize", 200)).toThrow(
      new RangeError("maxPageSize must be between 1 and 200, got 0."),
    );
    expect(() => checkPositiveInteger(201, "maxPageSize", 200)).toThrow(
      new RangeError("maxPageSize must be between 1 and 200, got 201."),
    );
  });

  it("without a maximum any integer from 1 up is accepted, and the error says 2^53", () => {
    checkPositiveInteger(Number.MAX_SAFE_INTEGER, "options.top");
    expect(() => checkPositiveInteger(-3, "options.top")).toThrow(
      new RangeError("options.top must be between 1 and 2^53, got -3."),
    );
  });

  it("fractions, NaN and non-numbers are a type error, not a range error", () => {
    for (const bad of [1.5, Number.NaN, "5"]) {
      expect(() => checkPositiveInteger(bad, "options.top"), String(bad)).toThrow(TypeError);
    }
    expect(() => checkPositiveInteger(2.5, "options.top", 200)).toThrow(
      new TypeError("options.top must be an integer, got number 2.5."),
    );
  });

  it("a message TTL is a whole number of seconds from 0 (never expires) to 300", () => {
    for (const ok of [undefined, 0, 1, 300]) checkTtl(ok);
    for (const bad of [-1, 301]) {
      expect(() => checkTtl(bad), String(bad)).toThrow(
        new RangeError(`options.messageTtlSeconds must be between 0 and 300 (0 = never expires), got ${bad}.`),
      );
    }
    expect(() => checkTtl(0.5)).toThrow(
      new TypeError("options.messageTtlSeconds must be an integer number of seconds, got number 0.5."),
    );
  });
});

describe("token lifetimes", () => {
  it("must be more than 0 minutes and give at least one whole second", () => {
    checkExpiration(undefined);
    checkExpiration(1 / 60);
    checkExpiration(0.5);
    expect(() => checkExpiration(0)).toThrow(
      new RangeError("options.expirationTimeInMinutes must be greater than 0, got 0."),
    );
    expect(() => checkExpiration(0.016)).toThrow(
      new RangeError(
        "options.expirationTimeInMinutes must give a lifetime of at least 1 second (1/60 of a minute), got 0.016.",
      ),
    );
    expect(() => checkExpiration(Number.POSITIVE_INFINITY)).toThrow(
      new TypeError("options.expirationTimeInMinutes must be a number of minutes, got number Infinity."),
    );
  });
});

describe("token lifetimes, upper bound", () => {
  // Rule: at most 2^31 - 1 minutes, the service's own bound (its :generateToken minutesToExpire is an int32), for
  // locally signed tokens too: 1e300 minutes minted an expiry of 1e+302, and 1e307 failed naming an option the caller
  // never passed (opts.expiresInSeconds).
  it("must be at most 2^31 - 1 minutes: 2,147,483,647 pass, 2,147,483,647.5 and more are refused naming the option", () => {
    checkExpiration(2_147_483_647);
    for (const bad of [2_147_483_647.5, 2_147_483_648, 1e300, Number.MAX_VALUE]) {
      expect(() => checkExpiration(bad), String(bad)).toThrow(
        new RangeError(`options.expirationTimeInMinutes must be at most 2147483647 minutes (2^31 - 1), got ${bad}.`),
      );
    }
  });
});

describe("enumerations", () => {
  it("client protocols are default, mqtt and socketio; anything else is refused", () => {
    for (const ok of [undefined, "default", "mqtt", "socketio"]) checkClientProtocol(ok);
    expect(() => checkClientProtocol("MQTT")).toThrow(
      new TypeError('options.clientProtocol must be "default", "mqtt" or "socketio", got "MQTT".'),
    );
    expect(() => checkClientProtocol(1)).toThrow(TypeError);
  });
});

describe("arrays of ids", () => {
  it("every item must be a non-empty string, and the error names its index", () => {
    checkStringArray(undefined, "roles");
    checkStringArray([], "roles");
    checkStringArray(["a", "b"], "roles");
    expect(() => checkStringArray(["a", ""], "roles")).toThrow(
      new TypeError('roles[1] must be a non-empty string, got "".'),
    );
    expect(() => checkStringArray("a", "roles")).toThrow(new TypeError('roles must be an array of strings, got "a".'));
  });
});

describe("abort signals", () => {
  it("a real AbortSignal, or anything shaped like one (another realm, a polyfill), is accepted", () => {
    checkAbortSignal(undefined);
    checkAbortSignal(new AbortController().signal);
    checkAbortSignal({ aborted: false, addEventListener() {} });
  });

  it("anything else is refused: null, a plain object, a wrong `aborted`, a missing addEventListener", () => {
    const refused = [null, {}, "signal", { aborted: "no", addEventListener() {} }, { aborted: false }];
    for (const bad of refused) {
      expect(() => checkAbortSignal(bad), JSON.stringify(bad)).toThrow(
        /^options\.abortSignal must be an AbortSignal when given, got /,
      );
    }
    expect(() => checkAbortSignal({ aborted: true, addEventListener: true })).toThrow(TypeError);
  });
});
