// MQTT clients and Web PubSub clients in one group, both ways (reference-mqtt-cross-protocol-communication): an MQTT
// 5.0 Content Type becomes the Web PubSub data type (application/json -> json, text/plain -> text,
// application/x-protobuf -> protobuf, anything else or none -> binary) and back; MQTT 3.1.1 carries no content type, so
// its messages are binary and it receives bare payload bytes. Checked against JSON, protobuf and simple WebSocket
// clients (a simple client receives text and JSON as text frames, binary and protobuf as binary frames).
import { type DownstreamMessage, protobufCodec } from "@webpubsub/core";
import type { MqttClient } from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningEmulator, startEmulator } from "../src/index.ts";
import { ALL_GROUP_ROLES, clientToken, connect, hubNames, TestClient } from "./helpers/clients.ts";
import { type CounterWaiter, counterWaiter } from "./helpers/counter-waiter.ts";
import { mqttToken, mqttUrl, openMqtt } from "./mqtt-helpers.ts";

let emu: RunningEmulator;
beforeAll(async () => {
  emu = await startEmulator();
});
afterAll(async () => {
  await emu.close();
});
const hub = hubNames("mqx");
const GROUP = "room";
const PROTOBUF = "protobuf.webpubsub.azure.v1";

/** What an MQTT subscriber received: payload (UTF-8 for reading) and 5.0 content type. */
interface MqttGot {
  payload: string;
  contentType: string | undefined;
}

interface MqttMember {
  client: MqttClient;
  got: MqttGot[];
  received: CounterWaiter;
}

async function mqttMember(h: string, version: 4 | 5): Promise<MqttMember> {
  const client = await openMqtt(mqttUrl(emu, h, mqttToken(emu, h, { sub: `mqtt${version}`, role: ALL_GROUP_ROLES })), {
    protocolVersion: version,
  });
  await client.subscribeAsync(GROUP, { qos: 1, nl: version === 5 });
  const got: MqttGot[] = [];
  const received = counterWaiter(() => got.length, 5000, `messages at the MQTT ${version} client`);
  client.on("message", (_t, payload, packet) => {
    got.push({ payload: payload.toString("latin1"), contentType: packet.properties?.contentType });
    received.notify();
  });
  return { client, got, received };
}

/** A JSON, a protobuf and a simple (receive-only, group from the token) client in GROUP, and a simple publisher. */
async function webMembers(h: string) {
  const claims = { sub: "web", role: ALL_GROUP_ROLES, "webpubsub.group": GROUP };
  const json = await connect(emu, h, { claims });
  const base = `${emu.endpoint.replace("http", "ws")}/client/hubs/${h}`;
  const proto = new TestClient(`${base}?access_token=${clientToken(emu, h, claims)}`, PROTOBUF);
  const protoMessages = () => proto.frames.map((f) => protobufCodec.decodeDownstream(f.data as Buffer));
  await proto.until(() => protoMessages().some((m) => m.type === "system" && m.event === "connected"));
  const simple = new TestClient(`${base}?access_token=${clientToken(emu, h, claims)}`);
  await simple.opened;
  const simplePub = new TestClient(
    `${base}?access_token=${clientToken(emu, h, claims)}&webpubsub_mode=sendToGroup&group=${GROUP}`,
  );
  await simplePub.opened;
  return { json, proto, protoMessages, simple, simplePub };
}

