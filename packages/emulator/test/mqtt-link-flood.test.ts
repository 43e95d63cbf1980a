// Rule: no single WebSocket frame makes the MQTT endpoint do an unbounded amount of work. A frame may carry many MQTT
// packets, and a SUBSCRIBE or UNSUBSCRIBE many topic filters, each of which the session acts on and answers: a frame
// holding more than MAX_ITEMS_PER_FRAME of them (packets, or topic filters of a SUBSCRIBE/UNSUBSCRIBE) ends the
// connection as a flood, with nothing past the limit handled, and the rest of the frame is not parsed either: the packet
// that passes the limit is counted before it is parsed. Before, 1 MiB of 2-byte PINGREQs was parsed to the end after
// the limit (~0.4 s of CPU in one turn), and 10,000 self-delivered QoS 1 PUBLISHes or a 200,000-filter SUBSCRIBE took
// 0.15-0.25 s. A single SUBSCRIBE/UNSUBSCRIBE over the per-packet bound is mqtt-packet-scan.test.ts's.
// The amount of work is counted (packets handed on, packets the parser produced), not timed.
import { generate, type Packet, parser } from "mqtt-packet";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { WebSocket } from "ws";
import { MAX_ITEMS_PER_FRAME, MqttLink } from "../src/mqtt/packet-io.ts";
import { closeSocket } from "../src/ws/close-socket.ts";

function link(): { link: MqttLink; packets: Packet[]; problems: string[]; ws: { readyState: number } } {
  const packets: Packet[] = [];
  const problems: string[] = [];
  const ws = {
    readyState: 1,
    send() {},
    close() {
      ws.readyState = 2;
    },
  };
  const l = new MqttLink(
    "p",
    ws as unknown as WebSocket,
    {
      packet: (p) => packets.push(p),
      problem: (kind) => problems.push(kind),
    },
    1 << 20,
  );
  return { link: l, packets, problems, ws };
}

const PINGREQ = generate({ cmd: "pingreq" });

function pings(n: number): Buffer {
  return Buffer.concat(Array<Buffer>(n).fill(PINGREQ));
}

function subscribe(filters: number): Buffer {
  const subscriptions = Array.from({ length: filters }, () => ({ topic: "t", qos: 0 as const }));
  return generate({ cmd: "subscribe", messageId: 1, subscriptions });
}

function unsubscribe(filters: number): Buffer {
  return generate({ cmd: "unsubscribe", messageId: 1, unsubscriptions: Array<string>(filters).fill("t") });
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe("MqttLink per-frame bound", () => {
  it(`handles a frame of ${MAX_ITEMS_PER_FRAME} packets whole; one more is a flood, none past it handled`, () => {
    const at = link();
    at.link.feed(pings(MAX_ITEMS_PER_FRAME));
    expect(at.packets).toHaveLength(MAX_ITEMS_PER_FRAME);
    expect(at.problems).toEqual([]);
    at.link.feed(pings(MAX_ITEMS_PER_FRAME)); // the count is per frame
    expect(at.packets).toHaveLength(2 * MAX_ITEMS_PER_FRAME);
    expect(at.problems).toEqual([]);

    const over = link();
    over.link.feed(pings(MAX_ITEMS_PER_FRAME + 1));
    expect(over.packets).toHaveLength(MAX_ITEMS_PER_FRAME);
    expect(over.problems).toEqual(["flood"]);
  });

  it.each([
    ["SUBSCRIBE", subscribe],
    ["UNSUBSCRIBE", unsubscribe],
  ])("counts each topic filter of a %s: the limit passes, one more is a flood", (_, packetOf) => {
    const at = link();
    at.link.feed(packetOf(MAX_ITEMS_PER_FRAME));
    expect(at.packets).toHaveLength(1);
    expect(at.problems).toEqual([]);

    const mixed = link(); // a packet and the filters of another share the frame's limit
    mixed.link.feed(Buffer.concat([PINGREQ, packetOf(MAX_ITEMS_PER_FRAME)]));
    expect(mixed.packets.map((p) => p.cmd)).toEqual(["pingreq"]);
    expect(mixed.problems).toEqual(["flood"]);

    const over = link(); // filters of two packets over the frame's limit, each within the per-packet bound
    over.link.feed(Buffer.concat([packetOf(600), packetOf(401)]));
    expect(over.packets).toHaveLength(1);
    expect(over.problems).toEqual(["flood"]);
  });

  it("stops parsing a flooding frame: of 1 MiB of PINGREQs, the parser produces the limit and no more", () => {
    // mqtt-packet's Parser emits each packet it parsed: counted on its prototype
    const proto = Object.getPrototypeOf(parser()) as { emit(event: string, ...args: unknown[]): boolean };
    const emit = vi.spyOn(proto, "emit");
    const { link: l, packets, problems } = link();
    l.feed(pings((1024 * 1024) / PINGREQ.length));
    expect(problems).toEqual(["flood"]);
    expect(packets).toHaveLength(MAX_ITEMS_PER_FRAME);
    const parsed = () => emit.mock.calls.filter(([event]) => event === "packet").length;
    expect(parsed()).toBe(MAX_ITEMS_PER_FRAME);
    // later frames are not parsed at all
    l.feed(pings(10));
    expect(parsed()).toBe(MAX_ITEMS_PER_FRAME);
  });

  it("hands on no packet once the service began closing its socket, from the same frame or a later one", () => {
    // mqtt-after-close.test.ts: the service began closing, but ws keeps delivering frames until the client answers
    const { link: l, packets, ws } = link();
    const closeAfterFirst = (p: Packet) => {
      packets.push(p);
      closeSocket(ws as unknown as WebSocket, 1002, "the first packet made the service close the socket");
    };
    const l2 = new MqttLink("p", ws as unknown as WebSocket, { packet: closeAfterFirst, problem: () => {} }, 1 << 20);
    l2.feed(pings(3));
    expect(packets).toHaveLength(1);
    expect(ws.readyState).toBe(2);
    l2.feed(pings(3));
    expect(packets).toHaveLength(1);
    ws.readyState = 1; // the other side of the boundary: an open socket's packets are handed on
    l.feed(pings(3));
    expect(packets).toHaveLength(4);
  });

  it("hands on the packets of a socket its client closed: they came before the close (some waited for the budget)", () => {
    const { link: l, packets, ws } = link();
    ws.readyState = 3; // closed by the client, never by the service
    l.feed(pings(3));
    expect(packets).toHaveLength(3);
  });

  it("still parses a 1 MiB PUBLISH and the packet after it in one frame", () => {
    const { link: l, packets, problems } = link();
    const big = generate({
      cmd: "publish",
      topic: "t",
      qos: 0,
      dup: false,
      retain: false,
      payload: Buffer.alloc(1_000_000, 1),
    });
    l.feed(Buffer.concat([big, PINGREQ]));
    expect(problems).toEqual([]);
    expect(packets.map((p) => p.cmd)).toEqual(["publish", "pingreq"]);
    expect((packets[0] as { payload: Buffer }).payload.equals(Buffer.alloc(1_000_000, 1))).toBe(true);
  });
});
