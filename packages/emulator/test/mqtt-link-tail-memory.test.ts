// Rule: the bytes of an unfinished MQTT packet are kept in memory in proportion to their number, however finely the
// client cuts them into WebSocket frames. A PUBLISH that announces 1 MiB (the packet bound) and comes one byte per
// frame kept one Buffer object per frame: ~128 MB of heap for 1 MiB of packet (~7 MB of frames), per connection, and
// a 50 ms concatenation at its end. Now the bytes go into one buffer that grows by doubling, at most the packet's size.
// The heap is measured after a forced garbage collection, with a margin of 8 times on both sides.
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { generate, type IPublishPacket, type Packet } from "mqtt-packet";
import { describe, expect, it } from "vitest";
import type { WebSocket } from "ws";
import { MAX_PACKET_BYTES } from "../src/mqtt/limits.ts";
import { MqttLink } from "../src/mqtt/packet-io.ts";

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

function heapBytes(): number {
  gc();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

/** A link on a fake open socket, with the packets it hands on and the problems it reports. */
function fakeLink(): { link: MqttLink; packets: Packet[]; problems: string[] } {
  const packets: Packet[] = [];
  const problems: string[] = [];
  const ws = { readyState: 1, bufferedAmount: 0, send: () => {} } as unknown as WebSocket;
  const events = { packet: (p: Packet) => packets.push(p), problem: (_k: unknown, m: string) => problems.push(m) };
  return { link: new MqttLink("p", ws, events, 1 << 20), packets, problems };
}

/** A QoS 0 PUBLISH on topic "t" with `size` payload bytes. */
function publishOf(size: number): IPublishPacket {
  return { cmd: "publish", topic: "t", qos: 0, dup: false, retain: false, payload: Buffer.alloc(size, 7) };
}

describe("MqttLink keeping an unfinished packet", () => {
  it("keeps 200,000 one-byte frames of a 1 MiB PUBLISH in under 2 MB, and hands the packet on whole", () => {
    const { link, packets, problems } = fakeLink();
    const publish = publishOf(MAX_PACKET_BYTES - 7); // 1 + 3 bytes of fixed header, 3 of topic
    const bytes = generate(publish);
    expect(bytes.length).toBe(MAX_PACKET_BYTES);
    const frames = 200_000;
    const before = heapBytes();
    link.feed(bytes.subarray(0, 10)); // the fixed header and the topic
    for (let i = 10; i < 10 + frames; i++) link.feed(Buffer.from(bytes.subarray(i, i + 1)));
    const held = heapBytes() - before;
    expect(held).toBeLessThan(2_000_000);
    expect(packets).toEqual([]);
    link.feed(bytes.subarray(10 + frames));
    expect(problems).toEqual([]);
    expect((packets[0] as IPublishPacket).payload).toEqual(publish.payload);
  });

  it("hands on a packet whose last frame more than doubles what waited exactly, and the packet after it", () => {
    const { link, packets, problems } = fakeLink();
    const publish = publishOf(994);
    const bytes = generate(publish);
    expect(bytes.length).toBe(1000);
    link.feed(bytes.subarray(0, 600));
    link.feed(bytes.subarray(600, 700)); // grown to 1,000 (twice 600, at most the packet), not past it
    link.feed(Buffer.concat([bytes.subarray(700), generate({ cmd: "pingreq" })]));
    expect(problems).toEqual([]);
    expect(packets.map((p) => p.cmd)).toEqual(["publish", "pingreq"]);
    expect((packets[0] as IPublishPacket).payload).toEqual(publish.payload);
  });
});
