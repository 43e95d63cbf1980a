import { describe, expect, it } from "vitest";
import { startEmulator } from "../src/index.ts";
import { ALL_GROUP_ROLES as ALL, clientToken, connect, hubNames, rest, TestClient } from "./helpers/clients.ts";
import { useEmulator } from "./helpers/use-emulator.ts";

const emu = useEmulator();

const hub = hubNames("msg");

async function ackOf(c: TestClient, msg: Record<string, unknown>): Promise<Record<string, unknown>> {
  c.send(msg);
  return c.message((m) => m.type === "ack" && m.ackId === msg.ackId, `ack ${String(msg.ackId)}`);
}

describe("json.webpubsub.azure.v1", () => {
  it("joins, leaves, publishes with noEcho and delivers every data type", async () => {
    const h = hub();
    const a = await connect(emu, h, { claims: { sub: "alice", role: ALL } });
    const b = await connect(emu, h, { claims: { sub: "bob", role: ALL } });
    expect(await ackOf(a, { type: "joinGroup", group: "room", ackId: 1 })).toEqual({
      type: "ack",
      ackId: 1,
      success: true,
    });
    expect(await ackOf(b, { type: "joinGroup", group: "room", ackId: 1 })).toMatchObject({ success: true });
    await ackOf(a, { type: "sendToGroup", group: "room", ackId: 2, dataType: "text", data: "t" });
    await ackOf(a, { type: "sendToGroup", group: "room", ackId: 3, data: { j: true } });
    await ackOf(a, { type: "sendToGroup", group: "room", ackId: 4, dataType: "binary", data: "AQID" });
    await ackOf(a, { type: "sendToGroup", group: "room", ackId: 5, dataType: "text", data: "quiet", noEcho: true });
    await b.until(() => b.messages.filter((m) => m.type === "message").length >= 4);
    expect(b.messages.filter((m) => m.type === "message")).toEqual([
      { type: "message", from: "group", group: "room", fromUserId: "alice", dataType: "text", data: "t" },
      { type: "message", from: "group", group: "room", fromUserId: "alice", dataType: "json", data: { j: true } },
      { type: "message", from: "group", group: "room", fromUserId: "alice", dataType: "binary", data: "AQID" },
      { type: "message", from: "group", group: "room", fromUserId: "alice", dataType: "text", data: "quiet" },
    ]);
    expect(a.messages.filter((m) => m.type === "message").map((m) => m.data)).toEqual(["t", { j: true }, "AQID"]);
    expect(await ackOf(b, { type: "leaveGroup", group: "room", ackId: 2 })).toMatchObject({ success: true });
    await ackOf(a, { type: "sendToGroup", group: "room", ackId: 6, dataType: "text", data: "after-leave" });
    await a.message((m) => m.data === "after-leave");
    await rest(emu, "POST", `/api/hubs/${h}/:send`, { body: "sync", contentType: "text/plain" });
    await b.message((m) => m.data === "sync");
    expect(b.messages.some((m) => m.data === "after-leave")).toBe(false);
  });

  it("does not require membership to publish, and fire-and-forget messages get no ack", async () => {
    const h = hub();
    const pub = await connect(emu, h, { claims: { role: ["webpubsub.sendToGroup"] } });
    const sub = await connect(emu, h, { claims: { "webpubsub.group": "g" } });
    pub.send({ type: "sendToGroup", group: "g", dataType: "text", data: "no-ack" });
    await sub.message((m) => m.data === "no-ack");
    pub.send({ type: "ping" });
    await pub.message((m) => m.type === "pong");
    expect(pub.messages.some((m) => m.type === "ack")).toBe(false);
  });

  it("enforces roles: none, per-group and wildcard", async () => {
    const h = hub();
    const none = await connect(emu, h);
    expect(await ackOf(none, { type: "joinGroup", group: "g", ackId: 1 })).toMatchObject({
      success: false,
      error: { name: "Forbidden" },
    });
    expect(await ackOf(none, { type: "sendToGroup", group: "g", ackId: 2, data: 1 })).toMatchObject({
      error: { name: "Forbidden" },
    });
    const per = await connect(emu, h, { claims: { role: ["webpubsub.joinLeaveGroup.g", "webpubsub.sendToGroup.g"] } });
    expect(await ackOf(per, { type: "joinGroup", group: "g", ackId: 1 })).toMatchObject({ success: true });
    expect(await ackOf(per, { type: "joinGroup", group: "h", ackId: 2 })).toMatchObject({ success: false });
    expect(await ackOf(per, { type: "sendToGroup", group: "g", ackId: 3, data: 1 })).toMatchObject({ success: true });
    const wild = await connect(emu, h, {
      claims: { role: ["webpubsub.joinLeaveGroups.room.*", "webpubsub.sendToGroups.**"] },
    });
    expect(await ackOf(wild, { type: "joinGroup", group: "room.1", ackId: 1 })).toMatchObject({ success: true });
    expect(await ackOf(wild, { type: "joinGroup", group: "room.1.x", ackId: 2 })).toMatchObject({ success: false });
    expect(await ackOf(wild, { type: "sendToGroup", group: "any.thing", ackId: 3, data: 1 })).toMatchObject({
      success: true,
    });
  });

  it("answers Duplicate for a reused successful ackId without re-executing, and allows retrying a failed one", async () => {
    const h = hub();
    const a = await connect(emu, h, { claims: { role: ["webpubsub.sendToGroup"] } });
    const sub = await connect(emu, h, { claims: { "webpubsub.group": "g" } });
    await ackOf(a, { type: "sendToGroup", group: "g", ackId: 7, dataType: "text", data: "once" });
    a.send({ type: "sendToGroup", group: "g", ackId: 7, dataType: "text", data: "twice" });
    const acks = await a.until(() => {
      const l = a.messages.filter((m) => m.ackId === 7);
      return l.length === 2 ? l : undefined;
    });
    expect(acks[1]).toEqual({
      type: "ack",
      ackId: 7,
      success: false,
      error: { name: "Duplicate", message: "Message with ack-id: 7 has been processed." },
    });
    await rest(emu, "POST", `/api/hubs/${h}/:send`, { body: "sync", contentType: "text/plain" });
    await sub.message((m) => m.data === "sync");
    expect(sub.messages.filter((m) => m.data === "once" || m.data === "twice").map((m) => m.data)).toEqual(["once"]);
    expect(await ackOf(a, { type: "joinGroup", group: "g", ackId: 8 })).toMatchObject({ error: { name: "Forbidden" } });
    await rest(emu, "PUT", `/api/hubs/${h}/permissions/joinLeaveGroup/connections/${a.connectionId}?targetName=g`);
    a.send({ type: "joinGroup", group: "g", ackId: 8 });
    await a.until(() => a.messages.filter((m) => m.ackId === 8).length === 2);
    expect(a.messages.filter((m) => m.ackId === 8)[1]).toMatchObject({ success: true });
  });

  it.each([
    ["a missing group", { type: "joinGroup", ackId: 1 }],
    ["a blank group", { type: "leaveGroup", group: "  ", ackId: 1 }],
    ["text data that is not a string", { type: "sendToGroup", group: "g", ackId: 1, dataType: "text", data: 5 }],
    ["binary data that is not base64", { type: "sendToGroup", group: "g", ackId: 1, dataType: "binary", data: "@@" }],
    ["an unknown dataType", { type: "sendToGroup", group: "g", ackId: 1, dataType: "xml", data: "<a/>" }],
    ["an invalid event name", { type: "event", event: "has space", ackId: 1, dataType: "text", data: "x" }],
    ["metadata that is not a string map", { type: "sendToGroup", group: "g", ackId: 1, data: 1, metadata: { a: 1 } }],
  ])("answers BadRequest for %s", async (_name, msg) => {
    const c = await connect(emu, hub(), { claims: { role: ALL } });
    expect(await ackOf(c, msg)).toMatchObject({ success: false, error: { name: "BadRequest" } });
  });

  it("answers InternalServerError to an event with no event handler", async () => {
    const c = await connect(emu, hub());
    expect(await ackOf(c, { type: "event", event: "chat", ackId: 1, dataType: "text", data: "hi" })).toMatchObject({
      success: false,
      error: { name: "InternalServerError" },
    });
  });

  it.each([
    ["a binary frame", Buffer.from([1, 2, 3]), 1003],
    ["invalid JSON", "{nope", 1007],
    ["a JSON array", "[1]", 1007],
    ["an unknown type", '{"type":"dance"}', 1007],
    ["an ackId that is not an integer", '{"type":"joinGroup","group":"g","ackId":"1"}', 1007],
  ])("closes on %s with %i, and keeps serving others", async (_name, frame, code) => {
    const h = hub();
    const bad = await connect(emu, h);
    const good = await connect(emu, h);
    bad.ws.send(frame);
    expect(await bad.closed).toBe(code);
    expect(bad.messages.at(-1)).toMatchObject({ type: "system", event: "disconnected" });
    expect((await rest(emu, "HEAD", `/api/hubs/${h}/connections/${bad.connectionId}`)).status).toBe(404);
    await rest(emu, "POST", `/api/hubs/${h}/:send`, { body: "still", contentType: "text/plain" });
    await good.message((m) => m.data === "still");
  });

  it("closes with 1009 on a frame over 1 MB and accepts one of exactly 1 MiB", async () => {
    const h = hub();
    const c = await connect(emu, h, { claims: { role: ALL } });
    const fits = JSON.stringify({ type: "sendToGroup", group: "g", dataType: "text", data: "" });
    c.send(fits.replace('"data":""', `"data":"${"x".repeat(1024 * 1024 - fits.length)}"`));
    c.send({ type: "ping" });
    await c.message((m) => m.type === "pong");
    c.ws.send("x".repeat(1024 * 1024 + 1));
    expect(await c.closed).toBe(1009);
    expect((await rest(emu, "HEAD", `/api/hubs/${h}/connections/${c.connectionId}`)).status).toBe(404);
  });

  it("ignores sequenceAck on the non-reliable protocol", async () => {
    const c = await connect(emu, hub());
    c.send({ type: "sequenceAck", sequenceId: 3 });
    c.send({ type: "ping" });
    await c.message((m) => m.type === "pong");
  });
});

