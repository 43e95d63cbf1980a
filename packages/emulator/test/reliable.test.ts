// json.reliable.webpubsub.azure.v1: sequence ids, cumulative acks, recovery after a network fault, and the ways a
// session ends for good.
import { startFaultProxy } from "@webpubsub/test-kit";
import { describe, expect, it } from "vitest";
import { clientToken, connect, hubNames, RELIABLE_PROTOCOL, rest, TestClient } from "./helpers/clients.ts";
import { counterWaiter } from "./helpers/counter-waiter.ts";
import { useEmulator } from "./helpers/use-emulator.ts";

const emu = useEmulator({
  recoveryWindowMs: 1500,
  log: process.env.DBG
    ? (l) => {
        if (!l.startsWith("REST")) console.log(l);
      }
    : undefined,
});

const hub = hubNames("rel");
const wsBase = () => emu.endpoint.replace("http", "ws");

function recoverUrl(base: string, h: string, c: { connectionId: string; token: string }): string {
  return `${base}/client/hubs/${h}?awps_connection_id=${encodeURIComponent(c.connectionId)}&awps_reconnection_token=${encodeURIComponent(c.token)}`;
}

async function reliable(h: string, claims = {}) {
  const c = await connect(emu, h, { protocol: RELIABLE_PROTOCOL, claims });
  const connected = c.messages[0]!;
  return Object.assign(c, { token: connected.reconnectionToken as string });
}

async function send(h: string, body: string, path = ":send") {
  expect((await rest(emu, "POST", `/api/hubs/${h}/${path}`, { body, contentType: "text/plain" })).status).toBe(202);
}

const dataMessages = (c: TestClient) => c.messages.filter((m) => m.type === "message");

/** A JSON client that publishes to group "g" without acks: far faster than one REST call per message. */
async function publisher(h: string) {
  const p = await connect(emu, h, { claims: { role: ["webpubsub.sendToGroup"] } });
  return {
    publish(from: number, to: number) {
      for (let i = from; i < to; i++) p.send({ type: "sendToGroup", group: "g", dataType: "text", data: String(i) });
    },
    close: () => p.close(),
  };
}

