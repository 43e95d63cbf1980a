// No caller's value is echoed whole into an error (the emulator's own checks outside bounded-text.ts's clip()): an
// event handler's URL scheme and a user event's unknown dataType go through core's shown/shownValue.
import { thrownMessage } from "@webpubsub/test-kit";
import { describe, expect, it } from "vitest";
import { checkEventHandlerSettings } from "../src/upstream/event-handler-settings.ts";
import { encodeUserEventBody } from "../src/upstream/user-event.ts";

describe("bounded echoes of a caller's value", () => {
  it("an event handler URL's scheme: a huge one by its first 64 characters, a short one whole", async () => {
    const huge = await thrownMessage(() =>
      checkEventHandlerSettings({ urlTemplate: `f${"t".repeat(100_000)}://host/x` }),
    );
    expect(huge).toBe(`eventHandler.urlTemplate must use http or https, got "f${"t".repeat(63)}"...`);
    expect(await thrownMessage(() => checkEventHandlerSettings({ urlTemplate: "ftp://host/x" }))).toBe(
      'eventHandler.urlTemplate must use http or https, got "ftp:"',
    );
  });

  it("a user event payload of an unknown dataType: a huge one by its first 64 characters, a short one whole", async () => {
    const huge = await thrownMessage(() =>
      encodeUserEventBody({ dataType: `x${"y".repeat(100_000)}`, data: "" } as never),
    );
    expect(huge).toContain('payload.dataType must be "text", "json", "binary" or "protobuf"');
    expect(huge).toContain(`got "x${"y".repeat(63)}"...`);
    expect(huge.length).toBeLessThan(300);
    expect(await thrownMessage(() => encodeUserEventBody({ dataType: "xml", data: "" } as never))).toMatch(
      /, got "xml"$/,
    );
  });
});
