// protobuf.webpubsub.azure.v1 and protobuf.reliable.webpubsub.azure.v1 clients, interoperating with JSON clients.
import { type DownstreamMessage, protobufCodec, type UpstreamMessage } from "@webpubsub/core";
import { describe, expect, it } from "vitest";
import { ALL_GROUP_ROLES as ALL, clientToken, connect, hubNames, rest, TestClient } from "./helpers/clients.ts";
import { useEmulator } from "./helpers/use-emulator.ts";

const PROTOBUF = "protobuf.webpubsub.azure.v1";
const RELIABLE_PROTOBUF = "protobuf.reliable.webpubsub.azure.v1";

const emu = useEmulator({ recoveryWindowMs: 2000 });

class ProtoClient {
  readonly raw: TestClient;
  readonly messages: DownstreamMessage[] = [];
  constructor(url: string, protocol: string) {
    this.raw = new TestClient(url, protocol);
  }
  decodeAll(): DownstreamMessage[] {
    while (this.messages.length < this.raw.frames.length) {
      const f = this.raw.frames[this.messages.length]!;
      this.messages.push(protobufCodec.decodeDownstream(f.data as Buffer));
    }
    return this.messages;
  }
  message(pred: (m: DownstreamMessage) => boolean, what = "message"): Promise<DownstreamMessage> {
    return this.raw.until(() => this.decodeAll().find(pred), 3000, what);
  }
  send(m: UpstreamMessage): void {
    this.raw.ws.send(protobufCodec.encodeUpstream(m));
  }
}

const hub = hubNames("pb");

async function protoClient(h: string, protocol = PROTOBUF, claims = {}) {
  const url = `${emu.endpoint.replace("http", "ws")}/client/hubs/${h}?access_token=${clientToken(emu, h, claims)}`;
  const c = new ProtoClient(url, protocol);
  const connected = await c.message((m) => m.type === "system" && m.event === "connected", "connected");
  return Object.assign(c, { connected: connected as Extract<DownstreamMessage, { event: "connected" }> });
}

describe("protobuf subprotocols", () => {
  it("connect, join, publish and receive, interoperating with JSON clients in the same group", async () => {
    const h = hub();
    const p = await protoClient(h, PROTOBUF, { sub: "proto", role: ALL });
    expect(p.raw.ws.protocol).toBe(PROTOBUF);
    expect(p.connected.userId).toBe("proto");
    const j = await connect(emu, h, { claims: { sub: "json", role: ALL, "webpubsub.group": "g" } });
    p.send({ type: "joinGroup", group: "g", ackId: 1 });
    expect(await p.message((m) => m.type === "ack" && m.ackId === 1)).toEqual({ type: "ack", ackId: 1, success: true });
    p.send({ type: "sendToGroup", group: "g", ackId: 2, dataType: "text", data: "from proto" });
    p.send({ type: "sendToGroup", group: "g", dataType: "json", data: { n: 1 } });
    p.send({ type: "sendToGroup", group: "g", dataType: "binary", data: new Uint8Array([7, 8]) });
    p.send({ type: "sendToGroup", group: "g", dataType: "protobuf", data: new Uint8Array([10, 1, 65]), noEcho: true });
    await j.until(() => j.messages.filter((m) => m.type === "message").length === 4);
    expect(j.messages.filter((m) => m.type === "message").map((m) => [m.dataType, m.data, m.fromUserId])).toEqual([
      ["text", "from proto", "proto"],
      ["json", { n: 1 }, "proto"],
      ["binary", "Bwg=", "proto"],
      ["protobuf", "CgFB", "proto"],
    ]);
    j.send({ type: "sendToGroup", group: "g", dataType: "json", data: [1, "two"], ackId: 9 });
    const fromJson = await p.message((m) => m.type === "message" && m.dataType === "json" && Array.isArray(m.data));
    expect(fromJson).toMatchObject({ type: "message", from: "group", group: "g", data: [1, "two"] });
    expect(p.decodeAll().filter((m) => m.type === "message" && m.dataType === "protobuf")).toEqual([]);
    await rest(emu, "POST", `/api/hubs/${h}/:send`, {
      body: new Uint8Array([1, 2]),
      contentType: "application/octet-stream",
    });
    const server = await p.message((m) => m.type === "message" && m.from === "server");
    expect(server).toMatchObject({ dataType: "binary" });
    expect([...(server as { data: Uint8Array }).data]).toEqual([1, 2]);
    p.send({ type: "ping" });
    await p.message((m) => m.type === "pong");
    p.send({ type: "joinGroup", group: "x", ackId: 2 });
    expect(await p.message((m) => m.type === "ack" && m.ackId === 2 && !m.success)).toMatchObject({
      error: { name: "Duplicate" },
    });
  });

  it("answers Forbidden without permission and closes on text frames (1003) and garbage (1007)", async () => {
    const h = hub();
    const p = await protoClient(h);
    p.send({ type: "joinGroup", group: "g", ackId: 1 });
    expect(await p.message((m) => m.type === "ack")).toMatchObject({ success: false, error: { name: "Forbidden" } });
    p.raw.ws.send("text");
    expect(await p.raw.closed).toBe(1003);
    const q = await protoClient(h);
    q.raw.ws.send(Buffer.from([0xff, 0xff, 0xff]));
    expect(await q.raw.closed).toBe(1007);
  });

  it("reliable protobuf: sequence ids, cumulative acks and recovery with replay", async () => {
    const h = hub();
    const p = await protoClient(h, RELIABLE_PROTOBUF, { "webpubsub.group": "g" });
    const token = p.connected.reconnectionToken!;
    expect(typeof token).toBe("string");
    for (let i = 1; i <= 4; i++) {
      await rest(emu, "POST", `/api/hubs/${h}/groups/g/:send`, { body: `m${i}`, contentType: "text/plain" });
    }
    await p.raw.until(() => p.decodeAll().filter((m) => m.type === "message").length === 4);
    expect(
      p
        .decodeAll()
        .filter((m) => m.type === "message")
        .map((m) => (m as { sequenceId?: number }).sequenceId),
    ).toEqual([1, 2, 3, 4]);
    p.send({ type: "sequenceAck", sequenceId: 2 });
    p.send({ type: "ping" });
    await p.message((m) => m.type === "pong");
    p.raw.ws.terminate();
    await p.raw.closed;
    const url = `${emu.endpoint.replace("http", "ws")}/client/hubs/${h}?awps_connection_id=${p.connected.connectionId}&awps_reconnection_token=${encodeURIComponent(token)}`;
    const r = new ProtoClient(url, RELIABLE_PROTOBUF);
    await r.raw.until(() => r.decodeAll().length === 3);
    expect(r.decodeAll()).toEqual([
      // the same session announced again (same id and token), then the replay
      expect.objectContaining({
        type: "system",
        event: "connected",
        connectionId: p.connected.connectionId,
        reconnectionToken: token,
      }),
      { type: "message", from: "group", group: "g", dataType: "text", data: "m3", sequenceId: 3 },
      { type: "message", from: "group", group: "g", dataType: "text", data: "m4", sequenceId: 4 },
    ]);
    await r.raw.close();
  });
});
