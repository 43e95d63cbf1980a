// What the MQTT endpoint refuses or ends: a client silent for 1.5 x its keep-alive is dropped (and one that pings is
// not; a 5.0 keep-alive of 0 is never dropped), a packet over the 1 MiB limit ends the connection (5.0: DISCONNECT 0x95) while one at the limit is accepted,
// and a PUBLISH without sendToGroup permission is refused (5.0: PUBACK/PUBREC 0x87; 3.1.1: positively acknowledged,
// as the 3.1.1 specification allows, but delivered to nobody). The service's own WebSocket pings keep an MQTT client
// that answers them or sends packets, and drop one that does neither (rounds driven by hand:
// helpers/keep-alive-rounds.ts).
import type { MqttClient } from "mqtt";
import { generate, type IPublishPacket } from "mqtt-packet";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import WebSocket from "ws";
import { type RunningEmulator, startEmulator } from "../src/index.ts";
import { MAX_PACKET_BYTES } from "../src/mqtt/limits.ts";
import { ALL_GROUP_ROLES, hubNames, rest } from "./helpers/clients.ts";
import { handDrivenKeepAlive, keepAliveRound, nextPing, serviceRead } from "./helpers/keep-alive-rounds.ts";
import { mqttToken, mqttUrl, openMqtt, RawMqtt } from "./mqtt-helpers.ts";

let emu: RunningEmulator;
beforeAll(async () => {
  emu = await startEmulator();
});
afterAll(async () => {
  await emu.close();
});
const hub = hubNames("mqb");

describe.each([4, 5] as const)("MQTT level %i keep-alive", (version) => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("drops a client silent for 1.5 x its keep-alive, counted from its last packet", async () => {
    const h = hub();
    const raw = new RawMqtt(mqttUrl(emu, h, mqttToken(emu, h)), version);
    await raw.opened;
    // only the timers: the sockets stay real, so every wait below is on a packet or a close
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    expect(await raw.connect({ keepalive: 2 })).toMatchObject({ cmd: "connack" });
    vi.advanceTimersByTime(2000);
    raw.send({ cmd: "pingreq" });
    await raw.next("pingresp"); // the ping restarts the 3 s allowance
    vi.advanceTimersByTime(2999);
    expect(raw.ws.readyState).toBe(raw.ws.OPEN); // 5 s after CONNACK, 2.999 s after the ping: still there
    vi.advanceTimersByTime(1);
    if (version === 5) expect(await raw.next("disconnect")).toMatchObject({ reasonCode: 0x8d });
    await raw.closed;
    expect(raw.packets.filter((p) => p.cmd !== "disconnect")).toEqual([]);
  });
});

describe("MQTT 5.0 keep-alive 0", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  // 3.1.1 refuses keep-alive 0 (the service's documented 1 - 180 s): mqtt-connect-limits.test.ts
  it("never drops a client whose keep-alive is 0", async () => {
    const h = hub();
    const raw = new RawMqtt(mqttUrl(emu, h, mqttToken(emu, h)), 5);
    await raw.opened;
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    expect(await raw.connect({ keepalive: 0 })).toMatchObject({ cmd: "connack", reasonCode: 0 });
    vi.advanceTimersByTime(3_600_000);
    raw.send({ cmd: "pingreq" });
    expect(await raw.next("pingresp")).toMatchObject({ cmd: "pingresp" });
    raw.ws.close();
    await raw.closed;
  });
});

/** A QoS 0 PUBLISH whose encoding is exactly `size` bytes (fixed header included). */
function publishOfSize(size: number, version: 4 | 5): IPublishPacket {
  // fixed header: 1 byte + 3 bytes of remaining length (16 KiB .. 2 MiB); topic "t": 2 + 1; 5.0 properties: 1 (none)
  const overhead = 1 + 3 + 3 + (version === 5 ? 1 : 0);
  return { cmd: "publish", topic: "t", qos: 0, dup: false, retain: false, payload: Buffer.alloc(size - overhead, 7) };
}

