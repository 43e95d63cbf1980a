// MQTT clients (mqtt.js, 3.1.1 and 5.0) at /clients/mqtt/hubs/{hub}: CONNACK refusals per version, topic = group with
// REST sends reaching subscribers, server messages on $webpubsub/server/messages, and publishes reaching other clients.
import mqtt, { type MqttClient } from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningEmulator, startEmulator } from "../src/index.ts";
import { connect, rest, sign } from "./helpers/clients.ts";

let emu: RunningEmulator;
beforeAll(async () => {
  emu = await startEmulator();
});
afterAll(async () => {
  await emu.close();
});

function token(hub: string, claims: Record<string, unknown> = {}): string {
  const now = Math.floor(Date.now() / 1000);
  return sign({ aud: `${emu.endpoint}/clients/mqtt/hubs/${hub}`, iat: now, exp: now + 3600, ...claims }, emu.accessKey);
}

function url(hub: string, tok: string): string {
  return `${emu.endpoint.replace("http", "ws")}/clients/mqtt/hubs/${hub}?access_token=${tok}`;
}

function open(hub: string, version: 4 | 5, tok: string): Promise<MqttClient> {
  return new Promise((resolve, reject) => {
    const c = mqtt.connect(url(hub, tok), {
      protocolVersion: version,
      reconnectPeriod: 0,
      clientId: `c${Math.random()}`,
    });
    c.once("connect", () => resolve(c));
    c.once("error", (e) => {
      c.end(true);
      reject(e);
    });
  });
}

describe.each([4, 5] as const)("MQTT level %i", (version) => {
  it("refuses a bad token in the CONNACK with the version's not-authorized code", async () => {
    const err = (await open("mq", version, "bad.token.x").catch((e) => e)) as { code?: number };
    expect(err.code).toBe(version === 5 ? 0x87 : 5);
  });

  it("subscribes (topic = group), receives REST group sends and server messages, publishes to the group", async () => {
    const hub = `mq${version}`;
    const roles = ["webpubsub.joinLeaveGroup", "webpubsub.sendToGroup"];
    const a = await open(hub, version, token(hub, { sub: "alice", role: roles }));
    const b = await open(hub, version, token(hub, { sub: "bob", role: roles }));
    await a.subscribeAsync("chat", { qos: 1 });
    await b.subscribeAsync("chat", { qos: 1 });
    const got = new Promise<[string, string]>((resolve) => a.once("message", (t, p) => resolve([t, p.toString()])));
    const r = await rest(emu, "POST", `/api/hubs/${hub}/groups/chat/:send`, {
      body: "hello",
      contentType: "text/plain",
    });
    expect(r.status).toBe(202);
    expect(await got).toEqual(["chat", "hello"]);
    const fromB = new Promise<string>((resolve) => a.once("message", (_t, p) => resolve(p.toString())));
    await b.publishAsync("chat", "from b", { qos: 1 });
    expect(await fromB).toBe("from b");
    const server = new Promise<string>((resolve) => a.once("message", (t) => resolve(t)));
    await rest(emu, "POST", `/api/hubs/${hub}/users/alice/:send`, { body: "x", contentType: "text/plain" });
    expect(await server).toBe("$webpubsub/server/messages");
    await a.endAsync();
    await b.endAsync();
  });

  it("refuses subscriptions without joinLeaveGroup permission and wildcard subscriptions", async () => {
    const hub = `mqp${version}`;
    const a = await open(hub, version, token(hub));
    const denied = (await a.subscribeAsync("g", { qos: 1 }).catch((e) => e)) as Error;
    expect(denied).toBeInstanceOf(Error);
    if (version === 5) expect(denied.message).toMatch(/Not authorized/i);
    const wildcard = (await a.subscribeAsync("a/#", { qos: 1 }).catch((e) => e)) as Error;
    expect(wildcard).toBeInstanceOf(Error);
    if (version === 5) expect(wildcard.message).toMatch(/Wildcard/i);
    await a.endAsync(true);
  });
});

