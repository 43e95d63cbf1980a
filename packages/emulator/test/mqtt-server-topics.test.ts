// Topic names starting with `$` are the server's (MQTT 3.1.1 and 5.0 section 4.7.2; the service sends its messages on
// `$webpubsub/server/messages`): an mqtt.js client's PUBLISH to one reaches nobody, not even a subscriber of that
// topic (5.0: PUBACK / PUBREC 0x90 Topic Name invalid; 3.1.1 has no refusal code, so it is acknowledged as usual),
// while a `$` anywhere else in the name is an ordinary character and the server (REST) still reaches `$` topics. A
// Web PubSub client's sendToGroup to a `$` group reaches the group's Web PubSub clients but no MQTT subscriber.
// Wildcard subscriptions are refused (the service does not support them), so no filter matches a `$` topic either.
import type { ErrorWithReasonCode, MqttClient } from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningEmulator, startEmulator } from "../src/index.ts";
import { SERVER_MESSAGES_TOPIC } from "../src/mqtt/limits.ts";
import { ALL_GROUP_ROLES, connect, hubNames, rest } from "./helpers/clients.ts";
import { mqttToken, mqttUrl, openMqtt, sendToGroup } from "./mqtt-helpers.ts";

let emu: RunningEmulator;
beforeAll(async () => {
  emu = await startEmulator();
});
afterAll(async () => {
  await emu.close();
});
const hub = hubNames("mqd");

/**
 * Records the [topic, text] messages `c` receives from now on; the function returned resolves with them once the text
 * "fence", sent then through REST to the topic `fence` (which `c` subscribed to), came after them.
 */
function recorder(c: MqttClient): (h: string) => Promise<[string, string][]> {
  const got: [string, string][] = [];
  let fenced: (() => void) | undefined;
  c.on("message", (topic, payload) => {
    if (topic === "fence") fenced?.();
    else got.push([topic, payload.toString()]);
  });
  return async (h) => {
    const done = new Promise<void>((resolve) => {
      fenced = resolve;
    });
    await sendToGroup(emu, h, "fence", "fence");
    await done;
    return got;
  };
}

/** The reason code an mqtt.js publish was refused with; undefined when it was acknowledged as a success. */
async function refusal(p: Promise<unknown>): Promise<number | undefined> {
  return p.then(
    () => undefined,
    (e: ErrorWithReasonCode) => e.code,
  );
}

describe.each([4, 5] as const)("MQTT level %i `$` topics", (version) => {
  const open = (h: string) =>
    openMqtt(mqttUrl(emu, h, mqttToken(emu, h, { role: ALL_GROUP_ROLES })), { protocolVersion: version });
  const refused = version === 5 ? 0x90 : undefined;

  it("a client's PUBLISH to a `$` topic reaches no subscriber of it; `a$` and `a/$b` are delivered", async () => {
    const h = hub();
    const sub = await open(h);
    const untilFence = recorder(sub);
    const pub = await open(h);
    const topics = ["$x", "$", SERVER_MESSAGES_TOPIC, "a$", "a/$b", "fence"];
    await sub.subscribeAsync(topics, { qos: 2 });
    // every QoS: QoS 0 has no acknowledgement, and the QoS 1 PUBLISH after it is handled after it
    await pub.publishAsync("$x", "q0", { qos: 0 });
    expect(await refusal(pub.publishAsync("$x", "q1", { qos: 1 }))).toBe(refused);
    expect(await refusal(pub.publishAsync("$", "q2", { qos: 2 }))).toBe(refused);
    expect(await refusal(pub.publishAsync(SERVER_MESSAGES_TOPIC, "forged", { qos: 1 }))).toBe(refused);
    expect(await refusal(pub.publishAsync("a$", "ok", { qos: 1 }))).toBeUndefined();
    expect(await refusal(pub.publishAsync("a/$b", "ok", { qos: 2 }))).toBeUndefined();
    expect(await untilFence(h)).toEqual([
      ["a$", "ok"],
      ["a/$b", "ok"],
    ]);
    // the publisher's connection stays open (a refused topic is no protocol error)
    expect(pub.connected).toBe(true);
    await Promise.all([sub.endAsync(), pub.endAsync()]);
  });

  it("the server still reaches `$` topics: REST sendToGroup to `$x`, sendToUser on the server messages topic", async () => {
    const h = hub();
    const sub = await openMqtt(mqttUrl(emu, h, mqttToken(emu, h, { role: ALL_GROUP_ROLES, sub: "u" })), {
      protocolVersion: version,
    });
    const untilFence = recorder(sub);
    await sub.subscribeAsync(["$x", "fence"], { qos: 1 });
    await sendToGroup(emu, h, "$x", "from the server");
    const r = await rest(emu, "POST", `/api/hubs/${h}/users/u/:send`, { body: "to u", contentType: "text/plain" });
    expect(r.status).toBe(202);
    expect(await untilFence(h)).toEqual([
      ["$x", "from the server"],
      [SERVER_MESSAGES_TOPIC, "to u"],
    ]);
    await sub.endAsync();
  });

  it("a JSON client's sendToGroup to `$x` reaches a JSON member of `$x` but not an MQTT subscriber; to `x` both", async () => {
    const h = hub();
    const sub = await open(h);
    const untilFence = recorder(sub);
    await sub.subscribeAsync(["$x", "x", SERVER_MESSAGES_TOPIC, "fence"], { qos: 1 });
    const json = await connect(emu, h, { claims: { role: ALL_GROUP_ROLES } });
    json.send({ type: "joinGroup", group: "$x", ackId: 1 });
    await json.message((m) => m.type === "ack" && m.ackId === 1);
    const echoed = json.message((m) => m.type === "message" && m.group === "$x");
    let ackId = 2;
    for (const group of ["$x", SERVER_MESSAGES_TOPIC, "x"]) {
      const id = ackId++;
      json.send({ type: "sendToGroup", group, dataType: "text", data: `to ${group}`, ackId: id });
      await json.message((m) => m.type === "ack" && m.ackId === id && m.success === true);
    }
    expect(await echoed).toMatchObject({ data: "to $x" });
    expect(await untilFence(h)).toEqual([["x", "to x"]]);
    await sub.endAsync();
    await json.close();
  });

  it("wildcard filters (`#`, `+`, `+/a`, `$x/#`) are refused and match neither `x` nor `$x`", async () => {
    const h = hub();
    const sub = await open(h);
    const untilFence = recorder(sub);
    const pub = await open(h);
    for (const filter of ["#", "+", "+/a", "$x/#"]) {
      const err = (await sub.subscribeAsync(filter, { qos: 1 }).catch((e) => e)) as Error;
      expect(err, filter).toBeInstanceOf(Error);
      if (version === 5) expect(err.message, filter).toMatch(/Wildcard/i);
    }
    await sub.subscribeAsync("fence", { qos: 1 });
    await pub.publishAsync("x", "plain", { qos: 1 });
    await pub.publishAsync("x/a", "plain", { qos: 1 });
    for (const group of ["$x", "$x/y"]) {
      expect((await sendToGroup(emu, h, encodeURIComponent(group), "server")).status).toBe(202);
    }
    expect(await untilFence(h)).toEqual([]);
    await Promise.all([sub.endAsync(), pub.endAsync()]);
  });
});