describe.each([4, 5] as const)("MQTT level %i packet size", (version) => {
  /** Sends `packet` split over two WebSocket frames (each under the 1 MiB frame limit). */
  function sendSplit(raw: RawMqtt, bytes: Buffer): void {
    const half = bytes.length >> 1;
    raw.ws.send(bytes.subarray(0, half));
    raw.ws.send(bytes.subarray(half));
  }

  it(`accepts a packet of exactly ${MAX_PACKET_BYTES} bytes and ends the connection for one byte more`, async () => {
    const h = hub();
    const token = mqttToken(emu, h, { role: ALL_GROUP_ROLES });
    const watcher = await openMqtt(mqttUrl(emu, h, token), { protocolVersion: version });
    await watcher.subscribeAsync("t", { qos: 0 });
    const sizes: number[] = [];
    const fenced = new Promise<void>((resolve) =>
      watcher.on("message", (_t, payload) => {
        if (payload.toString() === "fence") resolve();
        else sizes.push(payload.length);
      }),
    );
    const raw = new RawMqtt(mqttUrl(emu, h, token), version);
    await raw.connect();

    const atLimit = generate(publishOfSize(MAX_PACKET_BYTES, version), { protocolVersion: version });
    expect(atLimit.length).toBe(MAX_PACKET_BYTES);
    sendSplit(raw, atLimit);
    raw.send({ cmd: "pingreq" });
    await raw.next("pingresp"); // the big packet was handled before the ping
    await rest(emu, "POST", `/api/hubs/${h}/groups/t/:send`, { body: "fence", contentType: "text/plain" });
    await fenced;
    expect(sizes).toEqual([atLimit.length - (version === 5 ? 8 : 7)]);

    const over = generate(publishOfSize(MAX_PACKET_BYTES + 1, version), { protocolVersion: version });
    sendSplit(raw, over);
    if (version === 5) expect(await raw.next("disconnect")).toMatchObject({ reasonCode: 0x95 });
    await raw.closed;
    await watcher.endAsync();
  });

  it("ends the connection once an unfinished packet holds more than the limit", async () => {
    const h = hub();
    const raw = new RawMqtt(mqttUrl(emu, h, mqttToken(emu, h, { role: ALL_GROUP_ROLES })), version);
    await raw.connect();
    const huge = generate(publishOfSize(MAX_PACKET_BYTES * 2, version), { protocolVersion: version });
    const chunk = 700 * 1024; // two chunks are more than the limit, the whole packet is never sent
    raw.ws.send(huge.subarray(0, chunk));
    raw.ws.send(huge.subarray(chunk, 2 * chunk));
    if (version === 5) expect(await raw.next("disconnect")).toMatchObject({ reasonCode: 0x95 });
    await raw.closed;
  });
});

describe("PUBLISH without sendToGroup permission", () => {
  interface Pair {
    watcher: MqttClient;
    sender: MqttClient;
    /** What the watcher received up to a REST fence message sent to "open" after everything else. */
    receivedUntilFence(): Promise<string[]>;
  }

  async function pair(version: 4 | 5): Promise<Pair> {
    const h = hub();
    const watcher = await openMqtt(mqttUrl(emu, h, mqttToken(emu, h, { role: ALL_GROUP_ROLES })), {
      protocolVersion: version,
    });
    await watcher.subscribeAsync(["open", "closed"], { qos: 1 });
    const got: string[] = [];
    const fenced = new Promise<void>((resolve) =>
      watcher.on("message", (topic, payload) => {
        if (payload.toString() === "fence") resolve();
        else got.push(`${topic}:${payload.toString()}`);
      }),
    );
    // may send to "open" only
    const role = ["webpubsub.sendToGroup.open"];
    const sender = await openMqtt(mqttUrl(emu, h, mqttToken(emu, h, { role })), { protocolVersion: version });
    async function receivedUntilFence(): Promise<string[]> {
      await rest(emu, "POST", `/api/hubs/${h}/groups/open/:send`, { body: "fence", contentType: "text/plain" });
      await fenced;
      return got;
    }
    return { watcher, sender, receivedUntilFence };
  }

  it("5.0: PUBACK and PUBREC carry 0x87 (not authorized) and nothing is delivered; a permitted topic works", async () => {
    const { watcher, sender, receivedUntilFence } = await pair(5);
    const qos1 = (await sender.publishAsync("closed", "q1", { qos: 1 }).catch((e) => e)) as { code?: number };
    expect(qos1.code).toBe(0x87);
    const qos2 = (await sender.publishAsync("closed", "q2", { qos: 2 }).catch((e) => e)) as { code?: number };
    expect(qos2.code).toBe(0x87);
    await sender.publishAsync("closed", "q0", { qos: 0 });
    await sender.publishAsync("open", "allowed", { qos: 1 });
    expect(await receivedUntilFence()).toEqual(["open:allowed"]);
    expect(sender.connected).toBe(true);
    await sender.endAsync();
    await watcher.endAsync();
  });

  it("3.1.1: the publish is acknowledged (the version has no refusal code) but delivered to nobody", async () => {
    const { watcher, sender, receivedUntilFence } = await pair(4);
    await sender.publishAsync("closed", "q1", { qos: 1 });
    await sender.publishAsync("closed", "q2", { qos: 2 });
    await sender.publishAsync("open", "allowed", { qos: 1 });
    expect(await receivedUntilFence()).toEqual(["open:allowed"]);
    expect(sender.connected).toBe(true);
    await sender.endAsync();
    await watcher.endAsync();
  });
});

