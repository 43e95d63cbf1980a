// The MQTT endpoint's rules as pure functions, each checked on both sides of its boundary: topic names and filters
// (= group names: no wildcards, no shared subscriptions, at most MAX_TOPIC_CHARS, `$` reserved for the server), the
// CONNECT limits the service documents (client id <= 128 characters, a 3.1.1 keep-alive of 1 - 180 s, a last will of
// <= 2,000 payload bytes and not on a `$` topic), SUBSCRIBE/UNSUBSCRIBE codes per version, user properties in both
// shapes, the last will's publication, and cross-protocol content. The endpoint tests check the same rules through
// mqtt.js; these pin each branch and message without a socket.
import type { IConnectPacket } from "mqtt-packet";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { Connection } from "../src/connection.ts";
import { connackCode, isConnackRefusal, Reason, refusalForStatus, V4_SUBACK_FAILURE } from "../src/mqtt/codes.ts";
import {
  ConnackRefusal,
  type ConnectRequest,
  readConnect,
  upstreamConnectFields,
} from "../src/mqtt/connect-request.ts";
import {
  contentTypeOf,
  deliveryQos,
  markSentQos,
  PayloadInvalid,
  payloadBytes,
  payloadFromMqtt,
} from "../src/mqtt/content.ts";
import { LastWill } from "../src/mqtt/last-will.ts";
import {
  MAX_CLIENT_ID_CHARS,
  MAX_PACKET_BYTES,
  MAX_SUBSCRIPTIONS,
  MAX_TOPIC_CHARS,
  MAX_WILL_PAYLOAD_BYTES,
  SERVER_MESSAGES_TOPIC,
  SESSION_KEEP_MS,
  V4_MAX_KEEP_ALIVE_SECONDS,
} from "../src/mqtt/limits.ts";
import { MqttSession } from "../src/mqtt/session.ts";
import { subscribeAll, unsubscribeAll } from "../src/mqtt/subscriptions.ts";
import { filterProblem, isServerTopic, topicProblem } from "../src/mqtt/topics.ts";
import { userPropertyList, userPropertyRecord } from "../src/mqtt/user-properties.ts";
import { Outgoing } from "../src/outgoing.ts";
import type { Service } from "../src/service.ts";

describe("limits", () => {
  // Rule: the values the service documents (and the 1 MiB packet limit sent to 5.0 clients as Maximum Packet Size).
  it("are the documented values", () => {
    expect(MAX_PACKET_BYTES).toBe(1_048_576);
    expect(SERVER_MESSAGES_TOPIC).toBe("$webpubsub/server/messages");
    expect([MAX_CLIENT_ID_CHARS, V4_MAX_KEEP_ALIVE_SECONDS, MAX_WILL_PAYLOAD_BYTES]).toEqual([128, 180, 2000]);
  });
});

describe("CONNACK codes", () => {
  // Rule: a refusal has one code per version: a 3.1.1 return code (1 - 5) and a 5.0 reason code (MQTT 5.0 3.2.2.2).
  it("gives each refusal its 3.1.1 return code and its 5.0 reason code", () => {
    const table = [
      ["protocol-version", 1, 0x84],
      ["client-id", 2, 0x85],
      ["bad-token", 5, 0x87],
      ["not-authorized", 5, 0x87],
      ["bad-request", 4, 0x86],
      ["unavailable", 3, 0x88],
      ["unspecified", 3, 0x80],
    ] as const;
    for (const [why, v4, v5] of table) {
      expect({ why, v4: connackCode(why, 4), v5: connackCode(why, 5) }).toEqual({ why, v4, v5 });
    }
  });

  // Rule: a handshake step's or connect handler's HTTP status stands for a refusal: 401 a bad token, 403 not
  // authorized, 400 a bad request, 503 and 429 unavailable, anything else unspecified.
  it("reads an HTTP status as a refusal", () => {
    const statuses = [401, 403, 400, 503, 429, 500, 404, 402, 502, 200];
    expect(statuses.map(refusalForStatus)).toEqual([
      "bad-token",
      "not-authorized",
      "bad-request",
      "unavailable",
      "unavailable",
      "unspecified",
      "unspecified",
      "unspecified",
      "unspecified",
      "unspecified",
    ]);
  });

  // Rule: a connect handler's code refuses a client only when it is a refusal code of the client's version: 3.1.1
  // return codes 1 - 5; the 5.0 CONNACK reason codes of 0x80 and above (MQTT 5.0 3.2.2.2).
  it("takes a connect handler's code as a refusal only when the version has it", () => {
    const v5 = [
      0x80, 0x81, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x89, 0x8a, 0x8c, 0x90, 0x95, 0x97, 0x99, 0x9a, 0x9b, 0x9c,
      0x9d, 0x9f,
    ];
    const codes = Array.from({ length: 256 }, (_, code) => code);
    expect(codes.filter((code) => isConnackRefusal(code, 5))).toEqual(v5);
    expect(codes.filter((code) => isConnackRefusal(code, 4))).toEqual([1, 2, 3, 4, 5]);
  });
});

