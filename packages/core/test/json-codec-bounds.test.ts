// What a service decodes from a client is bounded: JSON nested deeper than MAX_JSON_DEPTH, with more than
// MAX_JSON_NODES objects/arrays/members or an object of more than MAX_JSON_OBJECT_MEMBERS members is an invalid message
// found by a scan before JSON.parse (answerable with the message's ackId, never a slow parse or a stack overflow
// later), and error messages quote at most the start of a peer's value, so a MiB-long type is never echoed whole.
import {
  jsonCodec,
  MAX_JSON_ARRAY_ELEMENTS,
  MAX_JSON_DEPTH,
  MAX_JSON_ENVELOPE_NODES,
  MAX_JSON_NODES,
  MAX_JSON_OBJECT_MEMBERS,
  ProtocolError,
  protobufCodec,
  scanJsonText,
  topMembers,
  type UpstreamMessage,
} from "@webpubsub/core";
import { describe, expect, test, vi } from "vitest";

/** A JSON text nested `depth` levels deep: [[[...]]]. */
const nestedText = (depth: number) => `${"[".repeat(depth)}${"]".repeat(depth)}`;
/** The same as a value (built without recursion). */
function nested(depth: number): unknown {
  let v: unknown = [];
  for (let i = 1; i < depth; i++) v = [v];
  return v;
}

function decodeError(f: () => unknown): ProtocolError {
  try {
    f();
  } catch (e) {
    if (e instanceof ProtocolError) return e;
    throw e;
  }
  throw new Error("expected a ProtocolError");
}

