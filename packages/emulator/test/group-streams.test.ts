// Group streams (client-spec 3.6) on the wire, with raw WebSocket frames: start, ordered fragments as group messages
// with `stream` metadata, batched acks, duplicates, gaps (nack and rewind), keepalive, idle timeout, end with and
// without a user error, StreamNotFound, noEcho, Forbidden, the end of the publisher's session, what protobuf and simple
// subscribers see, and the bounds.
import { protobufCodec } from "@webpubsub/core";
import { describe, expect, it } from "vitest";
import { ID_LIMIT, MAX_FRAGMENT_BYTES, MAX_OPEN_STREAMS } from "../src/session-limits.ts";
import { clientToken, connect, hubNames, JSON_PROTOCOL, RELIABLE_PROTOCOL, TestClient } from "./helpers/clients.ts";
import { useEmulator } from "./helpers/use-emulator.ts";

const PROTOBUF = "protobuf.webpubsub.azure.v1";

const emu = useEmulator({ streamIdleTimeoutMs: 150 });

const hub = hubNames("streams");
const SEND = { role: ["webpubsub.sendToGroup"] };

type Msg = Record<string, unknown>;
const groupMessages = (c: TestClient) => c.messages.filter((m) => m.type === "message");
const of = (c: TestClient, type: string) => c.messages.filter((m) => m.type === type);
const lastAck = (c: TestClient, streamId: string) =>
  of(c, "streamAck")
    .filter((m) => m.streamId === streamId)
    .at(-1)?.expectedSequenceId;

async function pair(opts: { subscriberProtocol?: string | null; publisherClaims?: object } = {}) {
  const h = hub();
  const protocol = opts.subscriberProtocol === undefined ? JSON_PROTOCOL : opts.subscriberProtocol;
  const claims = { "webpubsub.group": "g" };
  let sub: TestClient;
  if (protocol === PROTOBUF) {
    // the helper waits for a JSON `connected` frame: wait for the protobuf one here
    const url = `${emu.endpoint.replace("http", "ws")}/client/hubs/${h}?access_token=${clientToken(emu, h, claims)}`;
    sub = new TestClient(url, PROTOBUF);
    await sub.until(() => sub.frames.length >= 1, 3000, "connected");
  } else {
    sub = await connect(emu, h, { protocol, claims });
  }
  const pub = await connect(emu, h, { claims: opts.publisherClaims ?? SEND });
  return { h, sub, pub };
}

/** Opens stream `id` on group "g" (a long idle timeout unless given) and waits for its streamAck 1. */
async function open(pub: TestClient, id: string, extra: Msg = {}, stream: Msg = { idleTimeoutMs: 60_000 }) {
  pub.send({ type: "sendToGroup", group: "g", stream: { streamId: id, ...stream }, ...extra });
  return pub.message((m) => m.type === "streamAck" && m.streamId === id && m.expectedSequenceId === 1, "start ack");
}

const fragment = (id: string, seq: number, data = `f${seq}`) => ({
  type: "streamData",
  streamId: id,
  streamSequenceId: seq,
  dataType: "text",
  data,
});