describe("topic names and filters are group names", () => {
  // Rule: a filter naming a shared subscription (`$share/...`) is refused as such; `$share` without the slash is an
  // ordinary `$` name.
  it("refuses `$share/` filters as shared subscriptions, not `$sharex` or `x$share/`", () => {
    expect(filterProblem("$share/g/t")).toEqual({
      reason: Reason.SharedSubscriptionsNotSupported,
      message: "Shared subscriptions are not supported.",
    });
    expect(filterProblem("$sharex")).toBeUndefined();
    expect(filterProblem("x$share/")).toBeUndefined();
  });

  // Rule: `#` and `+` anywhere make a filter a wildcard one (refused) and a topic name invalid; a filter `a/+` is not
  // the group `a/b` (nor `a/b/c`): no wildcard ever matches.
  it.each(["#", "+", "a/#", "a/+", "a#b", "+/a"])("refuses the wildcard `%s` in a filter and a topic name", (t) => {
    expect(filterProblem(t)).toEqual({
      reason: Reason.WildcardSubscriptionsNotSupported,
      message: "Wildcard subscriptions are not supported.",
    });
    expect(topicProblem(t)).toEqual({
      reason: Reason.TopicNameInvalid,
      message: "A topic name may not contain wildcards.",
    });
  });

  it.each(["a", "a/b", "a/b/c", "$x", "x$"])("accepts `%s` as a filter and a topic name", (t) => {
    expect(filterProblem(t)).toBeUndefined();
    expect(topicProblem(t)).toBeUndefined();
  });

  // Rule: a topic is at most MAX_TOPIC_CHARS characters (1,024 accepted, 1,025 refused with the length).
  it(`accepts ${MAX_TOPIC_CHARS} characters, refuses ${MAX_TOPIC_CHARS + 1} with the filter's or the name's code`, () => {
    const at = "x".repeat(MAX_TOPIC_CHARS);
    const over = "x".repeat(MAX_TOPIC_CHARS + 1);
    expect(filterProblem(at)).toBeUndefined();
    expect(topicProblem(at)).toBeUndefined();
    const message = `A topic is at most ${MAX_TOPIC_CHARS} characters, got ${MAX_TOPIC_CHARS + 1}.`;
    expect(filterProblem(over)).toEqual({ reason: Reason.TopicFilterInvalid, message });
    expect(topicProblem(over)).toEqual({ reason: Reason.TopicNameInvalid, message });
  });

  // Rule: a blank topic is no group name.
  it.each(["", " ", "\t"])("refuses the blank topic %j", (t) => {
    const message = "A topic must be a valid group name (not blank).";
    expect(filterProblem(t)).toEqual({ reason: Reason.TopicFilterInvalid, message });
    expect(topicProblem(t)).toEqual({ reason: Reason.TopicNameInvalid, message });
  });

  // Rule: a topic starting with `$` is the server's; a `$` elsewhere is an ordinary character.
  it("reads `$x` and `$` as server topics, not `x$`, `a/$b` or the empty topic", () => {
    expect(isServerTopic("$x")).toBe(true);
    expect(isServerTopic("$")).toBe(true);
    expect(isServerTopic(SERVER_MESSAGES_TOPIC)).toBe(true);
    expect(isServerTopic("x$")).toBe(false);
    expect(isServerTopic("a/$b")).toBe(false);
    expect(isServerTopic("")).toBe(false);
  });
});

/** A CONNECT of `fields` (a clean 3.1.1 one with client id "c" and keep-alive 60 s unless they say otherwise). */
function connect(fields: Partial<IConnectPacket> = {}): IConnectPacket {
  return { cmd: "connect", protocolId: "MQTT", clientId: "c", clean: true, keepalive: 60, ...fields };
}

function accepted(p: IConnectPacket, v: 4 | 5): ConnectRequest {
  const r = readConnect(p, v, () => "new");
  if (r instanceof ConnackRefusal) throw new Error(`refused: ${r.code} ${r.reason}`);
  return r;
}

function refused(p: IConnectPacket, v: 4 | 5): { code: number; reason: string } {
  const r = readConnect(p, v, () => "new");
  if (!(r instanceof ConnackRefusal)) throw new Error("accepted");
  return { code: r.code, reason: r.reason };
}