describe("scanJsonText", () => {
  test("depth counts arrays and objects, not scalars or brackets inside strings", () => {
    expect(scanJsonText("1", 0).exceeded).toBeUndefined();
    expect(scanJsonText('"[[["', 0).exceeded).toBeUndefined();
    expect(scanJsonText("[]", 1).exceeded).toBeUndefined();
    expect(scanJsonText("[]", 0).exceeded).toBe("depth");
    expect(scanJsonText('{"a":[1,{"b":"]]]\\"}]}', 3).exceeded).toBeUndefined();
    expect(scanJsonText('{"a":[1,{"b":"\\"}]}', 2).exceeded).toBe("depth");
    // a string ends at a quote after an even number of backslashes (escaped backslashes), not after an odd one
    expect(scanJsonText(String.raw`["x\\",[[]]]`, 2).exceeded).toBe("depth");
    expect(scanJsonText(String.raw`["x\\\\",[[]]]`, 2).exceeded).toBe("depth");
    expect(scanJsonText(String.raw`["x\\\",[[]]]`, 2).exceeded).toBeUndefined();
    expect(scanJsonText(String.raw`["x\",[[]]]`, 2).exceeded).toBeUndefined();
    expect(scanJsonText(nestedText(MAX_JSON_DEPTH)).exceeded).toBeUndefined();
    const deep = scanJsonText(nestedText(MAX_JSON_DEPTH + 1));
    expect(deep.exceeded).toBe("depth");
    expect(deep.problem).toBe("nested more than 64 levels deep");
  });

  test(`at most ${MAX_JSON_NODES} objects, arrays and members; at most ${MAX_JSON_OBJECT_MEMBERS} members per object`, () => {
    const arrays = (n: number) => `[${"[],".repeat(n - 2)}[]]`;
    expect(scanJsonText(arrays(MAX_JSON_NODES)).exceeded).toBeUndefined();
    expect(scanJsonText(arrays(MAX_JSON_NODES + 1)).exceeded).toBe("nodes");
    // objects count as arrays do: an array of n - 1 empty objects is n nodes
    const objects = (n: number) => `[${"{},".repeat(n - 2)}{}]`;
    expect(scanJsonText(objects(MAX_JSON_NODES)).exceeded).toBeUndefined();
    expect(scanJsonText(objects(MAX_JSON_NODES + 1)).exceeded).toBe("nodes");
    const object = (n: number) => `{${Array.from({ length: n }, (_, i) => `"k${i}":1`).join(",")}}`;
    expect(scanJsonText(object(MAX_JSON_OBJECT_MEMBERS)).exceeded).toBeUndefined();
    expect(scanJsonText(object(MAX_JSON_OBJECT_MEMBERS + 1)).exceeded).toBe("members");
    // members of different objects only count towards the node bound
    const many = `[${Array.from({ length: 6 }, () => object(MAX_JSON_OBJECT_MEMBERS)).join(",")}]`;
    expect(scanJsonText(many).exceeded).toBe(undefined);
    // scalars in arrays are not nodes: half a million numbers are fine
    expect(scanJsonText(`[${"1,".repeat(500_000)}1]`).exceeded).toBeUndefined();
  });

  test(`at most ${MAX_JSON_ARRAY_ELEMENTS} array elements, scalars included, in all the text's arrays`, () => {
    /** `n` (at least 1) elements of `value` in one array */
    const array = (n: number, value: string) => `[${`${value},`.repeat(n - 1)}${value}]`;
    for (const value of ["1", '""', "true", "null", '"a,b"']) {
      expect(scanJsonText(array(MAX_JSON_ARRAY_ELEMENTS, value)).exceeded).toBeUndefined();
      const past = scanJsonText(array(MAX_JSON_ARRAY_ELEMENTS + 1, value));
      expect(past.exceeded).toBe("elements");
      expect(past.problem).toBe("holding more than 1048576 array elements");
    }
    // the elements of every array count together (an inner array is an element of the outer one, and its own elements
    // count too); an empty array counts as one
    const half = MAX_JSON_ARRAY_ELEMENTS / 2;
    expect(scanJsonText(`[${array(half - 1, "1")},${array(half - 1, "1")}]`).exceeded).toBeUndefined();
    expect(scanJsonText(`[${array(half - 1, "1")},${array(half, "1")}]`).exceeded).toBe("elements");
    expect(scanJsonText(`[${array(MAX_JSON_ARRAY_ELEMENTS - 3, "1")},[]]`).exceeded).toBeUndefined();
    expect(scanJsonText(`[${array(MAX_JSON_ARRAY_ELEMENTS - 2, "1")},[]]`).exceeded).toBe("elements");
    // commas between an object's members, or inside strings, are not elements
    const members = `{${Array.from({ length: 5_000 }, (_, i) => `"k${i}":"x,y"`).join(",")}}`;
    expect(scanJsonText(`[${array(MAX_JSON_ARRAY_ELEMENTS - 2, "1")},${members}]`).exceeded).toBeUndefined();
    expect(scanJsonText(`[${array(MAX_JSON_ARRAY_ELEMENTS - 1, "1")},${members}]`).exceeded).toBe("elements");
  });

  test("a caller may set its own node bound (maxNodes), counted the same way and named in the problem", () => {
    const arrays = (n: number) => `[${"[],".repeat(n - 2)}[]]`;
    expect(scanJsonText(arrays(100), MAX_JSON_DEPTH, [], 100).exceeded).toBeUndefined();
    const past = scanJsonText(arrays(101), MAX_JSON_DEPTH, [], 100);
    expect(past.exceeded).toBe("nodes");
    expect(past.problem).toBe("made of more than 100 objects, arrays and members");
    expect(scanJsonText(arrays(MAX_JSON_NODES + 1), MAX_JSON_DEPTH, [], MAX_JSON_NODES + 1).exceeded).toBeUndefined();
    // members count towards it too
    expect(scanJsonText('{"a":1,"b":2}', MAX_JSON_DEPTH, [], 2).exceeded).toBe("nodes");
    expect(scanJsonText('{"a":1,"b":2}', MAX_JSON_DEPTH, [], 3).exceeded).toBeUndefined();
  });

  test("reads the raw top-level members it is asked for, wherever they are, but not nested ones", () => {
    // the string value of "s" holds an escaped backslash, then an escaped quote: it ends only at the last quote
    const s = JSON.stringify('\\","ackId":6');
    const text = `{"type":"event","data":{"ackId":5,"type":"x"},"s":${s},"ackId": 7 }`;
    expect(JSON.parse(text).s).toBe('\\","ackId":6');
    const scan = scanJsonText(text, 64, ["type", "ackId"]);
    expect(scan.top.get("type")).toBe('"event"');
    expect(scan.top.get("ackId")).toBe("7");
  });

  test("topMembers reads only the named scalar members of the top-level object, the last of each, trimmed", () => {
    const read = (text: string) => topMembers(text, ["type", "ackId"]);
    // names not asked for are left out
    expect(read('{"type":"event","other":1,"ackId": 5 }')).toEqual(
      new Map([
        ["type", '"event"'],
        ["ackId", "5"],
      ]),
    );
    expect(read('{"ackId":1,"ackId":2}')).toEqual(new Map([["ackId", "2"]]));
    expect(read('{"a":1}')).toEqual(new Map());
    // members of nested objects are not top-level members, whatever their name
    expect(read('{"a":{"type":"x","ackId":1},"b":[{"type":"y"},2]}')).toEqual(new Map());
    // a container value is never read, and does not hide a later member
    expect(read('{"type":{"x":1,"y":2},"ackId":[1,2]}')).toEqual(new Map());
    expect(read('{"type":[1],"type":"b"}')).toEqual(new Map([["type", '"b"']]));
    // a top-level array has no members
    expect(read('[{"type":"x"},{"ackId":1}]')).toEqual(new Map());
    // strings holding quotes, brackets, commas and colons do not end a value early
    expect(read(String.raw`{"type":"a\\","ackId":3}`)).toEqual(
      new Map([
        ["type", String.raw`"a\\"`],
        ["ackId", "3"],
      ]),
    );
    expect(read(String.raw`{"type":"a\",:]}","ackId":4}`)).toEqual(
      new Map([
        ["type", String.raw`"a\",:]}"`],
        ["ackId", "4"],
      ]),
    );
  });

  test("is linear: a MiB of 500,000 levels, backslashes or escaped quotes costs at most 20 times a MiB of numbers, + 50 ms", () => {
    /** the least thread CPU time (ms) of three scans of `text` */
    const cpuOf = (text: string) =>
      Math.min(
        ...[1, 2, 3].map(() => {
          const before = process.threadCpuUsage();
          scanJsonText(text);
          const used = process.threadCpuUsage(before);
          return (used.user + used.system) / 1000;
        }),
      );
    const inputs = [nestedText(500_000), `"${"\\".repeat(500_000)}"`, `[${'"\\"",'.repeat(150_000)}1]`];
    for (const text of inputs) {
      // a same-length array of numbers: one comma every other character, the scan's busiest plain input
      const numbers = `[${"1,".repeat(text.length / 2 - 1)}1]`;
      // a scan that went back over the text it had passed would cost thousands of times more (2,345 ms against 81 for
      // one looking back 3,000 characters per string); the 50 ms floor absorbs a clock that reads a short scan as 0
      expect(cpuOf(text)).toBeLessThan(20 * cpuOf(numbers) + 50);
    }
  });
});