describe("simple WebSocket clients", () => {
  it("receive raw frames and, in sendToGroup mode, publish every frame to the group", async () => {
    const h = hub();
    const member = await connect(emu, h, { claims: { "webpubsub.group": "g" } });
    const token = clientToken(emu, h, { role: ["webpubsub.sendToGroup.g"], "webpubsub.group": "g" });
    const base = `${emu.endpoint.replace("http", "ws")}/client/hubs/${h}?access_token=${token}`;
    const publisher = new TestClient(`${base}&webpubsub_mode=sendToGroup&group=g`);
    const quiet = new TestClient(`${base}&webpubsub_mode=sendToGroup&group=g&noEcho=true`);
    await publisher.opened;
    await quiet.opened;
    publisher.ws.send("text frame");
    publisher.ws.send(Buffer.from([9, 8]));
    quiet.ws.send("from quiet");
    await member.until(() => member.messages.filter((m) => m.type === "message").length >= 3);
    const got = member.messages.filter((m) => m.type === "message");
    expect(got).toContainEqual({
      type: "message",
      from: "group",
      group: "g",
      fromUserId: null,
      dataType: "text",
      data: "text frame",
    });
    expect(got).toContainEqual({
      type: "message",
      from: "group",
      group: "g",
      fromUserId: null,
      dataType: "binary",
      data: "CQg=",
    });
    await publisher.until(() => publisher.frames.some((f) => f.data === "from quiet"));
    expect(publisher.frames.find((f) => f.binary)?.data).toEqual(Buffer.from([9, 8]));
    await rest(emu, "POST", `/api/hubs/${h}/groups/g/:send`, { body: "sync", contentType: "text/plain" });
    await quiet.until(() => quiet.frames.some((f) => f.data === "sync"));
    expect(quiet.frames.some((f) => f.data === "from quiet")).toBe(false);
  });

  it("without permission, sendToGroup-mode frames are dropped", async () => {
    const h = hub();
    const member = await connect(emu, h, { claims: { "webpubsub.group": "g" } });
    const token = clientToken(emu, h);
    const c = new TestClient(
      `${emu.endpoint.replace("http", "ws")}/client/hubs/${h}?access_token=${token}&webpubsub_mode=sendToGroup&group=g`,
    );
    await c.opened;
    c.ws.send("should not arrive");
    await rest(emu, "POST", `/api/hubs/${h}/groups/g/:send`, { body: "sync", contentType: "text/plain" });
    await member.message((m) => m.data === "sync");
    expect(member.messages.some((m) => m.data === "should not arrive")).toBe(false);
  });

  it("in sendEvent mode with no event handler, a frame closes the connection with 1011", async () => {
    const c = await connect(emu, hub(), { protocol: null });
    c.ws.send("hello");
    expect(await c.closed).toBe(1011);
  });

  it("a REST close ends a simple client with 1000", async () => {
    const h = hub();
    const c = await connect(emu, h, { protocol: null, claims: { sub: "s" } });
    await rest(emu, "POST", `/api/hubs/${h}/users/s/:closeConnections`);
    expect(await c.closed).toBe(1000);
    expect(c.frames).toEqual([]);
  });
});

