// Each wire form of a message is encoded once and shared; the reliable forms add only the sequence id. The encodings
// belong to the protocols (src/protocols/); a message caches them.
import { jsonCodec, protobufCodec } from "@webpubsub/core";
import { describe, expect, it } from "vitest";
import { Outgoing } from "../src/outgoing.ts";
import { PROTOCOLS, SIMPLE } from "../src/protocols/index.ts";
import { jsonEncoding } from "../src/protocols/json-encoding.ts";
import { protobufEncoding } from "../src/protocols/protobuf-encoding.ts";

const json = (m: Outgoing) => jsonEncoding.frame(m);
const protobuf = (m: Outgoing) => protobufEncoding.frame(m);
const raw = (m: Outgoing) => SIMPLE.encodeData(m, 0);

describe("wire encodings of a message", () => {
  const long = "x".repeat(70_000); // multi-byte length prefixes
  const cases = [
    new Outgoing({ payload: { kind: "text", text: "hi" }, from: "server" }),
    new Outgoing({ payload: { kind: "json", text: '{"a":[1,2]}' }, from: "group", group: "g", fromUserId: "u" }),
    new Outgoing({
      payload: { kind: "binary", bytes: Buffer.from([1, 2, 3]) },
      from: "group",
      group: "g",
      fromUserId: null,
    }),
    new Outgoing({ payload: { kind: "text", text: long }, from: "group", group: "big", metadata: { k: "v" } }),
  ];

  it("returns the same buffer for every recipient", () => {
    for (const m of cases) {
      expect(json(m)).toBe(json(m));
      expect(protobuf(m)).toBe(protobuf(m));
      expect(raw(m)).toBe(raw(m));
      for (const protocol of PROTOCOLS.values()) {
        if (!protocol.reliable) expect(protocol.encodeData(m, 0).data).toBe(protocol.encodeData(m, 0).data);
      }
    }
  });

  it("reliable JSON frames are the shared frame plus a sequenceId", () => {
    for (const m of cases) {
      for (const seq of [1, 127, 128, 300, 2 ** 31, 2 ** 40]) {
        const decoded = jsonCodec.decodeDownstream(jsonEncoding.reliableFrame(m, seq).toString("utf8"));
        expect(decoded).toEqual({ ...jsonCodec.decodeDownstream(json(m).toString("utf8")), sequenceId: seq });
      }
    }
  });

  it("reliable protobuf frames decode to the shared message plus a sequence_id", () => {
    for (const m of cases) {
      const plain = protobufCodec.decodeDownstream(protobuf(m));
      for (const seq of [1, 127, 128, 300, 2 ** 31, 2 ** 40]) {
        expect(protobufCodec.decodeDownstream(protobufEncoding.reliableFrame(m, seq))).toEqual({
          ...plain,
          sequenceId: seq,
        });
      }
    }
  });

  it("encodes every data type for JSON clients", () => {
    expect(JSON.parse(json(cases[0]!).toString())).toEqual({
      type: "message",
      from: "server",
      dataType: "text",
      data: "hi",
    });
    expect(JSON.parse(json(cases[1]!).toString())).toEqual({
      type: "message",
      from: "group",
      group: "g",
      fromUserId: "u",
      dataType: "json",
      data: { a: [1, 2] },
    });
    expect(JSON.parse(json(cases[2]!).toString())).toMatchObject({
      fromUserId: null,
      dataType: "binary",
      data: "AQID",
    });
    expect(JSON.parse(json(cases[3]!).toString())).toMatchObject({ metadata: { k: "v" }, data: long });
  });

  it("gives simple clients the payload itself, as text or binary", () => {
    expect(raw(cases[0]!)).toEqual({ data: Buffer.from("hi"), binary: false });
    expect(raw(cases[1]!)).toEqual({ data: Buffer.from('{"a":[1,2]}'), binary: false });
    expect(raw(cases[2]!)).toEqual({ data: Buffer.from([1, 2, 3]), binary: true });
    expect(SIMPLE.encodeControl({ type: "pong" })).toBeUndefined();
  });

  it("caches a value per encoder, built once", () => {
    const m = new Outgoing({ payload: { kind: "text", text: "x" }, from: "server" });
    const a = {};
    const b = {};
    let builds = 0;
    const build = () => ({ n: ++builds });
    expect(m.encoded(a, build)).toBe(m.encoded(a, build));
    expect(m.encoded(b, build)).toEqual({ n: 2 });
    expect(builds).toBe(2);
  });

  it("honors the TTL", () => {
    expect(new Outgoing({ payload: { kind: "text", text: "" }, from: "server", ttlSeconds: 0 }).expired).toBe(false);
    const m = new Outgoing({ payload: { kind: "text", text: "" }, from: "server", ttlSeconds: 300 });
    expect(m.expired).toBe(false);
    expect(m.expiresAt).toBeGreaterThan(Date.now() + 299_000);
  });
});
