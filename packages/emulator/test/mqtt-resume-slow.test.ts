// Rule: a resumed MQTT session whose backlog (the QoS 1 messages its earlier connection never acknowledged, sent again
// while the session is being opened) passes the send-buffer limit (maxBufferedBytesPerConnection) ends as a slow
// consumer, as a live session does (test/mqtt-slow-reader): it is not kept for its client, so a reconnect finds no
// session (session present 0) instead of being cut the same way again, on every reconnect, for as long as it keeps
// coming back. Before, the socket was only cut and the session kept. The other side: a backlog that fits is sent and
// the session is kept.
import type { IPublishPacket, Packet } from "mqtt-packet";
import { describe, expect, it } from "vitest";
import { SLOW_CONSUMER } from "../src/send-buffer.ts";
import { ALL_GROUP_ROLES, hubNames, rest } from "./helpers/clients.ts";
import { useEmulator } from "./helpers/use-emulator.ts";
import { mqttToken, mqttUrl, quietKeepAlive, RawMqtt, sendToGroup } from "./mqtt-helpers.ts";

const LIMIT = 64 * 1024;
const logs: string[] = [];
const emu = useEmulator({ maxBufferedBytesPerConnection: LIMIT, log: (line) => logs.push(line) });
const hub = hubNames("mqrslow");

/** A raw client of user "dev" and client id "dev" whose session outlives its connection (5.0: for 60 s). */
async function persistent(h: string, version: 4 | 5, clean: boolean): Promise<[RawMqtt, Packet]> {
  const raw = new RawMqtt(mqttUrl(emu, h, mqttToken(emu, h, { sub: "dev", role: ALL_GROUP_ROLES })), version);
  await raw.opened;
  raw.send({
    cmd: "connect",
    protocolId: "MQTT",
    protocolVersion: version,
    clean,
    clientId: "dev",
    keepalive: quietKeepAlive(version),
    ...(version === 5 ? { properties: { sessionExpiryInterval: 60 } } : {}),
  });
  return [raw, await raw.next("connack")];
}

/**
 * A persistent session that received `count` QoS 1 messages of `bytes` bytes on topic "g" and acknowledged none, its
 * network connection closed: its backlog is sent again when it resumes.
 */
async function backlog(h: string, version: 4 | 5, count: number, bytes: number): Promise<void> {
  const [old, connack] = await persistent(h, version, false);
  expect(connack).toMatchObject({ sessionPresent: false });
  old.send({ cmd: "subscribe", messageId: 1, subscriptions: [{ topic: "g", qos: 1 }] });
  await old.next("suback");
  for (let i = 0; i < count; i++) {
    expect((await sendToGroup(emu, h, "g", `${i}:`.padEnd(bytes, "x"))).status).toBe(202);
    expect(((await old.next("publish")) as IPublishPacket).qos).toBe(1);
  }
  old.ws.close();
  await old.closed;
}

const slowLines = () => logs.filter((l) => l.endsWith(`closed: ${SLOW_CONSUMER}`));

describe.each([4, 5] as const)("MQTT level %i resume", (version) => {
  // 15 MiB sent again in one turn (under the 16 MiB a session may keep): well beyond the few MB loopback TCP buffers
  // take before the socket's own queue passes 64 KiB, however slow the machine
  it("ends a session whose backlog overflows the send buffer as it resumes: a reconnect finds no session", async () => {
    const h = hub();
    await backlog(h, version, 30, 512 * 1024);
    const before = slowLines().length;
    const [resumed] = await persistent(h, version, false);
    await resumed.closed;
    expect(slowLines()).toHaveLength(before + 1);
    expect((await rest(emu, "HEAD", `/api/hubs/${h}/users/dev`)).status).toBe(404);
    const [again, connack] = await persistent(h, version, false);
    expect(connack).toMatchObject({ cmd: "connack", sessionPresent: false });
    again.ws.close();
  }, 60_000);

  it("keeps a session whose backlog fits: it is sent again and a reconnect finds the session", async () => {
    const h = hub();
    await backlog(h, version, 1, 16);
    const before = slowLines().length;
    const [resumed, connack] = await persistent(h, version, false);
    expect(connack).toMatchObject({ cmd: "connack", sessionPresent: true });
    expect(await resumed.next("publish")).toMatchObject({ dup: true, qos: 1 });
    resumed.ws.close();
    await resumed.closed;
    const [again, present] = await persistent(h, version, false);
    expect(present).toMatchObject({ cmd: "connack", sessionPresent: true });
    expect(slowLines()).toHaveLength(before);
    again.ws.close();
  });
});