describe("MQTT with Web PubSub clients", () => {
  it("an MQTT 5 JSON publish reaches a JSON client as json, and its publish reaches MQTT as application/json", async () => {
    const hub = "mqx";
    const roles = ["webpubsub.joinLeaveGroup", "webpubsub.sendToGroup"];
    const m = await open(hub, 5, token(hub, { sub: "dev", role: roles }));
    await m.subscribeAsync("room", { qos: 1 });
    const j = await connect(emu, hub, { claims: { sub: "web", role: roles } });
    j.send({ type: "joinGroup", group: "room", ackId: 1 });
    await j.message((x) => x.type === "ack" && x.ackId === 1);
    const atJson = j.message((x) => x.type === "message" && x.from === "group");
    await m.publishAsync("room", '{"t":21}', { qos: 1, properties: { contentType: "application/json" } });
    expect(await atJson).toMatchObject({ group: "room", dataType: "json", data: { t: 21 }, fromUserId: "dev" });
    const atMqtt = new Promise<[string, string | undefined]>((resolve) =>
      m.on("message", (_t, p, packet) => {
        if (p.toString() !== '{"t":21}') resolve([p.toString(), packet.properties?.contentType]);
      }),
    );
    j.send({ type: "sendToGroup", group: "room", dataType: "json", data: { t: 22 } });
    expect(await atMqtt).toEqual(['{"t":22}', "application/json"]);
    await m.endAsync();
    await j.close();
  });

  it("resumes a persistent 3.1.1 session (same client id, clean=false) with its subscriptions", async () => {
    const hub = "mqs";
    const tok = token(hub, { role: ["webpubsub.joinLeaveGroup"] });
    const first = mqtt.connect(url(hub, tok), {
      protocolVersion: 4,
      clean: false,
      clientId: "dev-1",
      reconnectPeriod: 0,
    });
    await new Promise((r) => first.once("connect", r));
    await first.subscribeAsync("s", { qos: 1 });
    await first.endAsync();
    const second = mqtt.connect(url(hub, tok), {
      protocolVersion: 4,
      clean: false,
      clientId: "dev-1",
      reconnectPeriod: 0,
    });
    const connack = await new Promise<{ sessionPresent: boolean }>((r) => second.once("connect", r));
    expect(connack.sessionPresent).toBe(true);
    const got = new Promise<string>((resolve) => second.once("message", (_t, p) => resolve(p.toString())));
    await rest(emu, "POST", `/api/hubs/${hub}/groups/s/:send`, { body: "kept", contentType: "text/plain" });
    expect(await got).toBe("kept");
    await second.endAsync();
  });
});

describe("MQTT session end", () => {
  it("a REST close sends a 5.0 DISCONNECT (administrative action) before closing", async () => {
    const hub = "mqc";
    const m = await open(hub, 5, token(hub));
    const disconnect = new Promise<number | undefined>((resolve) => m.once("disconnect", (p) => resolve(p.reasonCode)));
    const r = await rest(emu, "POST", `/api/hubs/${hub}/:closeConnections`);
    expect(r.status).toBe(204);
    expect(await disconnect).toBe(0x98);
    m.end(true);
  });

  it("publishes the last will when the connection drops without DISCONNECT, not after one", async () => {
    const hub = "mqw";
    const roles = ["webpubsub.joinLeaveGroup", "webpubsub.sendToGroup"];
    const watcher = await open(hub, 4, token(hub, { role: roles }));
    await watcher.subscribeAsync("status", { qos: 1 });
    const polite = mqtt.connect(url(hub, token(hub, { role: roles })), {
      protocolVersion: 4,
      reconnectPeriod: 0,
      will: { topic: "status", payload: Buffer.from("polite gone"), qos: 1, retain: false },
    });
    await new Promise((r) => polite.once("connect", r));
    await polite.endAsync();
    const dev = mqtt.connect(url(hub, token(hub, { role: roles })), {
      protocolVersion: 4,
      reconnectPeriod: 0,
      will: { topic: "status", payload: Buffer.from("offline"), qos: 1, retain: false },
    });
    await new Promise((r) => dev.once("connect", r));
    const will = new Promise<string>((resolve) => watcher.once("message", (_t, p) => resolve(p.toString())));
    (dev.stream as unknown as { destroy(): void }).destroy();
    expect(await will).toBe("offline");
    dev.end(true);
    await watcher.endAsync();
  });

  it("delivers QoS 2 publishes exactly once to a QoS 2 subscriber", async () => {
    const hub = "mq2";
    const roles = ["webpubsub.joinLeaveGroup", "webpubsub.sendToGroup"];
    const a = await open(hub, 5, token(hub, { role: roles }));
    const b = await open(hub, 5, token(hub, { role: roles }));
    await a.subscribeAsync("q", { qos: 2 });
    const got = new Promise<number>((resolve) => a.once("message", (_t, _p, packet) => resolve(packet.qos)));
    await b.publishAsync("q", "x", { qos: 2 });
    expect(await got).toBe(2);
    await a.endAsync();
    await b.endAsync();
  });
});