describe("JSON subprotocol: nesting bound of client data", () => {
  const send = (data: string, ackId: number | string = 7) =>
    `{"type":"sendToGroup","group":"g","ackId":${ackId},"dataType":"json","data":${data}}`;

  test(`data nested ${MAX_JSON_DEPTH} levels is accepted, ${MAX_JSON_DEPTH + 1} is an invalid message`, () => {
    const ok = jsonCodec.decodeUpstream(send(nestedText(MAX_JSON_DEPTH)));
    expect(ok.type).toBe("sendToGroup");
    const e = decodeError(() => jsonCodec.decodeUpstream(send(nestedText(MAX_JSON_DEPTH + 1))));
    expect(e.code).toBe("invalid_message");
    expect(e.ackId).toBe(7);
    expect(e.message).toMatch(/nested more than 64 levels/);
  });

  test("200,000 levels (sendToGroup and event) are an invalid message with the ackId, not a RangeError", () => {
    const deep = nestedText(200_000);
    for (const frame of [
      send(deep, 3),
      `{"type":"event","event":"e","ackId":3,"dataType":"json","data":${deep}}`,
      `{"type":"sendToGroup","data":${deep},"group":"g","ackId":3}`,
    ]) {
      const e = decodeError(() => jsonCodec.decodeUpstream(frame));
      expect(e.code).toBe("invalid_message");
      expect(e.ackId).toBe(3);
      expect(e.message).toMatch(/nested more than 64 levels/);
      expect(e.message).not.toMatch(/RangeError|stack/);
    }
  });

  test("too many nodes or members are an invalid message with the ackId; without an ackable type, without one", () => {
    const nodes = decodeError(() => jsonCodec.decodeUpstream(send(`[${"{},".repeat(MAX_JSON_NODES)}{}]`, 4)));
    expect(nodes.ackId).toBe(4);
    const keys = Array.from({ length: MAX_JSON_OBJECT_MEMBERS + 1 }, (_, i) => `"k${i}":"v"`).join(",");
    const members = decodeError(() =>
      jsonCodec.decodeUpstream(`{"type":"sendToGroup","group":"g","ackId":5,"data":1,"metadata":{${keys}}}`),
    );
    expect(members.ackId).toBe(5);
    const ping = decodeError(() => jsonCodec.decodeUpstream(`{"type":"ping","ackId":6,"pad":${nestedText(100)}}`));
    expect(ping.code).toBe("invalid_message");
    expect(ping.ackId).toBeUndefined();
  });

  test("the refusal names the bound the frame breaks", () => {
    const refused = (frame: string) => decodeError(() => jsonCodec.decodeUpstream(frame)).message;
    expect(refused(send(nestedText(MAX_JSON_DEPTH + 1)))).toBe(
      `the message is refused: its content is nested more than ${MAX_JSON_DEPTH} levels deep`,
    );
    expect(refused(send(`[${"{},".repeat(MAX_JSON_NODES)}{}]`))).toBe(
      `the message is refused: it is made of more than ${MAX_JSON_NODES} objects, arrays and members`,
    );
    const keys = Array.from({ length: MAX_JSON_OBJECT_MEMBERS + 1 }, (_, i) => `"k${i}":1`).join(",");
    expect(refused(send(`{${keys}}`))).toBe(
      `the message is refused: it is holding an object with more than ${MAX_JSON_OBJECT_MEMBERS} members`,
    );
  });

  test("every message kind with an ackId (joinGroup, leaveGroup, sendToGroup, event) is answerable on it", () => {
    const pad = nestedText(MAX_JSON_DEPTH + 1);
    for (const frame of [
      `{"type":"joinGroup","group":"g","ackId":11,"pad":${pad}}`,
      `{"type":"leaveGroup","group":"g","ackId":11,"pad":${pad}}`,
      send(pad, 11),
      `{"type":"event","event":"e","ackId":11,"dataType":"json","data":${pad}}`,
    ]) {
      expect(decodeError(() => jsonCodec.decodeUpstream(frame)).ackId).toBe(11);
    }
  });

  test("only an ackId written as a plain integer of up to 15 digits is answered; any other, or none, is not", () => {
    const deep = nestedText(MAX_JSON_DEPTH + 1);
    const ackIdOf = (ackId: string) => decodeError(() => jsonCodec.decodeUpstream(send(deep, ackId))).ackId;
    expect(ackIdOf("12")).toBe(12);
    expect(ackIdOf("999999999999999")).toBe(999_999_999_999_999);
    for (const raw of ["1.5", "-1", '"7"', "1e3", "1000000000000000", "null"])
      expect(ackIdOf(raw), raw).toBeUndefined();
    const none = `{"type":"sendToGroup","group":"g","dataType":"json","data":${deep}}`;
    expect(decodeError(() => jsonCodec.decodeUpstream(none)).ackId).toBeUndefined();
  });
});

