// Each wire form of a message is encoded once and shared; the reliable forms add only the sequence id.
import { jsonCodec, protobufCodec } from "@webpubsub/core";
import { describe, expect, it } from "vitest";
import { Outgoing } from "../src/outgoing.ts";

describe("Outgoing", () => {
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
      expect(m.json()).toBe(m.json());
      expect(m.protobuf()).toBe(m.protobuf());
      expect(m.raw()).toBe(m.raw());
    }
  });

  it("reliable JSON frames are the shared frame plus a sequenceId", () => {
    for (const m of cases) {
      for (const seq of [1, 127, 128, 300, 2 ** 31, 2 ** 40]) {
        const decoded = jsonCodec.decodeDownstream(m.reliableJson(seq).toString("utf8"));
        expect(decoded).toEqual({ ...jsonCodec.decodeDownstream(m.json().toString("utf8")), sequenceId: seq });
      }
    }
  });

  it("reliable protobuf frames decode to the shared message plus a sequence_id", () => {
    for (const m of cases) {
      const plain = protobufCodec.decodeDownstream(m.protobuf());
      for (const seq of [1, 127, 128, 300, 2 ** 31, 2 ** 40]) {
        expect(protobufCodec.decodeDownstream(m.reliableProtobuf(seq))).toEqual({ ...plain, sequenceId: seq });
      }
    }
  });

  it("encodes every data type for JSON clients", () => {
    expect(JSON.parse(cases[0]!.json().toString())).toEqual({
      type: "message",
      from: "server",
      dataType: "text",
      data: "hi",
    });
    expect(JSON.parse(cases[1]!.json().toString())).toEqual({
      type: "message",
      from: "group",
      group: "g",
      fromUserId: "u",
      dataType: "json",
      data: { a: [1, 2] },
    });
    expect(JSON.parse(cases[2]!.json().toString())).toMatchObject({
      fromUserId: null,
      dataType: "binary",
      data: "AQID",
    });
    expect(JSON.parse(cases[3]!.json().toString())).toMatchObject({ metadata: { k: "v" }, data: long });
  });

  it("honors the TTL", () => {
    expect(new Outgoing({ payload: { kind: "text", text: "" }, from: "server", ttlSeconds: 0 }).expired).toBe(false);
    const m = new Outgoing({ payload: { kind: "text", text: "" }, from: "server", ttlSeconds: 300 });
    expect(m.expired).toBe(false);
    expect(m.expiresAt).toBeGreaterThan(Date.now() + 299_000);
  });
});