describe("slow consumers", () => {
  // Event-driven, no wall-clock margins: send 512 KB messages one at a time until the emulator has dropped the client
  // that stopped reading. Its TCP buffers hold a few MB at most, so the socket's own queue must pass the 256 KB limit
  // after a bounded number of sends, however slow the machine; then every message sent reached the reading client.
  it("closes a connection whose send buffer overflows without affecting others", async () => {
    const slowEmu = await startEmulator({ maxBufferedBytesPerConnection: 256 * 1024 });
    try {
      const fast = await connect(slowEmu, "slow", { claims: { "webpubsub.group": "g" } });
      const slow = await connect(slowEmu, "slow", { claims: { "webpubsub.group": "g" } });
      // stop reading: the kernel buffers fill, then the emulator's per-connection buffer does
      (slow.ws as unknown as { _socket: { pause(): void } })._socket.pause();
      const chunk = "x".repeat(512 * 1024);
      let sent = 0;
      for (; sent < 400; ) {
        const r = await rest(slowEmu, "POST", "/api/hubs/slow/groups/g/:send", {
          body: `${sent}:${chunk}`,
          contentType: "text/plain",
        });
        expect(r.status).toBe(202);
        sent++;
        if ((await rest(slowEmu, "HEAD", `/api/hubs/slow/connections/${slow.connectionId}`)).status === 404) break;
      }
      expect(sent).toBeLessThan(400);
      await fast.until(() => fast.messages.filter((m) => m.type === "message").length === sent, 60_000, "all messages");
      expect((await rest(slowEmu, "HEAD", `/api/hubs/slow/connections/${fast.connectionId}`)).status).toBe(200);
    } finally {
      await slowEmu.close();
    }
  }, 120_000);
});