const will = (fields: Partial<NonNullable<IConnectPacket["will"]>> = {}): IConnectPacket["will"] => ({
  topic: "status",
  payload: Buffer.from("gone"),
  qos: 1,
  retain: false,
  ...fields,
});

describe("CONNECT", () => {
  // Rule: an empty client id is assigned one (`awps-` + a new id) when the session is clean (3.1.1) or always (5.0);
  // 3.1.1 refuses it without clean session (code 2, identifier rejected).
  it("assigns an id to an empty client id; 3.1.1 refuses one without clean session", () => {
    for (const v of [4, 5] as const) {
      expect(accepted(connect({ clientId: "" }), v)).toMatchObject({ clientId: "awps-new", assigned: true });
      expect(accepted(connect({ clientId: "dev" }), v)).toMatchObject({ clientId: "dev", assigned: false });
    }
    expect(refused(connect({ clientId: "", clean: false }), 4)).toEqual({
      code: 2,
      reason: "An empty client id needs a clean session.",
    });
    expect(accepted(connect({ clientId: "", clean: false }), 5)).toMatchObject({ clientId: "awps-new" });
  });

  // Rule: a client id is at most 128 characters (129: 3.1.1 code 2, 5.0 0x85).
  it(`accepts a client id of ${MAX_CLIENT_ID_CHARS} characters, refuses ${MAX_CLIENT_ID_CHARS + 1}`, () => {
    for (const [v, code] of [
      [4, 2],
      [5, 0x85],
    ] as const) {
      expect(accepted(connect({ clientId: "a".repeat(MAX_CLIENT_ID_CHARS) }), v).clientId).toHaveLength(128);
      expect(refused(connect({ clientId: "a".repeat(MAX_CLIENT_ID_CHARS + 1) }), v)).toEqual({
        code,
        reason: "The client id is too long.",
      });
    }
  });

  // Rule: a 3.1.1 keep-alive is 1 - 180 s (0, absent and 181 refused with code 2); 5.0 has no such range.
  it(`accepts a 3.1.1 keep-alive of 1 and ${V4_MAX_KEEP_ALIVE_SECONDS} s, refuses 0, none and 181; 5.0 takes all`, () => {
    for (const keepalive of [1, 2, 179, 180]) expect(accepted(connect({ keepalive }), 4).version).toBe(4);
    for (const keepalive of [0, 181, undefined]) {
      const p = connect();
      if (keepalive === undefined) delete (p as { keepalive?: number }).keepalive;
      else p.keepalive = keepalive;
      expect(refused(p, 4)).toEqual({
        code: 2,
        reason: `An MQTT 3.1.1 keep-alive must be 1 - 180 seconds, got ${keepalive ?? 0}.`,
      });
      expect(accepted(p, 5).version).toBe(5);
    }
  });

  // Rule: the session is clean only for `clean: true`; 3.1.1 keeps a session that is not clean (30 s), 5.0 one with a
  // session expiry (the shorter of that and 30 s).
  it("reads clean session, persistence and how long the session is kept", () => {
    expect(accepted(connect({ clean: true }), 4)).toMatchObject({ clean: true, persistent: false, expiry: 0 });
    expect(accepted(connect({ clean: false }), 4)).toMatchObject({ clean: false, persistent: true });
    expect(accepted(connect({ clean: undefined as unknown as boolean }), 4)).toMatchObject({ clean: false });
    expect(accepted(connect(), 4).keepMs).toBe(SESSION_KEEP_MS);
    expect(accepted(connect({ properties: { sessionExpiryInterval: 10 } }), 4).keepMs).toBe(SESSION_KEEP_MS);
    expect(accepted(connect({ clean: false }), 5)).toMatchObject({ persistent: false, expiry: 0, keepMs: 0 });
    const short = accepted(connect({ properties: { sessionExpiryInterval: 10 } }), 5);
    expect(short).toMatchObject({ persistent: true, expiry: 10, keepMs: 10_000 });
    const long = accepted(connect({ properties: { sessionExpiryInterval: 31 } }), 5);
    expect(long).toMatchObject({ persistent: true, expiry: 31, keepMs: SESSION_KEEP_MS });
  });

  // Rule: a 5.0 Receive Maximum of 0 is a protocol error (0x82); absent is 65,535; 3.1.1 has no limit.
  it("reads Receive Maximum: 0 refused, 1 taken, absent 65,535; no limit at 3.1.1", () => {
    expect(refused(connect({ properties: { receiveMaximum: 0 } }), 5)).toEqual({
      code: Reason.ProtocolError,
      reason: "Receive Maximum must not be 0.",
    });
    expect(accepted(connect({ properties: { receiveMaximum: 1 } }), 5).receiveMaximum).toBe(1);
    expect(accepted(connect(), 5).receiveMaximum).toBe(65_535);
    expect(accepted(connect({ properties: { receiveMaximum: 0 } }), 4).receiveMaximum).toBe(Number.POSITIVE_INFINITY);
  });

  // Rule: a 5.0 Maximum Packet Size of 0 is a protocol error (0x82, [MQTT-3.1.2-24]), told in the CONNACK's reason;
  // absent is no limit, and 1 is taken as given.
  it("reads Maximum Packet Size: 0 refused with its reason, 1 taken, absent no limit", () => {
    expect(refused(connect({ properties: { maximumPacketSize: 0 } }), 5)).toEqual({
      code: Reason.ProtocolError,
      reason: "Maximum Packet Size must not be 0.",
    });
    expect(accepted(connect({ properties: { maximumPacketSize: 1 } }), 5).maximumPacketSize).toBe(1);
    expect(accepted(connect(), 5).maximumPacketSize).toBe(Number.POSITIVE_INFINITY);
  });

  // Rule: the will is kept as sent (QoS 0 when absent; a content type and a delay at 5.0 only, no delay when absent).
  it("keeps the will's topic, payload, QoS and 5.0 content type and delay", () => {
    expect(accepted(connect(), 4).will).toBeUndefined();
    const props = { properties: { contentType: "text/plain", willDelayInterval: 7 } };
    expect(accepted(connect({ will: will(props) }), 5).will).toEqual({
      topic: "status",
      payload: Buffer.from("gone"),
      qos: 1,
      contentType: "text/plain",
      delaySeconds: 7,
    });
    expect(accepted(connect({ will: will() }), 5).will?.delaySeconds).toBe(0);
    expect(accepted(connect({ will: will(props) }), 4).will?.contentType).toBeUndefined();
    const noQos = will();
    delete (noQos as { qos?: number }).qos;
    expect(accepted(connect({ will: noQos }), 4).will?.qos).toBe(0);
  });

  // Rule: the service keeps no retained messages: a 5.0 will with retain is refused (0x9A); 3.1.1 has no code for it.
  it("refuses a 5.0 will with retain; takes a 3.1.1 one and a 5.0 one without", () => {
    expect(refused(connect({ will: will({ retain: true }) }), 5)).toEqual({
      code: Reason.RetainNotSupported,
      reason: "Retained messages are not supported.",
    });
    expect(accepted(connect({ will: will({ retain: true }) }), 4).will?.topic).toBe("status");
    expect(accepted(connect({ will: will({ retain: false }) }), 5).will?.topic).toBe("status");
  });

  // Rule: a will's topic is a topic name (3.1.1 code 3, 5.0 its reason) and not a `$` one (3 / 0x90).
  it("refuses a will on an invalid or a `$` topic; `w$` is taken", () => {
    for (const [v, wildcard, dollar] of [
      [4, 3, 3],
      [5, Reason.TopicNameInvalid, Reason.TopicNameInvalid],
    ] as const) {
      expect(refused(connect({ will: will({ topic: "a/+" }) }), v)).toEqual({
        code: wildcard,
        reason: "A topic name may not contain wildcards.",
      });
      expect(refused(connect({ will: will({ topic: "x".repeat(MAX_TOPIC_CHARS + 1) }) }), v).code).toBe(
        v === 5 ? Reason.TopicNameInvalid : 3,
      );
      expect(refused(connect({ will: will({ topic: "$w" }) }), v)).toEqual({
        code: dollar,
        reason: "A last will may not go to a topic starting with '$' (reserved for the server).",
      });
      expect(accepted(connect({ will: will({ topic: "w$" }) }), v).will?.topic).toBe("w$");
    }
  });

  // Rule: a will's payload is at most 2,000 bytes (2,001: 3.1.1 code 3, 5.0 0x95), counted in bytes, not characters.
  it(`accepts a will of ${MAX_WILL_PAYLOAD_BYTES} payload bytes, refuses ${MAX_WILL_PAYLOAD_BYTES + 1}`, () => {
    for (const [v, code] of [
      [4, 3],
      [5, Reason.PacketTooLarge],
    ] as const) {
      const at = accepted(connect({ will: will({ payload: Buffer.alloc(MAX_WILL_PAYLOAD_BYTES, 0x61) }) }), v);
      expect(at.will?.payload).toHaveLength(MAX_WILL_PAYLOAD_BYTES);
      expect(refused(connect({ will: will({ payload: Buffer.alloc(MAX_WILL_PAYLOAD_BYTES + 1) }) }), v)).toEqual({
        code,
        reason: `A last will's payload is at most ${MAX_WILL_PAYLOAD_BYTES} bytes, got ${MAX_WILL_PAYLOAD_BYTES + 1}.`,
      });
      // 1,000 two-byte characters are 2,000 bytes; one more character is over
      expect(accepted(connect({ will: will({ payload: "é".repeat(1000) }) }), v).will?.payload).toHaveLength(2000);
      expect(refused(connect({ will: will({ payload: "é".repeat(1001) }) }), v).code).toBe(code);
    }
  });

  // Rule: the upstream `connect` event carries the protocol version, username, the password base64-encoded and the
  // user properties as pairs; absent fields are left out.
  it("gives the upstream connect event its MQTT fields", () => {
    expect(upstreamConnectFields(connect(), 4)).toStrictEqual({ protocolVersion: 4 });
    expect(
      upstreamConnectFields(
        connect({
          username: "u",
          password: Buffer.from("pw"),
          properties: { userProperties: { a: "1", b: ["2", "3"] } },
        }),
        5,
      ),
    ).toStrictEqual({
      protocolVersion: 5,
      username: "u",
      password: Buffer.from("pw").toString("base64"),
      userProperties: [
        { name: "a", value: "1" },
        { name: "b", value: "2" },
        { name: "b", value: "3" },
      ],
    });
    expect(upstreamConnectFields(connect({ username: "" }), 5)).toStrictEqual({ protocolVersion: 5, username: "" });
  });
});