describe("MQTT and Web PubSub clients in one group", () => {
  it("MQTT publishes reach JSON, protobuf and simple clients with the data type of their content type", async () => {
    const h = hub();
    const v5 = await mqttMember(h, 5);
    const v4 = await mqttMember(h, 4);
    const web = await webMembers(h);
    const bytes = Buffer.from([0x0a, 0x01, 0x41]);
    await v5.client.publishAsync(GROUP, '{"t":21}', { qos: 1, properties: { contentType: "application/json" } });
    await v5.client.publishAsync(GROUP, "hello", { qos: 1, properties: { contentType: "text/plain; charset=utf-8" } });
    await v5.client.publishAsync(GROUP, bytes, { qos: 1, properties: { contentType: "application/x-protobuf" } });
    await v5.client.publishAsync(GROUP, bytes, { qos: 1, properties: { contentType: "application/octet-stream" } });
    await v5.client.publishAsync(GROUP, bytes, { qos: 1 }); // no content type
    await v4.client.publishAsync(GROUP, "from 3.1.1", { qos: 1 }); // 3.1.1 has none

    const jsonData = () => web.json.messages.filter((m) => m.type === "message");
    await web.json.until(() => jsonData().length === 6 || undefined, 5000, "6 messages at the JSON client");
    expect(jsonData().map((m) => [m.dataType, m.data, m.fromUserId])).toEqual([
      ["json", { t: 21 }, "mqtt5"],
      ["text", "hello", "mqtt5"],
      ["protobuf", bytes.toString("base64"), "mqtt5"],
      ["binary", bytes.toString("base64"), "mqtt5"],
      ["binary", bytes.toString("base64"), "mqtt5"],
      ["binary", Buffer.from("from 3.1.1").toString("base64"), "mqtt4"],
    ]);

    const protoData = () => web.protoMessages().filter((m) => m.type === "message");
    await web.proto.until(() => protoData().length === 6 || undefined, 5000, "6 messages at the protobuf client");
    const shown = (m: DownstreamMessage) => {
      const x = m as { dataType: string; data: unknown };
      return [x.dataType, x.data instanceof Uint8Array ? Buffer.from(x.data).toString("latin1") : x.data];
    };
    expect(protoData().map(shown)).toEqual([
      ["json", { t: 21 }],
      ["text", "hello"],
      ["protobuf", bytes.toString("latin1")],
      ["binary", bytes.toString("latin1")],
      ["binary", bytes.toString("latin1")],
      ["binary", "from 3.1.1"],
    ]);

    await web.simple.until(() => web.simple.frames.length === 6 || undefined, 5000, "6 frames at the simple client");
    expect(web.simple.frames.map((f) => [f.binary, Buffer.from(f.data).toString("latin1")])).toEqual([
      [false, '{"t":21}'],
      [false, "hello"],
      [true, bytes.toString("latin1")],
      [true, bytes.toString("latin1")],
      [true, bytes.toString("latin1")],
      [true, "from 3.1.1"],
    ]);

    // the 3.1.1 subscriber gets every payload as is, without content types; the 5.0 one (No Local) only the 3.1.1 one
    await Promise.all([v4.received.atLeast(6), v5.received.atLeast(1)]);
    expect(v4.got).toEqual([
      { payload: '{"t":21}', contentType: undefined },
      { payload: "hello", contentType: undefined },
      ...Array.from({ length: 3 }, () => ({ payload: bytes.toString("latin1"), contentType: undefined })),
      { payload: "from 3.1.1", contentType: undefined },
    ]);
    expect(v5.got).toEqual([{ payload: "from 3.1.1", contentType: "application/octet-stream" }]);
    await Promise.all([v5.client.endAsync(), v4.client.endAsync()]);
    await Promise.all([web.json.close(), web.proto.close(), web.simple.close(), web.simplePub.close()]);
  });

  it("JSON, protobuf and simple clients' messages reach MQTT 5.0 with the content type of their data type", async () => {
    const h = hub();
    const v5 = await mqttMember(h, 5);
    const v4 = await mqttMember(h, 4);
    const web = await webMembers(h);
    web.json.send({ type: "sendToGroup", group: GROUP, dataType: "json", data: { t: 22 }, noEcho: true });
    web.json.send({ type: "sendToGroup", group: GROUP, dataType: "text", data: "hi", noEcho: true });
    web.json.send({ type: "sendToGroup", group: GROUP, dataType: "binary", data: "AQI=", noEcho: true });
    const pb = new Uint8Array([0x0a, 0x01, 0x42]);
    web.proto.ws.send(
      protobufCodec.encodeUpstream({ type: "sendToGroup", group: GROUP, dataType: "protobuf", data: pb, noEcho: true }),
    );
    web.simplePub.ws.send("simple text");
    web.simplePub.ws.send(Buffer.from([3, 4]));
    await Promise.all([v4.received.atLeast(6), v5.received.atLeast(6)]);
    const latin1 = (b: Uint8Array | number[]) => Buffer.from(b).toString("latin1");
    expect(v5.got).toEqual([
      { payload: '{"t":22}', contentType: "application/json" },
      { payload: "hi", contentType: "text/plain" },
      { payload: latin1([1, 2]), contentType: "application/octet-stream" },
      { payload: latin1(pb), contentType: "application/x-protobuf" },
      { payload: "simple text", contentType: "text/plain" },
      { payload: latin1([3, 4]), contentType: "application/octet-stream" },
    ]);
    expect(v4.got).toEqual(v5.got.map((g) => ({ ...g, contentType: undefined })));
    await Promise.all([v5.client.endAsync(), v4.client.endAsync()]);
    await Promise.all([web.json.close(), web.proto.close(), web.simple.close(), web.simplePub.close()]);
  });
});
