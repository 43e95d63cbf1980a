// The rule "no input is echoed unbounded into an error": shown() and shownValue() (core's one copy of it) on both sides
// of the 64-character cut, and every core error that quotes a caller's or a peer's value going through them.
import {
  base64UrlEncode,
  capped,
  checkTimerDuration,
  clientAudience,
  normalizeEndpoint,
  protobufCodec,
  readLimited,
  roleFor,
  shown,
  shownValue,
  utf8Encode,
  verifyJwtSync,
} from "@webpubsub/core";
import { encodeJsonOnlyDownstream, encodeJsonOnlyUpstream } from "@webpubsub/core/json-only";
import * as narrow from "@webpubsub/core/shown";
import { thrownMessage } from "@webpubsub/test-kit";
import { describe, expect, test } from "vitest";

/** 100,000 characters starting with 64 "a"s: shown as their quote, then "...". */
const HUGE = `${"a".repeat(64)}${"b".repeat(99_936)}`;
const HUGE_SHOWN = `"${"a".repeat(64)}"...`;

describe("shown and shownValue", () => {
  test("a string of up to 64 characters is quoted whole; a longer one by its first 64, then ...", () => {
    expect(shown("a".repeat(64))).toBe(`"${"a".repeat(64)}"`);
    expect(shown(`${"a".repeat(64)}b`)).toBe(`"${"a".repeat(64)}"...`);
    expect(shownValue(HUGE)).toBe(HUGE_SHOWN);
    expect(shownValue("x")).toBe('"x"');
  });

  test("numbers and other primitives as String gives them, cut at 64 characters; objects and functions by type", () => {
    expect(shownValue(-1)).toBe("-1");
    expect(shownValue(Number.NaN)).toBe("NaN");
    expect(shownValue(null)).toBe("null");
    expect(shownValue(undefined)).toBe("undefined");
    expect(shownValue(false)).toBe("false");
    expect(shownValue(10n ** 63n)).toBe(`1${"0".repeat(63)}`);
    expect(shownValue(10n ** 64n)).toBe(`1${"0".repeat(63)}...`);
    expect(shownValue(Symbol("s".repeat(100_000))).length).toBe(67);
    expect(shownValue({ toString: () => HUGE })).toBe("object");
    expect(shownValue(Object.create(null))).toBe("object");
    expect(shownValue([HUGE])).toBe("object");
    expect(shownValue(() => HUGE)).toBe("function");
  });

  test("the @webpubsub/core/shown entry holds the same functions", () => {
    expect(narrow.shown).toBe(shown);
    expect(narrow.shownValue).toBe(shownValue);
  });
});

describe("capped: a whole relayed text kept up to a limit, then marked", () => {
  test("a text of exactly the limit is kept whole; one character more is cut and counted", () => {
    expect(capped("x".repeat(200), 200)).toBe("x".repeat(200));
    expect(capped("x".repeat(201), 200)).toBe(`${"x".repeat(200)}…(1 more characters)`);
    expect(capped("abcdef", 3, false)).toBe("abc…");
    expect(capped("", 0)).toBe("");
  });

  test("does not split a surrogate pair at the cut, and keeps one that ends right at the limit", () => {
    expect(capped(`${"x".repeat(199)}😀tail`, 200)).toBe(`${"x".repeat(199)}…(6 more characters)`);
    expect(capped(`${"x".repeat(198)}😀tail`, 200)).toBe(`${"x".repeat(198)}😀…(4 more characters)`);
    // both ends of the high-surrogate range step back; the code units just outside it do not
    expect(capped("x\uD800\uDC00y", 2)).toBe("x…(3 more characters)");
    expect(capped("x\uDBFF\uDFFFy", 2)).toBe("x…(3 more characters)");
    expect(capped("x\uD7FFy", 2)).toBe("x\uD7FF…(1 more characters)");
    expect(capped("x\uDC00y", 2)).toBe("x\uDC00…(1 more characters)");
  });

  test("is the same function in the root, client-wire and shown entries", async () => {
    expect((await import("@webpubsub/core/client-wire")).capped).toBe(capped);
    expect(narrow.capped).toBe(capped);
  });
});

describe("every core error quoting an outside value shows it bounded, still naming the problem", () => {
  const jwt = (alg: string) =>
    `${base64UrlEncode(utf8Encode(JSON.stringify({ alg, typ: "JWT" })))}.${base64UrlEncode(utf8Encode("{}"))}.sig`;
  /** A case: its name, the call given the value, the problem its message names, what the call puts before the value. */
  const cases: [string, (value: string) => unknown, string, string?][] = [
    ["clientAudience protocol", (v) => clientAudience("https://h", "hub", v as never), "protocol must be"],
    ["roleFor action", (v) => roleFor(v as never), "action must be"],
    ["endpoint URL", (v) => normalizeEndpoint(`http://[${v}`), "endpoint is not a valid URL", "http://["],
    ["endpoint scheme", (v) => normalizeEndpoint(`f${v}://h`), "endpoint must use http or https, got", "f"],
    ["Port", (v) => normalizeEndpoint("https://h", v), "Port must be an integer from 1 to 65535, got"],
    ["readLimited maxBytes", (v) => readLimited(null, v as never), "maxBytes must be an integer >= 0, got"],
    ["timer duration", (v) => checkTimerDuration(v, "timeoutMs"), "timeoutMs must be a finite number >= 0, got"],
    ["JWT algorithm", (v) => verifyJwtSync(jwt(v), "key"), "JWT algorithm"],
    [
      "protobuf dataType",
      (v) => protobufCodec.encodeUpstream({ type: "sendToGroup", group: "g", dataType: v, data: "x" } as never),
      "unknown dataType",
    ],
    [
      "protobuf metadata key",
      (v) =>
        protobufCodec.encodeUpstream({
          type: "sendToGroup",
          group: "g",
          dataType: "text",
          data: "x",
          metadata: { [v]: 1 },
        } as never),
      "metadata value",
    ],
    [
      "protobuf varint",
      (v) =>
        protobufCodec.encodeUpstream({
          type: "sendToGroup",
          group: "g",
          dataType: "text",
          data: "x",
          ackId: v,
        } as never),
      "protobuf varint must be a non-negative safe integer, got",
    ],
    ["json-only upstream type", (v) => encodeJsonOnlyUpstream({ type: v } as never), "unknown upstream message type"],
    [
      "json-only downstream type",
      (v) => encodeJsonOnlyDownstream({ type: v } as never),
      "unknown downstream message type",
    ],
  ];

  test.each(cases)(
    "%s: a 100,000-character value is shown by its first 64 characters",
    async (_name, call, problem, before = "") => {
      const message = await thrownMessage(() => call(HUGE));
      expect(message).toContain(problem);
      expect(message).toContain(`${JSON.stringify(`${before}${HUGE}`.slice(0, 64))}...`);
      expect(message.length).toBeLessThan(300);
    },
  );

  test.each(cases)("%s: a short value is shown whole", async (_name, call, problem, before = "") => {
    const message = await thrownMessage(() => call("zq"));
    expect(message).toContain(problem);
    expect(message).toContain(`"${before}zq"`);
  });
});