describe("user properties", () => {
  // Rule: mqtt-packet's record and the list of pairs carry the same properties, in order; a name with several values
  // is one pair per value.
  it("turns mqtt-packet's record into pairs and back", () => {
    expect(userPropertyList(undefined)).toBeUndefined();
    expect(userPropertyList({})).toEqual([]);
    const list = [
      { name: "a", value: "1" },
      { name: "b", value: "2" },
      { name: "a", value: "3" },
    ];
    expect(userPropertyRecord(list)).toEqual({ a: ["1", "3"], b: ["2"] });
    expect(userPropertyList({ a: ["1", "3"], b: "2" })).toEqual([
      { name: "a", value: "1" },
      { name: "a", value: "3" },
      { name: "b", value: "2" },
    ]);
    expect(userPropertyRecord(undefined)).toBeUndefined();
    expect(userPropertyRecord([])).toBeUndefined();
  });
});

/** A connection stand-in for SUBSCRIBE/UNSUBSCRIBE: `allowed` groups may be joined; its hub joins and leaves. */
function subscriber(allowed: (group: string) => boolean, groups?: Set<string>) {
  const calls: string[] = [];
  const conn = {
    groups,
    allowed: (permission: string, group: string) => permission === "joinLeaveGroup" && allowed(group),
    hub: {
      join: (_c: unknown, g: string) => {
        calls.push(`join ${g}`);
        conn.groups ??= new Set();
        conn.groups.add(g);
      },
      leave: (_c: unknown, g: string) => {
        calls.push(`leave ${g}`);
        conn.groups?.delete(g);
      },
    },
  };
  return { conn: conn as unknown as Connection, calls, state: conn };
}

