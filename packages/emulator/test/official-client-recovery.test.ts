// The official @azure/web-pubsub-client 1.1.0 with its default protocol (reliable JSON) recovers through a network
// fault: every one of 10,000 group messages arrives exactly once, in order.
import { WebPubSubClient } from "@azure/web-pubsub-client";
import { type FaultProxy, startFaultProxy } from "@webpubsub/test-kit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect, sign } from "./helpers/clients.ts";
import { counterWaiter } from "./helpers/counter-waiter.ts";
import { useEmulator } from "./helpers/use-emulator.ts";

const emu = useEmulator();
let proxy: FaultProxy;
beforeAll(async () => {
  proxy = await startFaultProxy(emu.port);
});
afterAll(async () => {
  await proxy.close();
});

describe("@azure/web-pubsub-client 1.1.0 (default reliable protocol) through a network fault", () => {
  it("receives 10,000 group messages exactly once and in order across a cut connection", async () => {
    const hub = "officialRecovery";
    // the client talks to the proxy, so its token's audience names the proxy (the Host the emulator will see)
    const endpoint = `http://127.0.0.1:${proxy.port}`;
    const now = Math.floor(Date.now() / 1000);
    const token = sign(
      { aud: `${endpoint}/client/hubs/${hub}`, exp: now + 600, "webpubsub.group": "g" },
      emu.accessKey,
    );
    const client = new WebPubSubClient(`ws://127.0.0.1:${proxy.port}/client/hubs/${hub}?access_token=${token}`);
    const received: number[] = [];
    let connectedEvents = 0;
    let disconnectedEvents = 0;
    const arrivals = counterWaiter(() => received.length, 15_000, "messages");
    const seen = (count: number) => arrivals.atLeast(count);
    client.on("group-message", (e) => {
      received.push(Number(e.message.data));
      arrivals.notify();
    });
    client.on("connected", () => {
      connectedEvents++;
    });
    client.on("disconnected", () => {
      disconnectedEvents++;
    });
    await client.start();

    // The official client acknowledges once a second, and the service drops a reliable client with more than 1000
    // unacknowledged messages. Like a well-behaved publisher, stay inside that window: watch the client's
    // sequenceAck frames on the wire and publish only while at most 900 messages are unacknowledged.
    let acked = 0;
    const acks = counterWaiter(() => acked, 15_000, "acks");
    proxy.onClientText = (text) => {
      const m = JSON.parse(text) as { type?: string; sequenceId?: number };
      if (m.type === "sequenceAck" && typeof m.sequenceId === "number") {
        acked = Math.max(acked, m.sequenceId);
        acks.notify();
      }
    };
    const ackedAtLeast = (n: number) => acks.atLeast(n);
    const pub = await connect(emu, hub, { claims: { role: ["webpubsub.sendToGroup"] } });
    const total = 10_000;
    const publishing = (async () => {
      for (let i = 0; i < total; i += 100) {
        for (let j = i; j < i + 100; j++)
          pub.send({ type: "sendToGroup", group: "g", dataType: "text", data: String(j) });
        await seen(i);
        // the session's sequence ids are the message numbers + 1, before and after the recovery
        await ackedAtLeast(i + 100 - 900);
      }
    })();
    await seen(3000);
    proxy.cutAll();
    await publishing;
    await seen(total);
    expect(received).toEqual(Array.from({ length: total }, (_, i) => i));
    // recovered, not reconnected: no second connected event
    expect(connectedEvents).toBe(1);
    expect(disconnectedEvents).toBe(0);
    client.stop();
    await pub.close();
  }, 60_000);
});