describe("reliable JSON subprotocol", () => {
  it("numbers data messages from 1 and carries a reconnectionToken in connected", async () => {
    const h = hub();
    const c = await reliable(h, { role: ["webpubsub.sendToGroup", "webpubsub.joinLeaveGroup"] });
    expect(c.messages[0]).toMatchObject({ type: "system", event: "connected", connectionId: c.connectionId });
    expect(typeof c.token).toBe("string");
    await send(h, "one");
    c.send({ type: "joinGroup", group: "g", ackId: 1 });
    await c.message((m) => m.ackId === 1);
    c.send({ type: "sendToGroup", group: "g", dataType: "text", data: "two", ackId: 2 });
    c.send({ type: "ping" });
    await c.message((m) => m.type === "pong");
    await c.until(() => dataMessages(c).length === 2);
    expect(dataMessages(c).map((m) => [m.sequenceId, m.data])).toEqual([
      [1, "one"],
      [2, "two"],
    ]);
    const acks = c.messages.filter((m) => m.type === "ack" || m.type === "pong");
    for (const a of acks) expect(a.sequenceId).toBeUndefined();
    // a plain JSON client of the same hub sees no sequenceId
    const plain = await connect(emu, h);
    await send(h, "three");
    expect((await plain.message((m) => m.data === "three")).sequenceId).toBeUndefined();
  });

  it("recovers after an abrupt drop: same connection, groups kept, a `connected` frame for the same session, then the unacked messages in order", async () => {
    const h = hub();
    const c = await reliable(h, { "webpubsub.group": "g" });
    for (let i = 1; i <= 5; i++) await send(h, `m${i}`, "groups/g/:send");
    await c.until(() => dataMessages(c).length === 5);
    c.send({ type: "sequenceAck", sequenceId: 3 });
    c.ws.terminate();
    await c.closed;
    await send(h, "m6", "groups/g/:send");
    expect((await rest(emu, "HEAD", `/api/hubs/${h}/connections/${c.connectionId}`)).status).toBe(200);
    const r = new TestClient(recoverUrl(wsBase(), h, c), RELIABLE_PROTOCOL);
    await r.opened;
    await r.until(() => r.messages.length >= 4);
    // first the session's own `connected` frame (same id and reconnection token: not a new connection)
    expect(r.messages[0]).toEqual({
      type: "system",
      event: "connected",
      userId: null,
      connectionId: c.connectionId,
      reconnectionToken: c.messages[0]!.reconnectionToken,
    });
    expect(r.messages.slice(1).map((m) => [m.sequenceId, m.data])).toEqual([
      [4, "m4"],
      [5, "m5"],
      [6, "m6"],
    ]);
    await send(h, "m7", "groups/g/:send");
    expect(await r.message((m) => m.data === "m7")).toMatchObject({ sequenceId: 7 });
    expect(r.messages.filter((m) => m.event === "connected")).toHaveLength(1);
    await r.close();
  });

  it("remembers ackIds across a recovery (Duplicate)", async () => {
    const h = hub();
    const c = await reliable(h, { role: ["webpubsub.joinLeaveGroup"] });
    c.send({ type: "joinGroup", group: "g", ackId: 42 });
    await c.message((m) => m.ackId === 42);
    c.ws.terminate();
    await c.closed;
    const r = new TestClient(`${recoverUrl(wsBase(), h, c)}&access_token=${clientToken(emu, h)}`, RELIABLE_PROTOCOL);
    await r.opened;
    r.send({ type: "joinGroup", group: "g", ackId: 42 });
    expect(await r.message((m) => m.ackId === 42)).toMatchObject({ success: false, error: { name: "Duplicate" } });
    await r.close();
  });

  it.each([
    [
      "a forged token",
      async (h: string, c: Awaited<ReturnType<typeof reliable>>) => ({ ...c, token: `${c.token}x`, h }),
    ],
    [
      "an unknown connection id",
      async (h: string, c: Awaited<ReturnType<typeof reliable>>) => ({ ...c, connectionId: "nope", h }),
    ],
    [
      "a session closed by the client (1000)",
      async (h: string, c: Awaited<ReturnType<typeof reliable>>) => {
        await c.close();
        return { ...c, h };
      },
    ],
    [
      "a session closed over REST",
      async (h: string, c: Awaited<ReturnType<typeof reliable>>) => {
        await rest(emu, "DELETE", `/api/hubs/${h}/connections/${c.connectionId}`);
        await c.closed;
        expect(c.closeCode).toBe(1000);
        return { ...c, h };
      },
    ],
    [
      "an expired recovery window",
      async (h: string, c: Awaited<ReturnType<typeof reliable>>) => {
        c.ws.terminate();
        await c.closed;
        const deadline = Date.now() + 30_000; // a hang detector: the loop ends as soon as the session is gone
        while ((await rest(emu, "HEAD", `/api/hubs/${h}/connections/${c.connectionId}`)).status === 200) {
          if (Date.now() > deadline) throw new Error("session did not expire");
          await new Promise((r) => setTimeout(r, 100));
        }
        return { ...c, h };
      },
    ],
  ])("accepts then closes with 1008 a recovery with %s", async (_name, prepare) => {
    const h = hub();
    const c = await reliable(h);
    const target = await prepare(h, c);
    const r = new TestClient(recoverUrl(wsBase(), target.h, target), RELIABLE_PROTOCOL);
    await r.opened;
    expect(await r.closed).toBe(1008);
  });

  it("closes with 1008, unrecoverably, when more than 1000 messages stay unacked", async () => {
    const h = hub();
    const c = await reliable(h, { "webpubsub.group": "g" });
    const p = await publisher(h);
    p.publish(0, 1000);
    await c.until(() => dataMessages(c).length === 1000, 10_000);
    expect(c.closeCode).toBeUndefined();
    p.publish(1000, 1001);
    expect(await c.closed).toBe(1008);
    await p.close();
    expect((await rest(emu, "HEAD", `/api/hubs/${h}/connections/${c.connectionId}`)).status).toBe(404);
    const r = new TestClient(recoverUrl(wsBase(), h, c), RELIABLE_PROTOCOL);
    await r.opened;
    expect(await r.closed).toBe(1008);
  });

  it("keeps a steadily acking client under the buffer limit", async () => {
    const h = hub();
    const c = await reliable(h, { "webpubsub.group": "g" });
    const p = await publisher(h);
    for (let i = 0; i < 1500; i += 500) {
      p.publish(i, i + 500);
      await c.until(() => dataMessages(c).length === i + 500, 10_000);
      c.send({ type: "sequenceAck", sequenceId: i + 500 });
    }
    await send(h, "after", "groups/g/:send");
    await c.message((m) => m.data === "after");
    expect(c.closeCode).toBeUndefined();
    await p.close();
  });
});