const session = (version: 4 | 5) => new MqttSession({ clientId: "c", version, persistent: false, keepMs: 0 });

describe("SUBSCRIBE and UNSUBSCRIBE", () => {
  // Rule: one code per filter, in order: the granted QoS, or (5.0) the reason of the refusal / (3.1.1) 0x80.
  it("answers each filter: granted QoS, invalid, wildcard, shared, not authorized", () => {
    for (const v of [4, 5] as const) {
      const { conn, calls } = subscriber((g) => g !== "secret");
      const s = session(v);
      const codes = subscribeAll(
        conn,
        s,
        [
          { topic: "a", qos: 1, nl: true },
          { topic: "", qos: 0 },
          { topic: "a/+", qos: 0 },
          { topic: "$share/g/a", qos: 0 },
          { topic: "secret", qos: 0 },
          { topic: "b", qos: 2 },
        ],
        7,
      );
      const f = V4_SUBACK_FAILURE;
      expect(codes).toEqual(v === 5 ? [1, 0x8f, 0xa2, 0x9e, 0x87, 2] : [1, f, f, f, f, 2]);
      expect(calls).toEqual(["join a", "join b"]);
      expect(s.subscriptions.get("a")).toEqual({ qos: 1, noLocal: true, id: 7 });
      expect(s.subscriptions.get("b")).toEqual({ qos: 2, noLocal: false, id: 7 });
      expect([...s.subscriptions.keys()]).toEqual(["a", "b"]);
    }
  });

  // Rule: a session holds at most MAX_SUBSCRIPTIONS groups: the 1,000th is granted, the 1,001st refused (5.0 0x97),
  // while subscribing again to a group it holds is not a new one.
  it(`grants the ${MAX_SUBSCRIPTIONS}th subscription, refuses the next; a held group may be subscribed again`, () => {
    for (const v of [4, 5] as const) {
      const held = new Set(Array.from({ length: MAX_SUBSCRIPTIONS - 1 }, (_, i) => `g${i}`));
      const { conn, calls } = subscriber(() => true, held);
      const s = session(v);
      expect(subscribeAll(conn, s, [{ topic: "last", qos: 0 }])).toEqual([0]);
      expect(subscribeAll(conn, s, [{ topic: "over", qos: 1 }])).toEqual([v === 5 ? Reason.QuotaExceeded : 0x80]);
      expect(subscribeAll(conn, s, [{ topic: "g0", qos: 1 }])).toEqual([1]);
      expect(calls).toEqual(["join last", "join g0"]);
    }
  });

  // Rule: a connection that has joined no group yet (no group set) may subscribe.
  it("subscribes a connection without a group set", () => {
    const { conn, state } = subscriber(() => true, undefined);
    expect(subscribeAll(conn, session(5), [{ topic: "a", qos: 0 }])).toEqual([0]);
    expect([...(state.groups ?? [])]).toEqual(["a"]);
  });

  // Rule: UNSUBACK (5.0) says per filter: success, no subscription existed, invalid filter, not authorized.
  it("answers each unsubscribed filter and leaves its group", () => {
    const { conn, calls } = subscriber((g) => g !== "secret", new Set(["a"]));
    const s = session(5);
    s.subscriptions.set("a", { qos: 1, noLocal: false });
    const codes = unsubscribeAll(conn, s, ["a", "b", "a/#", "", "secret", "a"]);
    expect(codes).toEqual([
      Reason.Success,
      Reason.NoSubscriptionExisted,
      Reason.TopicFilterInvalid,
      Reason.TopicFilterInvalid,
      Reason.NotAuthorized,
      Reason.NoSubscriptionExisted,
    ]);
    expect(calls).toEqual(["leave a", "leave b", "leave a"]);
    expect(s.subscriptions.size).toBe(0);
  });

  it("reads a connection without a group set as holding none", () => {
    const { conn } = subscriber(() => true, undefined);
    expect(unsubscribeAll(conn, session(5), ["a"])).toEqual([Reason.NoSubscriptionExisted]);
  });
});