describe("JSON subprotocol: bounds of what a client decodes from the service", () => {
  /** A server message whose data is the JSON text `data`: the message object and its 4 members are 5 nodes more. */
  const serverMsg = (data: string) => `{"type":"message","from":"server","dataType":"json","data":${data}}`;
  /** An array of `n` (at least 2) arrays in all, itself included. */
  const arrays = (n: number) => `[${"[],".repeat(n - 2)}[]]`;

  /** Decodes `frame`, or returns the error it is refused with and whether JSON.parse was reached. */
  function decodeOrRefusal(frame: string) {
    const parse = vi.spyOn(JSON, "parse");
    try {
      return { message: jsonCodec.decodeDownstream(frame) };
    } catch (e) {
      if (!(e instanceof ProtocolError)) throw e;
      return { refused: e.code, because: e.message, parsed: parse.mock.calls.length > 0 };
    } finally {
      parse.mockRestore();
    }
  }

  test(`data nested ${MAX_JSON_DEPTH} levels is decoded; ${MAX_JSON_DEPTH + 1} levels are refused before JSON.parse`, () => {
    expect(decodeOrRefusal(serverMsg(nestedText(MAX_JSON_DEPTH))).message).toMatchObject({ type: "message" });
    expect(decodeOrRefusal(serverMsg(nestedText(MAX_JSON_DEPTH + 1)))).toEqual({
      refused: "invalid_message",
      because: "service message refused: its JSON exceeds the depth bound",
      parsed: false,
    });
  });

  test(`a frame of ${MAX_JSON_NODES} + ${MAX_JSON_ENVELOPE_NODES} (the envelope's room) objects, arrays and members is decoded; one more is refused before JSON.parse`, () => {
    const most = MAX_JSON_NODES + MAX_JSON_ENVELOPE_NODES;
    expect(decodeOrRefusal(serverMsg(arrays(most - 5))).message).toMatchObject({ type: "message" });
    expect(decodeOrRefusal(serverMsg(arrays(most - 4)))).toEqual({
      refused: "invalid_message",
      because: "service message refused: its JSON exceeds the nodes bound",
      parsed: false,
    });
  });

  test(`an object of ${MAX_JSON_OBJECT_MEMBERS} members is decoded; one more member is refused before JSON.parse`, () => {
    const object = (n: number) => `{${Array.from({ length: n }, (_, i) => `"k${i}":1`).join(",")}}`;
    expect(decodeOrRefusal(serverMsg(object(MAX_JSON_OBJECT_MEMBERS))).message).toMatchObject({ type: "message" });
    expect(decodeOrRefusal(serverMsg(object(MAX_JSON_OBJECT_MEMBERS + 1)))).toEqual({
      refused: "invalid_message",
      because: "service message refused: its JSON exceeds the members bound",
      parsed: false,
    });
  });

  test(`data of ${MAX_JSON_ARRAY_ELEMENTS} numbers is decoded; one more is refused before JSON.parse`, () => {
    const numbers = (n: number) => `[${"1,".repeat(n - 1)}1]`;
    const decoded = decodeOrRefusal(serverMsg(numbers(MAX_JSON_ARRAY_ELEMENTS))).message;
    expect(decoded).toMatchObject({ type: "message" });
    expect((decoded as { data: unknown[] }).data).toHaveLength(MAX_JSON_ARRAY_ELEMENTS);
    expect(decodeOrRefusal(serverMsg(numbers(MAX_JSON_ARRAY_ELEMENTS + 1)))).toEqual({
      refused: "invalid_message",
      because: "service message refused: its JSON exceeds the elements bound",
      parsed: false,
    });
  });

  test("6 MiB frames of 3,000,000 levels, 2,000,000 empty objects, 3,000,000 numbers or 2,000,000 empty strings are refused, never parsed", () => {
    const frames = [
      nestedText(3_000_000),
      `[${"{},".repeat(2_000_000)}{}]`,
      `[${"1,".repeat(3_000_000)}1]`,
      `[${'"",'.repeat(2_000_000)}""]`,
    ];
    for (const data of frames) {
      expect(decodeOrRefusal(serverMsg(data))).toMatchObject({ refused: "invalid_message", parsed: false });
    }
  });
});

