// Fault tests: the client behind a fault-injecting TCP proxy in front of the emulator.
import { startEmulator } from "@webpubsub/emulator";
import { type FaultProxy, startFaultProxy } from "@webpubsub/test-kit";
import { afterEach, describe, expect, it } from "vitest";
import { WebPubSubClient, type WebPubSubClientOptions } from "../src/index.ts";
import { clientUrl, rest } from "./emulator-helpers.ts";
import { nextEvent } from "./fake-socket.ts";
import { protocolOption } from "./protocol-names.ts";

const HUB = "faults";
const ROLES = ["webpubsub.joinLeaveGroup", "webpubsub.sendToGroup"];
const cleanup: (() => Promise<unknown>)[] = [];

afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

async function emulator(port = 0) {
  const emu = await startEmulator({ port });
  let closed = false;
  cleanup.push(() => (closed ? Promise.resolve() : emu.close()));
  return {
    ...emu,
    close: async () => {
      closed = true;
      await emu.close();
    },
  };
}

async function proxy(port: number): Promise<FaultProxy> {
  const p = await startFaultProxy(port);
  cleanup.push(() => p.close());
  return p;
}

/** A client connecting through the proxy (its tokens name the proxy's address as audience). */
function clientVia(p: FaultProxy, accessKey: string, options: WebPubSubClientOptions = {}, userId = "receiver") {
  const endpoint = `http://127.0.0.1:${p.port}`;
  const client = new WebPubSubClient(
    { getClientAccessUrl: () => clientUrl(endpoint, accessKey, HUB, { userId, roles: ROLES }) },
    { reconnectRetryOptions: { retryDelayInMs: 20, maxRetryDelayInMs: 200 }, ...options },
  );
  cleanup.push(() => client.stop());
  return client;
}

/** A client straight on the emulator (no proxy) as "watcher", started and in `group`. */
async function watcherIn(emu: { endpoint: string; accessKey: string }, group: string): Promise<WebPubSubClient> {
  const watcher = new WebPubSubClient(
    await clientUrl(emu.endpoint, emu.accessKey, HUB, { userId: "watcher", roles: ROLES }),
  );
  cleanup.push(() => watcher.stop());
  await watcher.start();
  await watcher.joinGroup(group);
  return watcher;
}

