// The activity feed's ring buffer and scrubbing, without a server.
import type { ServerResponse } from "node:http";
import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { ActivityFeed, PREVIEW_CHARS, SSE_MAX_BUFFERED } from "../src/activity-feed.ts";
import { Outgoing } from "../src/outgoing.ts";
import { UpstreamInvoker } from "../src/upstream/index.ts";

const KEY = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789ABCDEFGH";

describe("ActivityFeed", () => {
  it("keeps only the last `capacity` entries, oldest first, with increasing ids", () => {
    const feed = new ActivityFeed({ capacity: 5 });
    for (let i = 1; i <= 12; i++) feed.record({ kind: "joined", hub: "h", group: `g${i}` });
    const entries = feed.entries();
    expect(entries.map((e) => e.group)).toEqual(["g8", "g9", "g10", "g11", "g12"]);
    expect(entries.map((e) => e.id)).toEqual([8, 9, 10, 11, 12]);
    expect(feed.entries(10).map((e) => e.id)).toEqual([11, 12]);
    expect(feed.lastId).toBe(12);
  });

  it("defaults to 200 entries and rejects a bad capacity", () => {
    const feed = new ActivityFeed();
    for (let i = 0; i < 250; i++) feed.record({ kind: "left", hub: "h", group: "g" });
    expect(feed.entries()).toHaveLength(200);
    expect(feed.entries()[0]!.id).toBe(51);
    expect(() => new ActivityFeed({ capacity: 0 })).toThrow(RangeError);
    expect(() => new ActivityFeed({ capacity: 1.5 })).toThrow(/capacity/);
  });

  it("previews payloads: text and JSON truncated, binary as a byte count", () => {
    const feed = new ActivityFeed({ capacity: 10 });
    feed.message(
      "h",
      "server",
      "all",
      new Outgoing({ payload: { kind: "text", text: "x".repeat(1000) }, from: "server" }),
      3,
    );
    feed.message("h", "server", "all", new Outgoing({ payload: { kind: "json", text: '{"a":1}' }, from: "server" }), 1);
    feed.message(
      "h",
      "c1",
      "group g",
      new Outgoing({ payload: { kind: "binary", bytes: Buffer.alloc(42) }, from: "group", group: "g" }),
      0,
    );
    feed.clientEvent("h", "c1", "u1", "ev", { dataType: "protobuf", data: new Uint8Array(7) });
    feed.clientEvent("h", "c1", null, "ev", { dataType: "json", data: { b: [1, 2] } });
    const [text, json, binary, proto, jsonEvent] = feed.entries();
    expect(text).toMatchObject({ kind: "message", from: "server", to: "all", dataType: "text", recipients: 3 });
    expect(text!.preview).toBe(`${"x".repeat(PREVIEW_CHARS)}…`);
    expect(json!.preview).toBe('{"a":1}');
    expect(binary).toMatchObject({ dataType: "binary", preview: "<42 bytes>", group: "g", recipients: 0 });
    expect(proto).toMatchObject({
      kind: "event",
      event: "ev",
      dataType: "protobuf",
      preview: "<7 bytes>",
      userId: "u1",
    });
    expect(jsonEvent!.preview).toBe('{"b":[1,2]}');
  });

  it(`shows a user id of up to ${PREVIEW_CHARS} characters whole and a longer one cut, as every shown string`, () => {
    // a user id comes from the client's token or from the connect handler's answer (up to 1 MiB)
    const feed = new ActivityFeed();
    const long = "u".repeat(PREVIEW_CHARS + 1);
    feed.record({ kind: "connected", hub: "h", connectionId: "c1", userId: "u".repeat(PREVIEW_CHARS) });
    feed.record({ kind: "connected", hub: "h", connectionId: "c2", userId: long });
    feed.record({ kind: "connected", hub: "h", connectionId: "c3", userId: null });
    expect(feed.entries().map((e) => e.userId)).toEqual([
      "u".repeat(PREVIEW_CHARS),
      `${"u".repeat(PREVIEW_CHARS)}…`,
      null,
    ]);
  });

  it("never shows the access key, JWTs or access_token values, even cut at the preview limit", () => {
    const feed = new ActivityFeed({ secrets: [KEY] });
    const jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1MSJ9.c2lnbmF0dXJl";
    expect(feed.scrub(`key ${KEY} here`)).toBe("key *** here");
    expect(feed.scrub(`token ${jwt} end`)).toBe("token <token> end");
    expect(feed.scrub("ws://h/client?access_token=abc.def&x=1")).toBe("ws://h/client?access_token=***&x=1");
    // a token straddling the cut is removed, not half shown
    const cut = feed.scrub(`${"a ".repeat(95)}${jwt}${jwt}`);
    expect(cut).not.toMatch(/eyJ/);
    // ordinary words are left alone
    expect(feed.scrub("heyJoe eyJo")).toBe("heyJoe eyJo");
    const e = feed.record({ kind: "disconnected", hub: "h", reason: `bad ${KEY}`, to: `x?access_token=${jwt}` });
    expect(JSON.stringify(e)).not.toContain(KEY);
    expect(JSON.stringify(e)).not.toContain(jwt);
  });

  it("drops an SSE reader whose queue exceeds the limit instead of buffering without bound", async () => {
    const feed = new ActivityFeed({ capacity: 200 });
    const stream = new PassThrough({ highWaterMark: 1 });
    const fake = Object.assign(stream, { writeHead: () => fake }) as unknown as ServerResponse;
    feed.subscribe(fake, 0);
    expect(feed.streams).toBe(1);
    // nobody reads the stream: its queue grows until the feed gives up on it
    const big = "y".repeat(150);
    for (let i = 0; feed.streams > 0 && i < 100_000; i++) {
      feed.record({ kind: "message", hub: "h", preview: big });
      if (i % 200 === 0) await new Promise((r) => setImmediate(r));
    }
    expect(feed.streams).toBe(0);
    expect(stream.destroyed).toBe(true);
    expect(stream.writableLength).toBeLessThan(SSE_MAX_BUFFERED * 2);
    feed.close();
  });

  it("writes a burst to readers once per tick, at most `capacity` entries, each once and in order", async () => {
    const feed = new ActivityFeed({ capacity: 50 });
    feed.record({ kind: "joined", hub: "h", group: "before" });
    const stream = new PassThrough();
    let text = "";
    stream.on("data", (b: Buffer) => {
      text += b.toString();
    });
    const writes: unknown[] = [];
    const fake = Object.assign(stream, { writeHead: () => fake }) as unknown as ServerResponse;
    const write = stream.write.bind(stream);
    stream.write = ((chunk: unknown, ...rest: never[]) => {
      writes.push(chunk);
      return write(chunk as string, ...rest);
    }) as typeof stream.write;
    feed.subscribe(fake, 0);
    for (let i = 0; i < 10_000; i++) feed.record({ kind: "message", hub: "h", preview: `m${i}` });
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setImmediate(r));
    expect(writes).toHaveLength(2); // the replay, then one batch
    const ids = [...text.matchAll(/^id: (\d+)$/gm)].map((m) => Number(m[1]));
    expect(ids[0]).toBe(1);
    expect(ids.slice(1)).toEqual(Array.from({ length: 50 }, (_, i) => 9952 + i));
    feed.record({ kind: "left", hub: "h", group: "after" });
    await new Promise((r) => setImmediate(r));
    expect([...text.matchAll(/^id: (\d+)$/gm)].map((m) => Number(m[1])).at(-1)).toBe(10_002);
    feed.close();
    expect(stream.writableEnded).toBe(true);
  });

  it("the upstream invoker's outcome listener must be a function", () => {
    const base = { getHandlers: () => [], accessKeys: ["k"], origin: "h:1", log: () => {} };
    expect(() => new UpstreamInvoker({ ...base, onOutcome: "x" as never })).toThrow(/opts.onOutcome/);
    expect(() => new UpstreamInvoker({ ...base, onOutcome: () => {} })).not.toThrow();
  });
});
