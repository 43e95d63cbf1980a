// Round trips of both wire codecs over generated messages: every upstream and downstream message the types allow
// decodes back to itself after encoding (JSON and protobuf), with the few documented protobuf normalizations
// (an empty user id is anonymous, no fromUserId) written out as the expected value. Equality is strict: a decoded
// message has no key at all for an optional field the frame did not carry.
import {
  type DownstreamMessage,
  jsonCodec,
  type MessagePayload,
  protobufCodec,
  type UpstreamMessage,
} from "@webpubsub/core";
import fc from "fast-check";
import { describe, expect, test } from "vitest";

const RUNS = 400;

const text = fc.string({ unit: "grapheme", maxLength: 20 });
const groupName = fc
  .string({ unit: "grapheme", minLength: 1, maxLength: 12 })
  .filter((g) => g.trim() !== "" && g.length <= 1024);
const eventName = fc.stringMatching(/^[A-Za-z][A-Za-z0-9_.-]{0,20}$/);
const id = fc.oneof(fc.constantFrom(0, 1, 127, 128, 2 ** 32, Number.MAX_SAFE_INTEGER), fc.maxSafeNat());
const metadata = fc.dictionary(fc.oneof(text, fc.constant("__proto__")), text, {
  minKeys: 1,
  maxKeys: 3,
  noNullPrototype: true,
});

const payload: fc.Arbitrary<MessagePayload> = fc.oneof(
  fc.record({ dataType: fc.constant("text" as const), data: text }),
  fc.record({
    dataType: fc.constant("json" as const),
    // JSON values as JSON carries them (-0 reads back as 0)
    data: fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.parse(JSON.stringify(v)) as unknown),
  }),
  fc.record({
    dataType: fc.constantFrom("binary" as const, "protobuf" as const),
    data: fc.uint8Array({ maxLength: 40 }),
  }),
);

/** Optional fields of a message: each present or absent (never present as undefined). */
function optional<T extends Record<string, fc.Arbitrary<unknown>>>(fields: T) {
  return fc.record(fields, { requiredKeys: [] });
}

const upstream: fc.Arbitrary<UpstreamMessage> = fc.oneof(
  fc
    .tuple(fc.constantFrom("joinGroup" as const, "leaveGroup" as const), groupName, optional({ ackId: id }))
    .map(([type, group, rest]) => ({ type, group, ...rest })),
  fc
    .tuple(
      groupName,
      payload,
      optional({ ackId: id, noEcho: fc.boolean(), ttlSeconds: fc.integer({ min: 0, max: 300 }), metadata }),
    )
    .map(([group, p, rest]) => ({ type: "sendToGroup" as const, group, ...p, ...rest })),
  fc
    .tuple(eventName, payload, optional({ ackId: id, metadata }))
    .map(([event, p, rest]) => ({ type: "event" as const, event, ...p, ...rest })),
  id.map((sequenceId) => ({ type: "sequenceAck" as const, sequenceId })),
  fc.constant({ type: "ping" as const }),
);

const downstream: fc.Arbitrary<DownstreamMessage> = fc.oneof(
  fc
    .tuple(
      text.filter((c) => c !== ""),
      fc.option(text, { nil: null }),
      optional({ reconnectionToken: text }),
    )
    .map(([connectionId, userId, rest]) => ({
      type: "system" as const,
      event: "connected" as const,
      connectionId,
      userId,
      ...rest,
    })),
  text.map((message) => ({ type: "system" as const, event: "disconnected" as const, message })),
  fc
    .tuple(id, fc.boolean(), optional({ error: fc.record({ name: text, message: text }, { noNullPrototype: true }) }))
    .map(([ackId, success, rest]) => ({ type: "ack" as const, ackId, success, ...rest })),
  fc
    .tuple(groupName, payload, optional({ fromUserId: fc.option(text, { nil: null }), sequenceId: id, metadata }))
    .map(([group, p, rest]) => ({ type: "message" as const, from: "group" as const, group, ...p, ...rest })),
  fc
    .tuple(payload, optional({ sequenceId: id, metadata }))
    .map(([p, rest]) => ({ type: "message" as const, from: "server" as const, ...p, ...rest })),
  fc.constant({ type: "pong" as const }),
);

/** What a downstream message looks like after a protobuf round trip (the fields protobuf cannot carry). */
function protobufView(m: DownstreamMessage): DownstreamMessage {
  if (m.type === "system" && m.event === "connected") {
    const out = { ...m, userId: m.userId === "" ? null : m.userId };
    if (out.reconnectionToken === "") delete out.reconnectionToken;
    return out;
  }
  if (m.type === "message" && m.from === "group") {
    const { fromUserId: _dropped, ...rest } = m;
    return rest;
  }
  return m;
}

describe.each([
  { name: "JSON", codec: jsonCodec, view: (m: DownstreamMessage) => m, normalized: "unchanged" },
  {
    name: "protobuf",
    codec: protobufCodec,
    view: protobufView,
    normalized: "an empty user id read as anonymous and fromUserId dropped",
  },
])("the $name codec decodes what it encodes", ({ codec, view, normalized }) => {
  test("every upstream message", () => {
    fc.assert(
      fc.property(upstream, (m) => {
        expect(codec.decodeUpstream(codec.encodeUpstream(m) as never)).toStrictEqual(m);
      }),
      { numRuns: RUNS },
    );
  });

  test(`every downstream message, ${normalized}`, () => {
    fc.assert(
      fc.property(downstream, (m) => {
        expect(codec.decodeDownstream(codec.encodeDownstream(m) as never)).toStrictEqual(view(m));
      }),
      { numRuns: RUNS },
    );
  });
});

describe("the two codecs agree", () => {
  test("a message survives JSON -> protobuf -> JSON unchanged (the codecs agree on every upstream field)", () => {
    fc.assert(
      fc.property(upstream, (m) => {
        const viaProtobuf = protobufCodec.decodeUpstream(protobufCodec.encodeUpstream(m));
        expect(jsonCodec.encodeUpstream(viaProtobuf)).toBe(jsonCodec.encodeUpstream(m));
      }),
      { numRuns: RUNS },
    );
  });
});