describe("fault injection", () => {
  it.each(["json.reliable", "protobuf.reliable"] as const)(
    "10,000 messages over %s with the connection killed repeatedly arrive exactly once, in order",
    async (protocol) => {
      const emu = await emulator();
      const p = await proxy(emu.port);
      const receiver = clientVia(p, emu.accessKey, { protocol: protocolOption(protocol) });
      const received: number[] = [];
      const waiters: (() => void)[] = [];
      receiver.on("group-message", (e) => {
        received.push(e.message.data as number);
        for (const w of waiters.splice(0)) w();
      });
      const events: string[] = [];
      for (const name of ["recovering", "recovered", "disconnected", "connected"] as const) {
        receiver.on(name, () => events.push(name));
      }
      await receiver.start();
      await receiver.joinGroup("stream");
      const connectionId = receiver.connectionId;

      // The sender talks to the emulator directly; it keeps at most 400 messages ahead of the receiver so the service's
      // per-connection buffer (1000 messages) never overflows while the receiver is recovering.
      const sender = new WebPubSubClient(
        await clientUrl(emu.endpoint, emu.accessKey, HUB, { userId: "sender", roles: ROLES }),
        { protocol: "json" },
      );
      cleanup.push(() => sender.stop());
      await sender.start();

      const TOTAL = 10_000;
      const waitForReceived = (n: number) =>
        new Promise<void>((resolve, reject) => {
          const t = setTimeout(() => reject(new Error(`stuck at ${received.length} received (want ${n})`)), 20_000);
          const check = () => {
            if (received.length >= n) {
              clearTimeout(t);
              resolve();
            } else waiters.push(check);
          };
          check();
        });

      let kills = 0;
      receiver.on("group-message", () => {
        // Kill the receiver's TCP connection every 1000 messages (both directions reset: an abnormal drop).
        if (received.length % 1000 === 500) {
          kills++;
          p.cutAll();
        }
      });
      for (let i = 0; i < TOTAL; i += 100) {
        await waitForReceived(i - 300);
        const batch: Promise<unknown>[] = [];
        for (let j = i; j < i + 100; j++) batch.push(sender.sendToGroup("stream", j, "json"));
        await Promise.all(batch);
      }
      await waitForReceived(TOTAL);
      // Give a replay a chance to show up as a duplicate before asserting.
      const late = nextEvent(receiver, "group-message", 300).then(
        () => true,
        () => false,
      );
      expect(await late).toBe(false);

      expect(kills).toBe(10);
      expect(received).toHaveLength(TOTAL);
      expect(received.every((v, i) => v === i)).toBe(true);
      expect(receiver.connectionId).toBe(connectionId); // every drop was recovered, never a new connection
      expect(events.filter((e) => e === "recovered")).toHaveLength(kills);
      expect(events).not.toContain("disconnected");
      expect(p.accepted).toBe(1 + kills);
    },
    60_000,
  );

  it("sends whose acks were lost with the connection are resent with their ackIds and run exactly once", async () => {
    const emu = await emulator();
    const p = await proxy(emu.port);
    const sender = clientVia(p, emu.accessKey, {}, "sender");
    await sender.start();
    const receiver = await watcherIn(emu, "acked");
    const received: number[] = [];
    let waiter: (() => void) | undefined;
    receiver.on("group-message", (e) => {
      received.push(e.message.data as number);
      waiter?.();
    });
    const receivedAtLeast = (n: number) =>
      new Promise<void>((resolve) => {
        waiter = () => received.length >= n && resolve();
        waiter();
      });

    const ROUNDS = 5;
    const BATCH = 50;
    let duplicates = 0;
    for (let round = 0; round < ROUNDS; round++) {
      // The service processes the whole batch, but every ack is held in the proxy and then lost with the connection.
      p.stallOpen("toClient");
      const batch: Promise<{ isDuplicated: boolean }>[] = [];
      for (let j = 0; j < BATCH; j++) batch.push(sender.sendToGroup("acked", round * BATCH + j, "json"));
      await receivedAtLeast((round + 1) * BATCH);
      p.cutAll();
      for (const r of await Promise.all(batch)) if (r.isDuplicated) duplicates++;
    }
    // One more message proves nothing else is still on its way.
    await sender.sendToGroup("acked", ROUNDS * BATCH, "json");
    await receivedAtLeast(ROUNDS * BATCH + 1);
    expect(received).toEqual(Array.from({ length: ROUNDS * BATCH + 1 }, (_, i) => i));
    expect(duplicates).toBe(ROUNDS * BATCH); // every resend was recognised by its ackId
    expect(p.accepted).toBe(1 + ROUNDS);
  }, 60_000);

  it("a stalled connection is detected by keep-alive and recovered without losing messages", async () => {
    const emu = await emulator();
    const p = await proxy(emu.port);
    const receiver = clientVia(p, emu.accessKey, { keepAliveIntervalInMs: 100, keepAliveTimeoutInMs: 500 });
    const received: string[] = [];
    receiver.on("group-message", (e) => received.push(e.message.data as string));
    await receiver.start();
    await receiver.joinGroup("stalled");
    const connectionId = receiver.connectionId;
    const send = (text: string) =>
      rest(emu.endpoint, emu.accessKey, "POST", `${HUB}/groups/stalled/:send`, {
        contentType: "text/plain",
        data: text,
      });

    const first = nextEvent(receiver, "group-message");
    await send("before");
    await first;
    // Generous timeouts: detection takes keepAliveTimeoutInMs (500 ms) on an idle machine, longer on a busy one.
    const recovering = nextEvent(receiver, "recovering", 15_000);
    const recovered = nextEvent(receiver, "recovered", 15_000);
    p.stallOpen(); // the TCP connection stays up, but nothing gets through any more
    await send("during"); // stuck in the proxy: the service must replay it after recovery
    // No close reaches either side and the emulator's own keep-alive needs 20 s: only the client's keep-alive can
    // notice within these timeouts (its exact timing is tested on a fake clock in reliability.test.ts).
    await recovering;
    await recovered;
    expect(receiver.connectionId).toBe(connectionId);

    const after = nextEvent(receiver, "group-message");
    await send("after");
    await after;
    if (received.length < 3) await nextEvent(receiver, "group-message");
    expect(received).toEqual(["before", "during", "after"]);
  }, 30_000);

  it.each(["the session was closed over REST while the network was down", "the reconnection token is forged"] as const)(
    "a rejected recovery (%s) is never reported as recovered: disconnected, new connection, groups rejoined",
    async (scenario) => {
      const emu = await emulator();
      const p = await proxy(emu.port);
      const forge = scenario === "the reconnection token is forged";
      const client = clientVia(p, emu.accessKey, {
        // The forging factory keeps the URL's shape: the service sees a token that is not the session's.
        webSocketFactory: (url, protocols) => {
          const u = new URL(url);
          if (forge && u.searchParams.has("awps_reconnection_token"))
            u.searchParams.set("awps_reconnection_token", "x");
          return new WebSocket(u.toString(), protocols);
        },
      });
      const events: string[] = [];
      for (const name of ["recovering", "recovered", "disconnected", "connected"] as const) {
        client.on(name, () => events.push(name));
      }
      const received: string[] = [];
      let notify = () => {};
      client.on("group-message", (e) => {
        received.push(e.message.data as string);
        notify();
      });
      await client.start();
      await client.joinGroup("room");
      const firstId = client.connectionId as string;
      events.length = 0;

      // A watcher straight on the emulator sees what the client publishes.
      const watcher = await watcherIn(emu, "room");
      const watched: string[] = [];
      watcher.on("group-message", (e) => {
        if (e.message.fromUserId === "receiver") watched.push(e.message.data as string);
        notify();
      });

      const recovering = nextEvent(client, "recovering", 10_000);
      const disconnected = nextEvent(client, "disconnected", 10_000);
      const connected = nextEvent(client, "connected", 10_000);
      if (!forge) p.refuseNew(true);
      p.cutAll();
      await recovering;
      // Published while recovering: it waits, and must not be written to a socket the service is about to refuse.
      const pending = client.sendToGroup("room", "while-recovering", "text");
      if (!forge) {
        await rest(emu.endpoint, emu.accessKey, "DELETE", `${HUB}/connections/${firstId}?reason=gone`);
        p.refuseNew(false); // the next recovery attempt reaches the service, which refuses it with 1008
      }
      expect(await disconnected).toMatchObject({ connectionId: firstId, code: 1008 });
      const c = await connected; // fires after the groups were rejoined
      expect(c.connectionId).not.toBe(firstId);
      expect(client.connectionId).toBe(c.connectionId);
      expect(events).toEqual(["recovering", "disconnected", "connected"]);
      expect(await pending).toMatchObject({ isDuplicated: false });

      // Nothing is lost on the new connection, in either direction.
      const N = 50;
      for (let i = 0; i < N; i++) {
        await rest(emu.endpoint, emu.accessKey, "POST", `${HUB}/groups/room/:send`, {
          contentType: "text/plain",
          data: `in-${i}`,
        });
      }
      await Promise.all(Array.from({ length: N }, (_, i) => client.sendToGroup("room", `out-${i}`, "text")));
      const want = Array.from({ length: N }, (_, i) => `in-${i}`);
      const wantOut = ["while-recovering", ...Array.from({ length: N }, (_, i) => `out-${i}`)];
      // Every message has arrived, or 20 s passed (then the assertions below show what is missing).
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 20_000);
        notify = () => {
          if (received.filter((m) => m.startsWith("in-")).length >= N && watched.length >= wantOut.length) {
            clearTimeout(timer);
            resolve();
          }
        };
        notify();
      });
      expect(received.filter((m) => m.startsWith("in-"))).toEqual(want);
      expect(watched).toEqual(wantOut);
      expect(events).toEqual(["recovering", "disconnected", "connected"]);
    },
    30_000,
  );

  it("when the service restarts, the client reconnects as a new connection and rejoins its groups", async () => {
    const emu1 = await emulator();
    const p = await proxy(emu1.port);
    const receiver = clientVia(p, emu1.accessKey);
    await receiver.start();
    await receiver.joinGroup("survivors");
    const firstId = receiver.connectionId;

    const emu2 = await emulator();
    p.retarget(emu2.port);
    const disconnected = nextEvent(receiver, "disconnected", 10_000);
    const connected = nextEvent(receiver, "connected", 10_000);
    await emu1.close(); // the old service goes away; recovery against the new one is rejected
    await disconnected;
    const c = await connected; // after the rejoin
    expect(c.connectionId).not.toBe(firstId);

    const got = nextEvent(receiver, "group-message");
    await rest(emu2.endpoint, emu2.accessKey, "POST", `${HUB}/groups/survivors/:send`, {
      contentType: "text/plain",
      data: "welcome back",
    });
    expect((await got).message.data).toBe("welcome back");
  }, 30_000);
});