describe("protobuf subprotocol: bounds of json_data and metadata", () => {
  /** An upstream message of each kind that carries data, with `extra` (data, metadata) and an ackId. */
  const upstream = {
    sendToGroup: (extra: object) =>
      protobufCodec.encodeUpstream({ type: "sendToGroup", group: "g", ackId: 9, ...extra } as UpstreamMessage),
    event: (extra: object) =>
      protobufCodec.encodeUpstream({ type: "event", event: "e", ackId: 9, ...extra } as UpstreamMessage),
  };
  const json = (depth: number) => ({ dataType: "json", data: nested(depth) });
  const withEntries = (n: number) => {
    const metadata: Record<string, string> = {};
    for (let i = 0; i < n; i++) metadata[`k${i}`] = "v";
    return { dataType: "text", data: "", metadata };
  };

  for (const [kind, encode] of Object.entries(upstream)) {
    test(`${kind}: ${MAX_JSON_DEPTH} levels are accepted, ${MAX_JSON_DEPTH + 1} are an invalid message with the ackId`, () => {
      expect(protobufCodec.decodeUpstream(encode(json(MAX_JSON_DEPTH))).type).toBe(kind);
      const e = decodeError(() => protobufCodec.decodeUpstream(encode(json(MAX_JSON_DEPTH + 1))));
      expect(e.code).toBe("invalid_message");
      expect(e.ackId).toBe(9);
      expect(e.message).toMatch(/json_data is nested more than 64 levels/);
    });

    test(`${kind}: ${MAX_JSON_OBJECT_MEMBERS} metadata entries are accepted, one more is an invalid message with the ackId`, () => {
      const accepted = protobufCodec.decodeUpstream(encode(withEntries(MAX_JSON_OBJECT_MEMBERS))) as {
        metadata?: object;
      };
      expect(Object.keys(accepted.metadata ?? {})).toHaveLength(MAX_JSON_OBJECT_MEMBERS);
      const e = decodeError(() => protobufCodec.decodeUpstream(encode(withEntries(MAX_JSON_OBJECT_MEMBERS + 1))));
      expect(e.ackId).toBe(9);
      expect(e.message).toMatch(/more than 10000 entries/);
    });
  }

  test(`what a client decodes: json_data nested ${MAX_JSON_DEPTH} levels is decoded, ${MAX_JSON_DEPTH + 1} make the message invalid`, () => {
    const frame = (data: unknown) =>
      protobufCodec.encodeDownstream({ type: "message", from: "server", dataType: "json", data });
    const data = nested(MAX_JSON_DEPTH);
    expect(protobufCodec.decodeDownstream(frame(data))).toEqual({
      type: "message",
      from: "server",
      dataType: "json",
      data,
    });
    const e = decodeError(() => protobufCodec.decodeDownstream(frame(nested(MAX_JSON_DEPTH + 1))));
    expect(e.code).toBe("invalid_message");
    expect(e.message).toMatch(/json_data is nested more than 64 levels/);
  });

  test(`what a client decodes: json_data of ${MAX_JSON_NODES} objects, arrays and members is decoded, one more makes the message invalid`, () => {
    const frame = (nodes: number) =>
      protobufCodec.encodeDownstream({
        type: "message",
        from: "group",
        group: "g",
        dataType: "json",
        data: Array.from({ length: nodes - 1 }, () => []),
      });
    expect(protobufCodec.decodeDownstream(frame(MAX_JSON_NODES))).toMatchObject({ type: "message", group: "g" });
    const e = decodeError(() => protobufCodec.decodeDownstream(frame(MAX_JSON_NODES + 1)));
    expect(e.code).toBe("invalid_message");
    expect(e.message).toMatch(/json_data is made of more than 65536/);
  });
});

