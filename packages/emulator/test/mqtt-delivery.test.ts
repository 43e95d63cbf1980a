// QoS 1 is at least once across a network fault: 1,000 messages published to a persistent-session subscriber whose
// TCP connection is cut mid-stream all arrive once mqtt.js has reconnected (same client id, within the 30 s the
// session is kept); the session's unacknowledged messages are sent again. A clean session, by contrast, comes back
// without its subscription, so nothing sent meanwhile reaches it.

import { type FaultProxy, startFaultProxy } from "@webpubsub/test-kit";
import type { MqttClient } from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningEmulator, startEmulator } from "../src/index.ts";
import { ALL_GROUP_ROLES, hubNames } from "./helpers/clients.ts";
import { counterWaiter } from "./helpers/counter-waiter.ts";
import { mqttToken, mqttUrl, openMqtt } from "./mqtt-helpers.ts";

let emu: RunningEmulator;
let proxy: FaultProxy;
beforeAll(async () => {
  emu = await startEmulator();
  proxy = await startFaultProxy(emu.port);
});
afterAll(async () => {
  await proxy.close();
  await emu.close();
});
const hub = hubNames("mqd");

/** A token valid at the proxy (the audience names the host the client connects to) and directly. */
function tokens(h: string): { proxied: string; direct: string } {
  const claims = { role: ALL_GROUP_ROLES };
  return {
    proxied: mqttToken(emu, h, { ...claims, aud: `http://127.0.0.1:${proxy.port}/clients/mqtt/hubs/${h}` }),
    direct: mqttToken(emu, h, claims),
  };
}
const TOTAL = 1000;

describe.each([4, 5] as const)("MQTT level %i through a TCP cut", (version) => {
  it(`delivers all ${TOTAL} QoS 1 messages to a persistent session that reconnects`, async () => {
    const h = hub();
    const token = tokens(h);
    const session = version === 5 ? { properties: { sessionExpiryInterval: 30 } } : {};
    // the subscriber goes through the proxy and reconnects by itself; the publisher connects directly
    const sub = await openMqtt(mqttUrl(emu, h, token.proxied, proxy.port), {
      protocolVersion: version,
      clientId: `sub-${version}`,
      clean: false,
      reconnectPeriod: 50,
      ...session,
    });
    await sub.subscribeAsync("feed", { qos: 1 });
    const seen = new Set<number>();
    let deliveries = 0;
    const received = counterWaiter(() => seen.size, 15_000, "distinct messages");
    const cutAt = 100;
    let cut = false;
    const resumed: boolean[] = [];
    sub.on("connect", (connack) => resumed.push(connack.sessionPresent));
    sub.on("message", (_topic, payload, packet) => {
      expect(packet.qos).toBe(1);
      deliveries++;
      seen.add(Number(payload.toString()));
      // cut while most of the first half is still on its way
      if (!cut && seen.size === cutAt) {
        cut = true;
        proxy.cutAll();
      }
      received.notify();
    });
    const pub = await openMqtt(mqttUrl(emu, h, token.direct), { protocolVersion: version });
    const send = (from: number, to: number) =>
      Promise.all(Array.from({ length: to - from }, (_, i) => pub.publishAsync("feed", String(from + i), { qos: 1 })));
    await send(0, TOTAL / 2);
    await received.atLeast(cutAt);
    expect(cut).toBe(true);
    await send(TOTAL / 2, TOTAL); // while the subscriber is away or coming back

    await received.atLeast(TOTAL);
    expect([...seen].sort((a, b) => a - b)).toEqual(Array.from({ length: TOTAL }, (_, i) => i));
    expect(deliveries).toBeGreaterThanOrEqual(TOTAL); // at least once: a resend may repeat one
    expect(resumed).toEqual([true]); // one reconnect, which found its session
    await pub.endAsync();
    await sub.endAsync();
  });

  it("a clean session comes back without its subscription", async () => {
    const h = hub();
    const token = tokens(h);
    const sub = await openMqtt(mqttUrl(emu, h, token.proxied, proxy.port), {
      protocolVersion: version,
      clientId: `clean-${version}`,
      clean: true,
      reconnectPeriod: 50,
      resubscribe: false,
    });
    await sub.subscribeAsync("feed", { qos: 1 });
    const reconnected = new Promise<boolean>((resolve) => sub.once("connect", (c) => resolve(c.sessionPresent)));
    proxy.cutAll();
    expect(await reconnected).toBe(false);
    const got: string[] = [];
    sub.on("message", (_t, p) => got.push(p.toString()));
    const pub: MqttClient = await openMqtt(mqttUrl(emu, h, token.direct), { protocolVersion: version });
    await pub.publishAsync("feed", "lost", { qos: 1 });
    // a fence through the same connection: subscribed now, it arrives after anything sent before
    await sub.subscribeAsync("fence", { qos: 1 });
    const fence = new Promise<void>((resolve) => sub.on("message", (t) => t === "fence" && resolve()));
    await pub.publishAsync("fence", "f", { qos: 1 });
    await fence;
    expect(got).toEqual(["f"]);
    await pub.endAsync();
    await sub.endAsync();
  });
});
