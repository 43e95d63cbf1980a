// The protocol objects: one per subprotocol, keyed by core's names and agreeing with core on what each name means;
// a handler for every message type core decodes; typed service events that cost nothing while nobody listens.
import {
  isProtobufSubprotocol,
  isReliableSubprotocol,
  jsonCodec,
  type UpstreamMessage,
  WebPubSubSubprotocol,
} from "@webpubsub/core";
import { describe, expect, it } from "vitest";
import { Outgoing } from "../src/outgoing.ts";
import { CLIENT_ENDPOINT, firstSupported, protocolFor } from "../src/protocols/endpoints.ts";
import { FrameRejected, PROTOCOLS, SIMPLE } from "../src/protocols/index.ts";
import { type ServiceEvent, ServiceEvents } from "../src/service-events.ts";
import { MESSAGE_HANDLERS } from "../src/ws/pubsub-messages.ts";

describe("the protocol table", () => {
  it("has one protocol per Web PubSub subprotocol, under its own name", () => {
    expect([...PROTOCOLS.keys()].sort()).toEqual(Object.values(WebPubSubSubprotocol).sort());
    for (const [key, protocol] of PROTOCOLS) expect(protocol.name).toBe(key);
  });

  it("agrees with core on which are reliable and which are binary", () => {
    for (const [key, protocol] of PROTOCOLS) {
      expect(protocol.reliable).toBe(isReliableSubprotocol(key));
      expect(protocol.binary).toBe(isProtobufSubprotocol(key));
    }
    expect(SIMPLE).toMatchObject({ name: undefined, reliable: false, binary: undefined });
  });

  it("picks the first offered subprotocol it speaks, and serves anything else as a simple client", () => {
    const offered = ["mqtt", WebPubSubSubprotocol.Protobuf, WebPubSubSubprotocol.Json];
    expect(firstSupported(CLIENT_ENDPOINT, offered)).toBe(WebPubSubSubprotocol.Protobuf);
    expect(firstSupported(CLIENT_ENDPOINT, ["mqtt"])).toBeUndefined();
    expect(protocolFor(CLIENT_ENDPOINT, WebPubSubSubprotocol.ReliableJson)).toBe(
      PROTOCOLS.get(WebPubSubSubprotocol.ReliableJson),
    );
    expect(protocolFor(CLIENT_ENDPOINT, "custom")).toBe(SIMPLE);
    expect(protocolFor(CLIENT_ENDPOINT, undefined)).toBe(SIMPLE);
  });

  it("refuses a frame of the other type with 1003, and names invalid messages with their ackId", () => {
    const json = PROTOCOLS.get(WebPubSubSubprotocol.Json)!;
    const protobuf = PROTOCOLS.get(WebPubSubSubprotocol.Protobuf)!;
    expect(() => json.decode(Buffer.from("{}"), true)).toThrow(
      new FrameRejected(1003, "Binary frames are not supported by the JSON subprotocol."),
    );
    expect(() => protobuf.decode(Buffer.from("{}"), false)).toThrow(/Text frames are not supported/);
    const invalid = (() => {
      try {
        json.decode(Buffer.from('{"type":"joinGroup","group":" ","ackId":7}'), false);
      } catch (e) {
        return e;
      }
    })();
    expect(invalid).toMatchObject({ name: "FrameRejected", ackId: 7, closeCode: 1007 });
    expect(() => json.decode(Buffer.from("nope"), false)).toThrow(/^Invalid message: /);
    expect(json.decode(Buffer.from('{"type":"ping"}'), false)).toEqual({ type: "ping" });
  });

  it("encodes a data message once per protocol family, reliable frames numbered", () => {
    const m = new Outgoing({ payload: { kind: "text", text: "hi" }, from: "server" });
    const json = PROTOCOLS.get(WebPubSubSubprotocol.Json)!;
    const reliable = PROTOCOLS.get(WebPubSubSubprotocol.ReliableJson)!;
    expect(JSON.parse(json.encodeData(m, 5).data.toString())).not.toHaveProperty("sequenceId");
    expect(JSON.parse(reliable.encodeData(m, 5).data.toString())).toMatchObject({ sequenceId: 5, data: "hi" });
    expect(reliable.dataSize(m, 5)).toBe(reliable.encodeData(m, 5).data.length);
    expect(json.dataSize(m, 5)).toBe(json.encodeData(m, 5).data.length);
  });
});

describe("the message handlers", () => {
  const samples: UpstreamMessage[] = [
    { type: "joinGroup", group: "g" },
    { type: "leaveGroup", group: "g" },
    { type: "sendToGroup", group: "g", dataType: "text", data: "x" },
    { type: "event", event: "e", dataType: "text", data: "x" },
    { type: "sequenceAck", sequenceId: 1 },
    { type: "ping" },
  ];

  it("have one entry per message type core decodes, and no other", () => {
    for (const m of samples) expect(jsonCodec.decodeUpstream(jsonCodec.encodeUpstream(m)).type).toBe(m.type);
    expect(Object.keys(MESSAGE_HANDLERS).sort()).toEqual(samples.map((m) => m.type).sort());
  });

  it("treat operations (which may carry an ackId) as acked, pings and sequence acks not", () => {
    const acked = Object.entries(MESSAGE_HANDLERS)
      .filter(([, h]) => h.acked)
      .map(([t]) => t);
    expect(acked.sort()).toEqual(["event", "joinGroup", "leaveGroup", "sendToGroup"]);
  });
});

describe("service events", () => {
  const conn = { id: "c1", userId: "u1", hub: { name: "h" } };

  it("reach every listener until it unsubscribes", () => {
    const events = new ServiceEvents();
    const seen: ServiceEvent[] = [];
    const stop = events.subscribe((e) => seen.push(e));
    events.joined(conn, "g");
    events.disconnected(conn, "bye", 1000);
    stop();
    events.left(conn, "g");
    expect(seen).toEqual([
      { type: "joined", hub: "h", connectionId: "c1", userId: "u1", group: "g" },
      { type: "disconnected", hub: "h", connectionId: "c1", userId: "u1", reason: "bye", code: 1000 },
    ]);
  });

  it("build nothing while nobody listens", () => {
    const events = new ServiceEvents();
    let reads = 0;
    const watched = {
      get id() {
        reads++;
        return "c1";
      },
      userId: null,
      hub: { name: "h" },
    };
    events.connected(watched, undefined);
    events.message(
      "h",
      "server",
      "all",
      new Outgoing({ payload: { kind: "text", text: "" }, from: "server" }),
      0,
      watched,
    );
    expect(reads).toBe(0);
    events.subscribe(() => {});
    events.connected(watched, undefined);
    expect(reads).toBe(1);
  });
});
