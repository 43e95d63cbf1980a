// No caller's value is echoed whole into an error: the emitter's listener check and a payload that does not fit its
// dataType show the value through core's shownValue (a string quoted up to its first 64 characters, an object by type).
import { thrownMessage } from "@webpubsub/test-kit";
import { describe, expect, it } from "vitest";
import { TypedEmitter } from "../src/emitter.ts";
import { toPayload } from "../src/payload.ts";

describe("bounded echoes of a caller's value", () => {
  it("a listener that is no function names its event by the first 64 characters; a short name whole", async () => {
    const emitter = new TypedEmitter<Record<string, unknown>>(() => {});
    const huge = await thrownMessage(() => emitter.on(`e${"x".repeat(100_000)}`, "no" as never));
    expect(huge).toBe(`listener for "e${"x".repeat(63)}"... must be a function`);
    expect(await thrownMessage(() => emitter.once("connected", 5 as never))).toBe(
      'listener for "connected" must be a function',
    );
    expect(await thrownMessage(() => emitter.on(Symbol("s") as never, null as never))).toBe(
      "listener for Symbol(s) must be a function",
    );
  });

  it("data that does not fit its dataType is shown bounded: a string by its first 64 characters, an object by type", async () => {
    const huge = await thrownMessage(() => toPayload(`d${"x".repeat(100_000)}`, "binary", "data"));
    expect(huge).toContain('when dataType is "binary", got "d');
    expect(huge).toContain(`"d${"x".repeat(63)}"...`);
    expect(huge.length).toBeLessThan(300);
    expect(await thrownMessage(() => toPayload("hi", "binary", "data"))).toMatch(/, got "hi"$/);
    expect(await thrownMessage(() => toPayload(new Uint8Array(1), "text", "data"))).toMatch(/, got object$/);
    expect(await thrownMessage(() => toPayload(5, "text", "data"))).toMatch(/, got 5$/);
  });
});