/** A service and connection stand-in for the last will: what it sends, to whom, and what it logs. */
function willSetup(options: { closing?: boolean; allowed?: boolean } = {}) {
  const sent: { to: string; text: string; qos: number; members: unknown[]; filtered: boolean }[] = [];
  const logs: string[] = [];
  const service = {
    closing: options.closing ?? false,
    log: (line: string) => logs.push(line),
    send: (route: { to: string }, members: unknown[], msg: Outgoing, filter?: unknown) => {
      sent.push({
        to: route.to,
        text: msg.payload.text ?? msg.payload.kind,
        qos: deliveryQos(msg, 2),
        members,
        filtered: filter !== undefined,
      });
    },
  } as unknown as Service;
  const extensions = new Map<object, unknown>();
  const members = ["member"];
  const conn = {
    id: "conn-1",
    userId: "u",
    hub: { name: "h", groups: new Map([["status", members]]) },
    allowed: (permission: string, group: string) =>
      permission === "sendToGroup" && group === "status" && (options.allowed ?? true),
    extension: (key: object, create: () => unknown) => {
      if (!extensions.has(key)) extensions.set(key, create());
      return extensions.get(key);
    },
  } as unknown as Connection;
  const s = session(5);
  s.will = { topic: "status", payload: Buffer.from("gone"), qos: 2, contentType: "text/plain", delaySeconds: 0 };
  return { service, conn, session: s, sent, logs, members };
}