describe("the service's WebSocket keep-alive pings (rounds driven by hand)", () => {
  const INTERVAL = 20;
  let pinging: RunningEmulator;
  beforeAll(async () => {
    handDrivenKeepAlive(); // each round runs when keepAliveRound() says, not on a (stretchable) 20 ms of wall time
    pinging = await startEmulator({ keepAliveIntervalMs: INTERVAL });
  });
  afterAll(async () => {
    await pinging.close();
    vi.useRealTimers();
  });
  const url = (h: string) => mqttUrl(pinging, h, mqttToken(pinging, h));

  /** One round, then the fence: the service has read every answer of `clients` to the ping of that round. */
  async function round(clients: RawMqtt[]): Promise<void> {
    const pinged = clients.map((c) => c.pinged(c.pings + 1));
    keepAliveRound(INTERVAL);
    await Promise.all(pinged);
    for (const c of clients) expect(await serviceRead(c.ws)).toBe("read");
  }

  it("keep an MQTT client that answers them, or sends packets, and drop one that does neither", async () => {
    const answering = new RawMqtt(url("ka1"), 5);
    await answering.connect();
    const chatty = new RawMqtt(url("ka2"), 4, { autoPong: false });
    await chatty.connect();
    chatty.ws.on("ping", () => chatty.send({ cmd: "pingreq" }));
    const silent = new RawMqtt(url("ka3"), 4, { autoPong: false });
    await silent.connect();
    // round 1: a new socket counts as having answered; the silent one is pinged and, read back, still open
    await round([answering, chatty, silent]);
    // round 2: the silent one, quiet for a whole interval, is dropped in the same round that pings the others
    const pinged = [answering.pinged(2), chatty.pinged(2)];
    keepAliveRound(INTERVAL);
    await Promise.all(pinged);
    expect(await serviceRead(silent.ws)).toBe("closed");
    await silent.closed;
    expect(silent.pings).toBe(1);
    // rounds 3 to 5: the two that answer (a pong, a PINGREQ) are kept
    for (const c of [answering, chatty]) expect(await serviceRead(c.ws)).toBe("read");
    for (let i = 3; i <= 5; i++) await round([answering, chatty]);
    expect([answering.pings, chatty.pings]).toEqual([5, 5]);
    answering.send({ cmd: "pingreq" });
    expect(await answering.next("pingresp")).toMatchObject({ cmd: "pingresp" });
    answering.ws.close();
    chatty.ws.close();
    await Promise.all([answering.closed, chatty.closed]);
  });

  it("keep an idle mqtt.js subscriber, which still gets group sends", async () => {
    const h = "ka4";
    let socket: WebSocket | undefined;
    const sub = await openMqtt(mqttUrl(pinging, h, mqttToken(pinging, h, { role: ALL_GROUP_ROLES })), {
      protocolVersion: 5,
      keepalive: 0, // no MQTT pings: only the WebSocket pongs of mqtt.js's socket
      // the same socket mqtt.js would open, kept here to see its pings and to fence on it
      createWebsocket: (u, protocols, o) => {
        socket = new WebSocket(u, protocols, o.wsOptions as WebSocket.ClientOptions);
        return socket;
      },
    });
    await sub.subscribeAsync("g", { qos: 1 });
    const ws = socket as WebSocket;
    // 5 rounds: 4 of them would drop a socket that did not answer the previous ping
    for (let i = 0; i < 5; i++) {
      const pinged = nextPing(ws);
      keepAliveRound(INTERVAL);
      await pinged;
      expect(await serviceRead(ws)).toBe("read");
    }
    const got = new Promise<string>((resolve) => sub.once("message", (_t, p) => resolve(p.toString())));
    await rest(pinging, "POST", `/api/hubs/${h}/groups/g/:send`, { body: "still here", contentType: "text/plain" });
    expect(await got).toBe("still here");
    expect(sub.connected).toBe(true);
    await sub.endAsync();
  });
});