describe("recovery through a network fault", () => {
  it("delivers 10,000 group messages exactly once and in order across a cut connection", async () => {
    const proxy = await startFaultProxy(emu.port);
    const port = proxy.port;
    // the token's audience is the emulator's endpoint; the proxy only forwards bytes, so keep the Host header
    const headers = { host: `127.0.0.1:${emu.port}` };
    const h = hub();
    const base = `ws://127.0.0.1:${port}`;
    const first = new TestClient(
      `${base}/client/hubs/${h}?access_token=${clientToken(emu, h, { "webpubsub.group": "g" })}`,
      RELIABLE_PROTOCOL,
      headers,
    );
    const connected = await first.message((m) => m.event === "connected");
    const ids = { connectionId: connected.connectionId as string, token: connected.reconnectionToken as string };
    const received: number[] = [];
    let last = 0;
    const arrivals = counterWaiter(() => received.length, 10_000, "messages");
    /** resolves once the receiver has seen at least `count` messages */
    const seen = (count: number) => arrivals.atLeast(count);
    const attach = (c: TestClient) => {
      let acked = 0;
      c.ws.on("message", (data: Buffer) => {
        const m = JSON.parse(data.toString());
        if (m.type !== "message") return;
        if (m.sequenceId > last) {
          // anything at or below `last` is a replayed duplicate: dropped, but still acknowledged below
          last = m.sequenceId;
          received.push(Number(m.data));
          arrivals.notify();
        }
        if (last - acked >= 25) {
          acked = last;
          c.send({ type: "sequenceAck", sequenceId: last });
        }
      });
    };
    attach(first);
    const total = 10_000;
    const pub = await publisher(h);
    // one sender over one connection: the emulator must deliver in exactly this order
    const publishing = (async () => {
      // flow control like a real publisher: stay within the 1000-message unacked window of the receiver
      for (let i = 0; i < total; i += 100) {
        pub.publish(i, i + 100);
        await seen(i);
      }
    })();
    await seen(2000);
    proxy.cutAll();
    await first.closed;
    const second = new TestClient(recoverUrl(base, h, ids), RELIABLE_PROTOCOL, headers);
    attach(second);
    await second.opened;
    await publishing;
    await second.until(() => received.length >= total, 20_000, "all messages");
    expect(received).toEqual(Array.from({ length: total }, (_, i) => i));
    await pub.close();
    // the recovered socket announced the same session once, before any replayed message
    expect(second.messages.filter((m) => m.event === "connected")).toEqual([
      expect.objectContaining({ connectionId: ids.connectionId, reconnectionToken: ids.token }),
    ]);
    expect(second.messages[0]).toMatchObject({ type: "system", event: "connected" });
    await second.close();
    await proxy.close();
  }, 60_000);
});