describe("last will", () => {
  // Rule: the will is published once, to its topic's members, as a sendToGroup of the connection (with its QoS).
  it("is published once, to the topic's members, at its QoS", () => {
    const w = willSetup();
    const will = LastWill.of(w.service, w.conn, w.session);
    expect(LastWill.of(w.service, w.conn, w.session)).toBe(will); // one per connection
    will.publish();
    expect(w.sent).toEqual([{ to: "group status", text: "gone", qos: 2, members: w.members, filtered: false }]);
    expect(w.session.will).toBeUndefined();
    will.publish();
    expect(w.sent).toHaveLength(1);
    expect(w.logs).toEqual([]);
  });

  // Rule: the end of a session publishes the will, except when the emulator itself is shutting down; a resume does not.
  it("is published when the session ends, not on the emulator's shutdown or a resume", () => {
    const ends = willSetup();
    const will = LastWill.of(ends.service, ends.conn, ends.session);
    will.resumed();
    expect(ends.sent).toEqual([]);
    will.ended();
    expect(ends.sent.map((s) => s.text)).toEqual(["gone"]);

    const shutdown = willSetup({ closing: true });
    LastWill.of(shutdown.service, shutdown.conn, shutdown.session).ended();
    expect(shutdown.sent).toEqual([]);
  });

  // Rule: a will with a Will Delay Interval, of a session kept for its client, goes once the delay passed, or at the
  // session's end if that comes first, and never when the client resumed before ([MQTT-3.1.3-9]). Without a delay, or
  // when the session ends with its connection, it goes at once.
  describe("with a Will Delay Interval", () => {
    afterEach(() => {
      vi.useRealTimers();
    });
    function delayed(seconds: number, options: { closing?: boolean } = {}) {
      vi.useFakeTimers();
      const w = willSetup(options);
      w.session.will = { ...w.session.will!, delaySeconds: seconds };
      w.session.keepMs = 30_000; // a session kept for its client (the service's longest)
      return { ...w, will: LastWill.of(w.service, w.conn, w.session) };
    }
    const texts = (w: { sent: { text: string }[] }) => w.sent.map((s) => s.text);

    it("goes when the delay has passed, not a millisecond before, once", () => {
      const w = delayed(5);
      w.will.dropped(true);
      vi.advanceTimersByTime(4999);
      expect(texts(w)).toEqual([]);
      vi.advanceTimersByTime(1);
      expect(texts(w)).toEqual(["gone"]);
      w.will.ended();
      expect(texts(w)).toEqual(["gone"]);
    });

    it("is never sent when the session resumes before", () => {
      const w = delayed(5);
      w.will.dropped(true);
      vi.advanceTimersByTime(4999);
      w.will.resumed();
      vi.advanceTimersByTime(60_000);
      expect(texts(w)).toEqual([]);
    });

    it("goes at the session's end when that comes first, once", () => {
      const w = delayed(5);
      w.will.dropped(true);
      vi.advanceTimersByTime(1000);
      w.will.ended();
      expect(texts(w)).toEqual(["gone"]);
      vi.advanceTimersByTime(60_000);
      expect(texts(w)).toEqual(["gone"]);
    });

    it("of up to 2^32 - 1 s waits no longer than the session is kept: not at once, as a timer over 2^31 - 1 ms would", () => {
      const w = delayed(2 ** 32 - 1);
      w.will.dropped(true);
      vi.advanceTimersByTime(29_999);
      expect(texts(w)).toEqual([]);
      vi.advanceTimersByTime(1);
      expect(texts(w)).toEqual(["gone"]);
    });

    it("is never sent when the emulator shuts down before the delay passed", () => {
      const w = delayed(5, { closing: true });
      w.will.dropped(true);
      w.will.ended();
      vi.advanceTimersByTime(60_000);
      expect(texts(w)).toEqual([]);
    });

    it("goes at once without a delay, or when the session is not kept", () => {
      const none = delayed(0);
      none.will.dropped(true);
      expect(texts(none)).toEqual(["gone"]);
      const notKept = delayed(5);
      notKept.will.dropped(false);
      expect(texts(notKept)).toEqual(["gone"]);
    });
  });

  // Rule: without sendToGroup permission on its topic the will is not sent (logged, the topic shown bounded); it is
  // gone all the same.
  it("is not sent without sendToGroup permission on its topic", () => {
    const w = willSetup({ allowed: false });
    LastWill.of(w.service, w.conn, w.session).publish();
    expect(w.sent).toEqual([]);
    expect(w.logs).toEqual([
      'mqtt connection conn-1: last will not sent: no sendToGroup permission for topic "status"',
    ]);
    expect(w.session.will).toBeUndefined();
  });

  // Rule: a will whose payload contradicts its content type is not sent (logged), and nothing is thrown.
  it("is not sent when its payload is not of its content type", () => {
    const w = willSetup();
    w.session.will = {
      topic: "status",
      payload: Buffer.from("{"),
      qos: 0,
      contentType: "application/json",
      delaySeconds: 0,
    };
    LastWill.of(w.service, w.conn, w.session).publish();
    expect(w.sent).toEqual([]);
    expect(w.logs).toEqual([
      "mqtt connection conn-1: last will not sent: PayloadInvalid: The payload is not JSON, as its content type 'application/json' says.",
    ]);
  });
});