describe("group streams", () => {
  it("acks the start with expectedSequenceId 1 and publishes fragments in order with stream metadata", async () => {
    const { sub, pub } = await pair();
    const ack = await open(pub, "s1");
    expect(ack).toEqual({ type: "streamAck", streamId: "s1", expectedSequenceId: 1 });
    for (let i = 1; i <= 3; i++) pub.send(fragment("s1", i));
    await sub.until(() => groupMessages(sub).length === 3, 3000, "3 fragments");
    expect(groupMessages(sub)).toEqual(
      [1, 2, 3].map((i) => ({
        type: "message",
        from: "group",
        group: "g",
        fromUserId: null,
        dataType: "text",
        data: `f${i}`,
        stream: { streamId: "s1", streamSequenceId: i },
      })),
    );
    await pub.until(() => lastAck(pub, "s1") === 4, 3000, "ack 4");
    pub.send({ type: "streamEnd", streamId: "s1" });
    const closed = await pub.message((m) => m.type === "streamClosed");
    expect(closed).toEqual({ type: "streamClosed", streamId: "s1" });
    const end = await sub.message((m) => (m.stream as Msg | undefined)?.endOfStream === true, "terminal");
    expect(end).toEqual({
      type: "message",
      from: "group",
      group: "g",
      fromUserId: null,
      dataType: "text",
      data: "",
      stream: { streamId: "s1", streamSequenceId: 4, endOfStream: true },
    });
  });

  it("batches acks: a burst of fragments is acknowledged with fewer acks, the last naming the next id", async () => {
    const { sub, pub } = await pair();
    await open(pub, "burst");
    const n = 200;
    // one WebSocket write, so the emulator reads the whole burst in one turn
    const frames = Array.from({ length: n }, (_, i) => JSON.stringify(fragment("burst", i + 1)));
    for (const f of frames) pub.ws.send(f);
    await pub.until(() => lastAck(pub, "burst") === n + 1, 5000, "final ack");
    await sub.until(() => groupMessages(sub).length === n, 5000, "all fragments");
    const acks = of(pub, "streamAck").filter((m) => m.streamId === "burst" && m.expectedSequenceId !== 1);
    expect(acks.length).toBeLessThan(n);
    const ids = acks.map((m) => m.expectedSequenceId as number);
    expect([...ids].sort((a, b) => a - b)).toEqual(ids);
    expect(groupMessages(sub).map((m) => (m.stream as Msg).streamSequenceId)).toEqual(
      Array.from({ length: n }, (_, i) => i + 1),
    );
  });

  it("acks duplicates with the current expected id and does not publish them again", async () => {
    const { sub, pub } = await pair();
    await open(pub, "dup");
    for (let i = 1; i <= 3; i++) pub.send(fragment("dup", i));
    await pub.until(() => lastAck(pub, "dup") === 4, 3000, "ack 4");
    const acksBefore = of(pub, "streamAck").length;
    pub.send(fragment("dup", 2, "again"));
    pub.send(fragment("dup", 3, "again"));
    await pub.until(() => of(pub, "streamAck").length > acksBefore, 3000, "duplicate ack");
    expect(lastAck(pub, "dup")).toBe(4);
    pub.send(fragment("dup", 4));
    await sub.until(() => groupMessages(sub).length === 4, 3000, "4 fragments");
    expect(groupMessages(sub).map((m) => m.data)).toEqual(["f1", "f2", "f3", "f4"]);
  });

  it("nacks a gap with InvalidSequenceId and the expected id, publishes nothing of it, and accepts the rewind", async () => {
    const { sub, pub } = await pair();
    await open(pub, "gap");
    pub.send(fragment("gap", 1));
    pub.send(fragment("gap", 3));
    const nack = await pub.message((m) => m.type === "streamNack");
    expect(nack).toEqual({
      type: "streamNack",
      streamId: "gap",
      expectedSequenceId: 2,
      name: "InvalidSequenceId",
      message: "Expected streamSequenceId 2.",
    });
    // the publisher rewinds to the expected id and resends in order
    pub.send(fragment("gap", 2));
    pub.send(fragment("gap", 3));
    await sub.until(() => groupMessages(sub).length === 3, 3000, "3 fragments");
    expect(groupMessages(sub).map((m) => m.data)).toEqual(["f1", "f2", "f3"]);
    await pub.until(() => lastAck(pub, "gap") === 4, 3000, "ack 4");
    // the stream is still open after a nack
    expect(of(pub, "streamClosed")).toEqual([]);
  });

  it("does not publish a keepalive and answers StreamNotFound for unknown streams", async () => {
    const { sub, pub } = await pair();
    await open(pub, "ka");
    pub.send({ type: "streamData", streamId: "ka" });
    pub.send(fragment("ka", 1));
    await sub.until(() => groupMessages(sub).length === 1, 3000, "1 fragment");
    expect(groupMessages(sub)[0]).toMatchObject({ data: "f1" });
    for (const frame of [
      { type: "streamData", streamId: "nope" },
      fragment("nope", 1),
      { type: "streamEnd", streamId: "nope" },
    ]) {
      pub.send(frame);
    }
    await pub.until(() => of(pub, "streamClosed").length === 3, 3000, "3 refusals");
    for (const m of of(pub, "streamClosed")) {
      expect(m).toEqual({
        type: "streamClosed",
        streamId: "nope",
        error: { name: "StreamNotFound", message: "No open stream has this streamId." },
      });
    }
    // a closed stream is unknown too
    pub.send({ type: "streamEnd", streamId: "ka" });
    await pub.until(() => of(pub, "streamClosed").length === 4, 3000, "close");
    pub.send(fragment("ka", 2));
    await pub.until(() => of(pub, "streamClosed").length === 5, 3000, "not found");
    expect(of(pub, "streamClosed")[4]).toMatchObject({ streamId: "ka", error: { name: "StreamNotFound" } });
  });

  it("ends a stream with a user error: UserError to subscribers, a plain streamClosed to the publisher", async () => {
    const { sub, pub } = await pair();
    await open(pub, "ue");
    pub.send(fragment("ue", 1));
    pub.send({ type: "streamEnd", streamId: "ue", error: { message: "disk full", userErrorCode: "E42" } });
    const end = await sub.message((m) => (m.stream as Msg | undefined)?.endOfStream === true, "terminal");
    expect(end.stream).toEqual({
      streamId: "ue",
      streamSequenceId: 2,
      endOfStream: true,
      error: { name: "UserError", message: "disk full", userErrorCode: "E42" },
    });
    expect(await pub.message((m) => m.type === "streamClosed")).toEqual({ type: "streamClosed", streamId: "ue" });
  });

  it("closes an idle stream with IdleTimeout (the start's idleTimeoutMs, else the emulator's default)", async () => {
    const { sub, pub } = await pair();
    // the fragment goes out with the start, in the same turn of this process (which also runs the emulator): the
    // 50 ms idle timer cannot fire between them, however slow the machine
    const started = open(pub, "idle", {}, { idleTimeoutMs: 50 });
    pub.send(fragment("idle", 1));
    await started;
    const closed = await pub.message((m) => m.type === "streamClosed" && m.streamId === "idle");
    expect(closed).toEqual({
      type: "streamClosed",
      streamId: "idle",
      error: { name: "IdleTimeout", message: "The stream had no activity for 50 ms." },
    });
    const end = await sub.message((m) => (m.stream as Msg | undefined)?.endOfStream === true, "terminal");
    expect(end.stream).toEqual({
      streamId: "idle",
      streamSequenceId: 2,
      endOfStream: true,
      error: { name: "IdleTimeout", message: "The stream had no activity for 50 ms." },
    });
    // without idleTimeoutMs: the emulator's streamIdleTimeoutMs (150 in this file)
    await open(pub, "idle2", {}, {});
    const closed2 = await pub.message((m) => m.type === "streamClosed" && m.streamId === "idle2");
    expect(closed2.error).toEqual({ name: "IdleTimeout", message: "The stream had no activity for 150 ms." });
  });

  it("checks sendToGroup permission at the start: Forbidden without it, accepted for a group it is granted", async () => {
    const { pub } = await pair({ publisherClaims: { role: ["webpubsub.sendToGroup.other"] } });
    pub.send({ type: "sendToGroup", group: "g", stream: { streamId: "f" } });
    expect(await pub.message((m) => m.type === "streamClosed")).toEqual({
      type: "streamClosed",
      streamId: "f",
      error: { name: "Forbidden", message: 'The connection has no permission to send to group "g".' },
    });
    pub.send({ type: "sendToGroup", group: "other", stream: { streamId: "f" } });
    expect(await pub.message((m) => m.type === "streamAck")).toEqual({
      type: "streamAck",
      streamId: "f",
      expectedSequenceId: 1,
    });
  });

  it("answers a repeated start of an open stream with its current expected id; another group is BadRequest", async () => {
    const { pub } = await pair();
    await open(pub, "again");
    pub.send(fragment("again", 1));
    await pub.until(() => lastAck(pub, "again") === 2, 3000, "ack 2");
    pub.send({ type: "sendToGroup", group: "g", stream: { streamId: "again" } });
    await pub.until(() => of(pub, "streamAck").length === 3, 3000, "repeat ack");
    expect(of(pub, "streamAck")[2]).toEqual({ type: "streamAck", streamId: "again", expectedSequenceId: 2 });
    pub.send({ type: "sendToGroup", group: "h", stream: { streamId: "again" } });
    expect(await pub.message((m) => m.type === "streamClosed")).toMatchObject({ error: { name: "BadRequest" } });
  });

  it("honours noEcho: the publisher in the group gets no fragment or terminal message of its own stream", async () => {
    const h = hub();
    const pub = await connect(emu, h, { claims: { ...SEND, "webpubsub.group": "g" } });
    await open(pub, "quiet", { noEcho: true });
    pub.send(fragment("quiet", 1));
    pub.send({ type: "streamEnd", streamId: "quiet" });
    await pub.message((m) => m.type === "streamClosed");
    await open(pub, "loud");
    pub.send(fragment("loud", 1));
    pub.send({ type: "streamEnd", streamId: "loud" });
    await pub.until(() => groupMessages(pub).length === 2, 3000, "own stream");
    expect(groupMessages(pub).map((m) => (m.stream as Msg).streamId)).toEqual(["loud", "loud"]);
  });

  it("ends the publisher's streams with its session: subscribers get a Cancelled terminal message", async () => {
    const { sub, pub } = await pair();
    await open(pub, "gone");
    pub.send(fragment("gone", 1));
    await sub.until(() => groupMessages(sub).length === 1, 3000, "fragment");
    await pub.close();
    const end = await sub.message((m) => (m.stream as Msg | undefined)?.endOfStream === true, "terminal");
    expect(end.stream).toEqual({
      streamId: "gone",
      streamSequenceId: 2,
      endOfStream: true,
      error: { name: "Cancelled", message: "The publisher's connection ended." },
    });
  });

  it("numbers stream messages with the reliable subscriber's own sequenceId, apart from streamSequenceId", async () => {
    const { sub, pub } = await pair({ subscriberProtocol: RELIABLE_PROTOCOL });
    await open(pub, "rel");
    pub.send(fragment("rel", 1));
    pub.send({ type: "streamEnd", streamId: "rel" });
    await sub.until(() => groupMessages(sub).length === 2, 3000, "2 messages");
    expect(groupMessages(sub).map((m) => [m.sequenceId, (m.stream as Msg).streamSequenceId])).toEqual([
      [1, 1],
      [2, 2],
    ]);
  });

  it("gives protobuf subscribers plain group messages and no terminal message", async () => {
    const { sub, pub } = await pair({ subscriberProtocol: PROTOBUF });
    await open(pub, "pb");
    pub.send(fragment("pb", 1, "one"));
    pub.send(fragment("pb", 2, "two"));
    pub.send({ type: "streamEnd", streamId: "pb" });
    await pub.message((m) => m.type === "streamClosed");
    // a marker sent after the stream ended: everything of the stream arrived before it
    pub.send({ type: "sendToGroup", group: "g", dataType: "text", data: "marker" });
    await sub.until(() => sub.frames.length >= 4, 3000, "connected + 3 messages");
    const decoded = sub.frames.map((f) => protobufCodec.decodeDownstream(f.data as Buffer));
    expect(decoded.slice(1)).toEqual([
      { type: "message", from: "group", group: "g", dataType: "text", data: "one" },
      { type: "message", from: "group", group: "g", dataType: "text", data: "two" },
      { type: "message", from: "group", group: "g", dataType: "text", data: "marker" },
    ]);
  });

  it("gives simple subscribers the fragments' raw payloads and no terminal message", async () => {
    const { sub, pub } = await pair({ subscriberProtocol: null });
    await open(pub, "raw");
    pub.send(fragment("raw", 1, "one"));
    pub.send({ type: "streamEnd", streamId: "raw" });
    await pub.message((m) => m.type === "streamClosed");
    pub.send({ type: "sendToGroup", group: "g", dataType: "text", data: "marker" });
    await sub.until(() => sub.frames.length >= 2, 3000, "2 frames");
    expect(sub.frames.map((f) => f.data)).toEqual(["one", "marker"]);
  });

  it("answers an invalid stream frame whose streamId is valid with streamClosed BadRequest, keeping the connection", async () => {
    const { pub } = await pair();
    await open(pub, "inv");
    pub.send({ type: "streamData", streamId: "inv", streamSequenceId: 0, dataType: "text", data: "x" });
    expect(await pub.message((m) => m.type === "streamClosed")).toMatchObject({
      streamId: "inv",
      error: { name: "BadRequest" },
    });
    pub.send({ type: "sendToGroup", group: "g", stream: { streamId: "withData" }, dataType: "text", data: "x" });
    await pub.until(() => of(pub, "streamClosed").length === 2, 3000, "second refusal");
    expect(of(pub, "streamClosed")[1]).toMatchObject({ streamId: "withData", error: { name: "BadRequest" } });
    expect(pub.closeCode).toBeUndefined();
  });

  it(`accepts a streamId of ${ID_LIMIT} characters and closes with 1007 for a longer one, without echoing it`, async () => {
    const { pub } = await pair();
    await open(pub, "s".repeat(ID_LIMIT));
    pub.send({ type: "sendToGroup", group: "g", stream: { streamId: "t".repeat(ID_LIMIT + 1) } });
    expect(await pub.closed).toBe(1007);
    expect(pub.closeReason).toContain(`longer than ${ID_LIMIT}`);
    expect(JSON.stringify(pub.messages)).not.toContain("tttt");
  });

  it(`keeps at most ${MAX_OPEN_STREAMS} open streams per connection`, async () => {
    const { pub } = await pair();
    for (let i = 0; i < MAX_OPEN_STREAMS; i++) {
      pub.send({ type: "sendToGroup", group: "g", stream: { streamId: `m${i}`, idleTimeoutMs: 60_000 } });
    }
    await pub.until(() => of(pub, "streamAck").length === MAX_OPEN_STREAMS, 5000, "all starts");
    pub.send({ type: "sendToGroup", group: "g", stream: { streamId: "one-more" } });
    expect(await pub.message((m) => m.type === "streamClosed")).toEqual({
      type: "streamClosed",
      streamId: "one-more",
      error: { name: "BadRequest", message: `Too many open streams on this connection (limit ${MAX_OPEN_STREAMS}).` },
    });
    // closing one frees a slot
    pub.send({ type: "streamEnd", streamId: "m0" });
    await pub.until(() => of(pub, "streamClosed").length === 2, 3000, "close m0");
    await open(pub, "one-more");
  });

  it(`accepts a fragment of ${MAX_FRAGMENT_BYTES} bytes and closes the stream for a larger one`, async () => {
    const { sub, pub } = await pair();
    await open(pub, "big");
    pub.send(fragment("big", 1, "a".repeat(MAX_FRAGMENT_BYTES)));
    await sub.until(() => groupMessages(sub).length === 1, 5000, "largest fragment");
    pub.send(fragment("big", 2, "b".repeat(MAX_FRAGMENT_BYTES + 1)));
    const closed = await pub.message((m) => m.type === "streamClosed");
    expect(closed).toEqual({
      type: "streamClosed",
      streamId: "big",
      error: {
        name: "BadRequest",
        message: `Fragment 2 has ${MAX_FRAGMENT_BYTES + 1} bytes of data; the limit is ${MAX_FRAGMENT_BYTES}.`,
      },
    });
    const end = await sub.message((m) => (m.stream as Msg | undefined)?.endOfStream === true, "terminal");
    expect(end.stream).toMatchObject({ streamSequenceId: 2, error: { name: "BadRequest" } });
    expect(groupMessages(sub)).toHaveLength(2);
  });

  it("keeps a reliable publisher's stream through a recovery: resent fragments are acked, each published once", async () => {
    const h = hub();
    const sub = await connect(emu, h, { claims: { "webpubsub.group": "g" } });
    const pub = await connect(emu, h, { protocol: RELIABLE_PROTOCOL, claims: SEND });
    const token = pub.messages[0]!.reconnectionToken as string;
    await open(pub, "kept");
    for (let i = 1; i <= 3; i++) pub.send(fragment("kept", i));
    await sub.until(() => groupMessages(sub).length === 3, 3000, "3 fragments");
    pub.ws.terminate();
    await pub.closed;
    const url =
      `${emu.endpoint.replace("http", "ws")}/client/hubs/${h}?awps_connection_id=${encodeURIComponent(pub.connectionId)}` +
      `&awps_reconnection_token=${encodeURIComponent(token)}`;
    const again = new TestClient(url, RELIABLE_PROTOCOL);
    await again.opened;
    // the publisher did not see the ack of 3: it resends it, then goes on
    again.send(fragment("kept", 3));
    again.send(fragment("kept", 4));
    await again.until(() => lastAck(again, "kept") === 5, 3000, "ack 5");
    again.send({ type: "streamEnd", streamId: "kept" });
    await sub.until(() => groupMessages(sub).length === 5, 3000, "4 fragments + end");
    expect(groupMessages(sub).map((m) => (m.stream as Msg).streamSequenceId)).toEqual([1, 2, 3, 4, 5]);
    expect(groupMessages(sub).map((m) => m.data)).toEqual(["f1", "f2", "f3", "f4", ""]);
    await again.close();
  });
});
