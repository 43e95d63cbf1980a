// Rule: a client that stops reading cannot make the emulator buffer without bound. The MQTT endpoint answers packets
// on its own (PINGRESP, PUBACK, SUBACK, ...): those answers pass the same per-connection send-buffer limit as the
// messages delivered to the client (maxBufferedBytesPerConnection, send-buffer.ts), and a client over it is dropped as
// a slow consumer: its session ends. Before, a client sending PINGREQs without reading made the emulator queue every
// PINGRESP (a few bytes and a queued write each) for as long as it kept sending.
import { generate, type Packet } from "mqtt-packet";
import { describe, expect, it } from "vitest";
import type { WebSocket } from "ws";
import { MqttLink } from "../src/mqtt/packet-io.ts";
import { SLOW_CONSUMER } from "../src/send-buffer.ts";
import { rest } from "./helpers/clients.ts";
import { useEmulator } from "./helpers/use-emulator.ts";
import { mqttToken, mqttUrl, RawMqtt } from "./mqtt-helpers.ts";

const LIMIT = 64 * 1024;
const logs: string[] = [];
const emu = useEmulator({ maxBufferedBytesPerConnection: LIMIT, log: (line) => logs.push(line) });

describe("MqttLink writes", () => {
  function link() {
    const sent: Buffer[] = [];
    const problems: [string, string][] = [];
    const ws = { readyState: 1, bufferedAmount: 0, send: (data: Buffer) => sent.push(data) };
    const l = new MqttLink(
      "p",
      ws as unknown as WebSocket,
      { packet: () => {}, problem: (kind, message) => problems.push([kind, message]) },
      LIMIT,
    );
    return { link: l, ws, sent, problems };
  }
  const PINGRESP: Packet = { cmd: "pingresp" };

  it("writes while the socket holds at most the limit, and nothing once it holds more: the link fails as slow", () => {
    const at = link();
    at.ws.bufferedAmount = LIMIT;
    at.link.write(PINGRESP);
    expect(at.sent).toHaveLength(1);
    expect(at.problems).toEqual([]);

    const over = link();
    over.ws.bufferedAmount = LIMIT + 1;
    over.link.write(PINGRESP);
    over.link.write(PINGRESP);
    expect(over.sent).toEqual([]);
    expect(over.problems).toEqual([["slow", SLOW_CONSUMER]]); // told once
  });

  it("handles no packet after failing as slow, in the same frame or a later one", () => {
    const packets: Packet[] = [];
    const ws = { readyState: 1, bufferedAmount: LIMIT + 1, send() {} };
    // every PINGREQ is answered, as the live session does: the first answer finds the socket over the limit
    const l: MqttLink = new MqttLink(
      "p",
      ws as unknown as WebSocket,
      {
        packet: (p) => {
          packets.push(p);
          l.write(PINGRESP);
        },
        problem: () => {},
      },
      LIMIT,
    );
    const pings = Buffer.concat(Array<Buffer>(10).fill(generate({ cmd: "pingreq" })));
    l.feed(pings);
    l.feed(pings);
    expect(packets).toHaveLength(1);
  });
});

/** A WebSocket frame of 1,000 PINGREQs (the most one frame may hold). */
const PINGS = Buffer.concat(Array<Buffer>(1000).fill(generate({ cmd: "pingreq" })));
/**
 * Frames sent before giving up: beyond what loopback TCP buffers hold in both directions. The emulator handles a
 * client's frames within a per-turn budget and stops reading it meanwhile (src/inbound-queue.ts), so this client's
 * frames can fill the buffers toward the emulator (about 3,000 frames here) before its answers fill those back.
 */
const MAX_FRAMES = 6000;

describe("an MQTT client that stops reading", () => {
  // Event-driven, no wall-clock margins: frames of PINGREQs one at a time until the emulator has ended the session of
  // the client that stopped reading. Its TCP buffers hold a few MB at most, so the socket's own queue passes the limit
  // after a bounded number of frames handled (about 1,100 here), however slow the machine.
  it("is dropped as a slow consumer once the answers queued for it pass the send-buffer limit: its session ends", async () => {
    const h = "slowmqtt";
    const raw = new RawMqtt(mqttUrl(emu, h, mqttToken(emu, h, { sub: "slow" })), 5);
    expect(await raw.connect()).toMatchObject({ cmd: "connack" });
    (raw.ws as unknown as { _socket: { pause(): void } })._socket.pause();
    let frames = 0;
    for (; frames < MAX_FRAMES && raw.ws.readyState === 1; frames++) {
      // a write still pending when the emulator cuts the socket fails (ECONNRESET): the session check below decides
      const written = await new Promise<boolean>((resolve) => raw.ws.send(PINGS, (e) => resolve(!e)));
      if (!written) break;
      if (frames % 50 === 49 && (await rest(emu, "HEAD", `/api/hubs/${h}/users/slow`)).status === 404) break;
    }
    expect(frames).toBeLessThan(MAX_FRAMES);
    expect((await rest(emu, "HEAD", `/api/hubs/${h}/users/slow`)).status).toBe(404);
    // ended as a slow consumer, as a session sent too many messages is (not dropped for a protocol problem)
    expect(logs.filter((l) => l.endsWith(`closed: ${SLOW_CONSUMER}`))).toHaveLength(1);
    expect(logs.filter((l) => l.startsWith("mqtt connection"))).toEqual([]);
    raw.ws.terminate();
  }, 120_000);
});