describe("content", () => {
  // Rule: each Web PubSub data type has its MQTT 5.0 content type.
  it("names the content type of each data type", () => {
    expect(["json", "text", "protobuf", "binary"].map((k) => contentTypeOf(k as "json"))).toEqual([
      "application/json",
      "text/plain",
      "application/x-protobuf",
      "application/octet-stream",
    ]);
  });

  // Rule: text and JSON travel as UTF-8, binary and protobuf as their bytes (none: empty).
  it("gives the payload bytes of each data type", () => {
    expect(payloadBytes({ kind: "text", text: "é" })).toEqual(Buffer.from([0xc3, 0xa9]));
    expect(payloadBytes({ kind: "json", text: "[1]" })).toEqual(Buffer.from("[1]"));
    expect(payloadBytes({ kind: "text" } as never)).toEqual(Buffer.alloc(0));
    expect(payloadBytes({ kind: "binary", bytes: Buffer.from([1, 2]) })).toEqual(Buffer.from([1, 2]));
    expect(payloadBytes({ kind: "protobuf", bytes: Buffer.from([3]) })).toEqual(Buffer.from([3]));
    expect(payloadBytes({ kind: "binary" } as never)).toEqual(Buffer.alloc(0));
    expect(payloadBytes({ kind: "protobuf" } as never)).toEqual(Buffer.alloc(0));
  });

  // Rule: text must be UTF-8 and JSON must be JSON within the bounds of any JSON from a peer (else Payload Format
  // Invalid); other types pass as bytes.
  it("reads an MQTT payload by its content type and refuses one that contradicts it", () => {
    expect(payloadFromMqtt(Buffer.from("[1]"), "application/json")).toEqual({ kind: "json", text: "[1]" });
    expect(payloadFromMqtt(Buffer.from("[1]"), "text/plain")).toEqual({ kind: "text", text: "[1]" });
    expect(payloadFromMqtt(Buffer.from("x"), "Text/Plain; charset=utf-8")).toEqual({ kind: "text", text: "x" });
    expect(payloadFromMqtt(Buffer.from("x"), "application/x-protobuf")).toEqual({
      kind: "protobuf",
      bytes: Buffer.from("x"),
    });
    expect(payloadFromMqtt(Buffer.from("x"), "image/png")).toEqual({ kind: "binary", bytes: Buffer.from("x") });
    expect(() => payloadFromMqtt(Buffer.from([0xff]), "application/json")).toThrow(
      new PayloadInvalid("The payload is not UTF-8 text, as its content type 'application/json' says."),
    );
    expect(() => payloadFromMqtt(Buffer.from([0xff]), "text/plain")).toThrow(
      "The payload is not UTF-8 text, as its content type 'text/plain' says.",
    );
    expect(() => payloadFromMqtt(Buffer.from("{"), "application/json")).toThrow(
      "The payload is not JSON, as its content type 'application/json' says.",
    );
    expect(() => payloadFromMqtt(Buffer.from("x"), "text/plain")).not.toThrow();
    // JSON within the bounds every JSON text from a peer is held to (core's scanJsonText: 64 levels deep), not past
    const nested = (depth: number) => "[".repeat(depth) + "]".repeat(depth);
    expect(payloadFromMqtt(Buffer.from(nested(64)), "application/json")).toEqual({ kind: "json", text: nested(64) });
    expect(() => payloadFromMqtt(Buffer.from(nested(65)), "application/json")).toThrow(PayloadInvalid);
    let thrown: unknown;
    try {
      payloadFromMqtt(Buffer.from("{"), "application/json");
    } catch (e) {
      thrown = e;
    }
    expect((thrown as Error | undefined)?.name).toBe("PayloadInvalid");
  });

  // Rule: a subscriber receives the lower of the sender's QoS (1 for senders that are not MQTT) and its own.
  it("delivers at the lower of the sent and the granted QoS", () => {
    const mqtt = new Outgoing({ payload: { kind: "text", text: "x" }, from: "group", group: "g" });
    markSentQos(mqtt, 1);
    expect([0, 1, 2].map((g) => deliveryQos(mqtt, g as 0))).toEqual([0, 1, 1]);
    const rest = new Outgoing({ payload: { kind: "text", text: "x" }, from: "server" });
    expect([0, 1, 2].map((g) => deliveryQos(rest, g as 0))).toEqual([0, 1, 1]);
    const zero = new Outgoing({ payload: { kind: "text", text: "x" }, from: "group", group: "g" });
    markSentQos(zero, 0);
    expect([0, 1, 2].map((g) => deliveryQos(zero, g as 0))).toEqual([0, 0, 0]);
  });
});