describe("error messages never echo a long value whole", () => {
  test("a 1 MiB unknown type is quoted by its start", () => {
    const type = "A".repeat(1024 * 1024);
    const e = decodeError(() => jsonCodec.decodeUpstream(`{"type":"${type}"}`));
    expect(e.code).toBe("unknown_type");
    // its first 64 characters, then "..." (core's one rule, shownValue; the length is no longer counted)
    expect(e.message).toBe(`unknown client message type "${"A".repeat(64)}"...`);
    expect(e.message.length).toBeLessThan(200);
    // a short one is quoted whole
    expect(decodeError(() => jsonCodec.decodeUpstream('{"type":"invoke"}')).message).toContain('"invoke"');
  });

  test("a 1 MiB metadata key with a non-string value is quoted by its start", () => {
    const key = "k".repeat(1024 * 1024);
    const e = decodeError(() =>
      jsonCodec.decodeUpstream(`{"type":"sendToGroup","group":"g","ackId":1,"data":1,"metadata":{"${key}":5}}`),
    );
    expect(e.ackId).toBe(1);
    expect(e.message.length).toBeLessThan(200);
  });

  test("an unknown downstream type or system event is quoted by its start", () => {
    const long = "z".repeat(100_000);
    expect(decodeError(() => jsonCodec.decodeDownstream(`{"type":"${long}"}`)).message.length).toBeLessThan(200);
    const event = decodeError(() => jsonCodec.decodeDownstream(`{"type":"system","event":"${long}"}`));
    expect(event.message.length).toBeLessThan(200);
    // a non-string event is named by its type, never serialized
    const odd = decodeError(() => jsonCodec.decodeDownstream(`{"type":"system","event":[${"1,".repeat(100_000)}1]}`));
    expect(odd.message).toContain("object");
  });
});
