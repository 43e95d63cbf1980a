// Rule: once the service has begun to close an MQTT client's connection (a protocol problem, a refused CONNECT, too
// many packets before the CONNACK), nothing the client sends afterwards is acted on. The socket stays readable until
// the client answers the close frame (ws waits up to 30 s for that), and packets kept coming through: the rest of the
// dropping frame and later frames were still published to their groups (and each dropping packet dropped and logged
// again). Checked both ways: the packet before the dropping one is delivered, the ones after it are not (a REST send is
// the fence that shows nothing else came). The link-level guard, which also stops the packets that came while a
// CONNECT was being decided from being queued without bound after such a close, is in mqtt-link-flood.test.ts.
import { generate, type IPublishPacket, type Packet } from "mqtt-packet";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningEmulator, startEmulator } from "../src/index.ts";
import { ALL_GROUP_ROLES, hubNames, rest } from "./helpers/clients.ts";
import { mqttToken, mqttUrl, RawMqtt } from "./mqtt-helpers.ts";

let emu: RunningEmulator;
const logs: string[] = [];
beforeAll(async () => {
  emu = await startEmulator({ log: (line) => logs.push(line) });
});
afterAll(async () => {
  await emu.close();
});
const hub = hubNames("mqclose");

function publish(topic: string, text: string, extra: Partial<IPublishPacket> = {}): IPublishPacket {
  return { cmd: "publish", topic, qos: 0, dup: false, retain: false, payload: Buffer.from(text), ...extra };
}

async function client(h: string, version: 4 | 5): Promise<RawMqtt> {
  const raw = new RawMqtt(mqttUrl(emu, h, mqttToken(emu, h, { role: ALL_GROUP_ROLES })), version);
  expect(await raw.connect()).toMatchObject({ cmd: "connack" });
  return raw;
}

/** The texts of the PUBLISHes `sub` got up to and including the REST fence sent to group `g`. */
async function receivedUntilFence(sub: RawMqtt, h: string, g: string): Promise<string[]> {
  await rest(emu, "POST", `/api/hubs/${h}/groups/${g}/:send`, { body: "fence", contentType: "text/plain" });
  const texts: string[] = [];
  for (;;) {
    const p = (await sub.next("publish")) as IPublishPacket;
    texts.push(Buffer.from(p.payload).toString());
    if (texts.at(-1) === "fence") return texts;
  }
}

describe.each([4, 5] as const)("MQTT level %i after the service began closing", (version) => {
  // 5.0 drops a retained PUBLISH; both versions drop a PUBLISH to a wildcard topic
  const dropping: Packet[] =
    version === 5 ? [publish("g", "retained", { retain: true }), publish("g+", "wild")] : [publish("g+", "wild")];

  it.each(dropping.map((p) => [(p as IPublishPacket).payload.toString(), p]))(
    "acts on nothing after a dropping packet (%s) in the same frame or later frames",
    async (_, drop) => {
      const h = hub();
      const sub = await client(h, version);
      sub.send({ cmd: "subscribe", messageId: 1, subscriptions: [{ topic: "g", qos: 0 }] });
      await sub.next("suback");
      const bad = await client(h, version);
      const logged = logs.length;
      const gen = (p: Packet) => generate(p, { protocolVersion: version });
      bad.ws.send(
        Buffer.concat([
          gen(publish("g", "before")),
          gen(drop),
          gen(publish("g", "after, same frame")),
          gen(drop),
          gen({ cmd: "subscribe", messageId: 2, subscriptions: [{ topic: "other", qos: 0 }] }),
        ]),
      );
      bad.ws.send(gen(publish("g", "after, next frame")));
      await bad.closed;
      expect(await receivedUntilFence(sub, h, "g")).toEqual(["before", "fence"]);
      expect(bad.packets.map((p) => p.cmd)).toEqual(version === 5 ? ["disconnect"] : []);
      // one drop, logged once
      expect(logs.slice(logged).filter((l) => l.includes("mqtt connection"))).toHaveLength(1);
      sub.ws.close();
    },
  );
});
