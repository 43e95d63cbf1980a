// The activity feed's entries for invocations and group streams, recorded from the service events: one entry when an
// invoke arrives (with its payload preview) and one when it is answered; one when a stream opens and one when it
// closes (how, and after how many fragments).
import { describe, expect, it } from "vitest";
import { ActivityFeed } from "../src/activity-feed.ts";
import { ServiceEvents } from "../src/service-events.ts";

const party = { id: "c1", userId: "u1", hub: { name: "h" } };

describe("activity feed: invocations and streams", () => {
  it("records invoke received / answered and stream opened / closed", () => {
    const events = new ServiceEvents();
    const feed = new ActivityFeed({ capacity: 10 });
    feed.observe(events);
    events.invocationReceived(party, "i1", "compute", { dataType: "text", data: "hello" });
    events.invocationAnswered(party, "i1", "compute", undefined);
    events.invocationAnswered(party, "i2", "compute", "Timeout");
    events.streamOpened(party, "s1", "g");
    events.streamClosed(party, "s1", "g", 3, undefined);
    events.streamClosed(party, "s2", "g", 0, "IdleTimeout");
    const shown = feed.entries().map(({ id: _id, time: _time, ...rest }) => rest);
    const who = { hub: "h", connectionId: "c1", userId: "u1", from: "c1" };
    expect(shown).toEqual([
      {
        kind: "invoke",
        ...who,
        event: "compute",
        invocationId: "i1",
        reason: "received",
        dataType: "text",
        preview: "hello",
      },
      { kind: "invoke", ...who, event: "compute", invocationId: "i1", reason: "succeeded" },
      { kind: "invoke", ...who, event: "compute", invocationId: "i2", reason: "failed: Timeout" },
      { kind: "stream", ...who, group: "g", streamId: "s1", reason: "opened" },
      { kind: "stream", ...who, group: "g", streamId: "s1", reason: "ended after 3 fragment(s)" },
      { kind: "stream", ...who, group: "g", streamId: "s2", reason: "closed: IdleTimeout after 0 fragment(s)" },
    ]);
  });

  it("builds nothing while nobody listens", () => {
    const events = new ServiceEvents();
    // no listener: the calls return before creating an event (nothing to observe, nothing thrown)
    events.invocationReceived(party, "i", "e", undefined);
    events.streamClosed(party, "s", "g", 1, undefined);
    const feed = new ActivityFeed({ capacity: 10 });
    feed.observe(events);
    expect(feed.entries()).toEqual([]);
  });
});
