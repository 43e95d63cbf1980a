// Reconnect storms: a service (or an app's event handler) that accepts every connection and closes it right after
// `connected` must see attempts at growing, jittered intervals, never a loop. Real sockets (a `ws` server, the emulator),
// fake time: the waits the client chose are read off the fake clock, so nothing depends on how busy the machine is.
import type { AddressInfo } from "node:net";
import { startEmulator } from "@webpubsub/emulator";
import { afterEach, describe, expect, it, vi } from "vitest";
import { WebSocketServer } from "ws";
import { WebPubSubClient, type WebPubSubClientOptions } from "../src/index.ts";
import { ReconnectBackoff } from "../src/reconnect-backoff.ts";
import { clientUrl, rest } from "./emulator-helpers.ts";
import { FAKE_TIMERS, runFakeTime, SocketLog } from "./fake-time-sockets.ts";

const BASE = 500; // the default reconnectRetryOptions
const CAP = 30_000;
/** The longest wait before attempt k (1-based) of a kick loop: the k-th short-lived connection in a row doubles it. */
const longest = (k: number) => Math.min(CAP, BASE * 2 ** k);
/** With jitter a wait is drawn in [50%, 100%] of that (rounded). */
const shortest = (k: number) => Math.round(longest(k) / 2);
/**
 * The README's worst case with the defaults: waits of at least 0.5, 1, 2, 4, 8, then 15 s, so the start plus 5
 * connections by 15.5 s, then one per 15 s at most.
 */
const mostConnections = (ms: number) => 6 + Math.max(0, Math.floor((ms - 15_500) / 15_000));

/**
 * Every wait is at least shortest(n) after the n-th connection that came up and was closed: checked for each socket,
 * against the connections confirmed before it (a recovery and a new connection may follow one kick, each waiting).
 */
function expectWaitsGrow(log: SocketLog, what: string) {
  log.gaps.forEach((gap, i) => {
    const kicks = log.confirmedBefore[i + 1] as number;
    expect(gap, `${what}: wait before socket ${i + 1}, after ${kicks} kicks`).toBeGreaterThanOrEqual(shortest(kicks));
  });
}

type Kick = 1000 | 1008 | 1011 | "destroy";

const cleanup: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  vi.useRealTimers();
  vi.restoreAllMocks();
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

/**
 * A service that accepts every connection (new or recovery), sends `connected` (a recovery gets its own connection id
 * back, as a token refresh) and then, unless told to hold it, closes it at once: with a close code, or by destroying
 * the TCP socket (an abrupt drop, 1006 at the client).
 */
async function kickingServer(kick: Kick) {
  const server = new WebSocketServer({ port: 0, host: "127.0.0.1" });
  await new Promise<void>((resolve) => server.once("listening", resolve));
  cleanup.push(() => new Promise((resolve) => server.close(resolve)));
  let accepted = 0;
  let hold = false;
  const held: import("ws").WebSocket[] = [];
  const kickOne = (ws: import("ws").WebSocket) => (kick === "destroy" ? ws.terminate() : ws.close(kick, "kicked"));
  server.on("connection", (ws, req) => {
    accepted++;
    const url = new URL(req.url ?? "/", "http://localhost");
    const connectionId = url.searchParams.get("awps_connection_id") ?? `conn-${accepted}`;
    const connected = { type: "system", event: "connected", connectionId, userId: "u", reconnectionToken: "tok" };
    ws.send(JSON.stringify(connected), () => {
      if (hold) held.push(ws);
      else kickOne(ws);
    });
  });
  return {
    url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}/client/hubs/h?access_token=t`,
    get accepted() {
      return accepted;
    },
    /** Keep the next connections open until release(). */
    hold() {
      hold = true;
    },
    release() {
      hold = false;
      for (const ws of held.splice(0)) kickOne(ws);
    },
  };
}

function newClient(url: string, log: SocketLog, options: WebPubSubClientOptions = {}) {
  const getClientAccessUrl = vi.fn(async () => url);
  const client = new WebPubSubClient(
    { getClientAccessUrl },
    { webSocketFactory: log.factory, keepAliveIntervalInMs: 0, keepAliveTimeoutInMs: 0, ...options },
  );
  client.on("connected", () => log.confirmed());
  client.on("recovered", () => log.confirmed());
  cleanup.push(() => client.stop());
  return { client, getClientAccessUrl };
}

describe.each([
  ["json", 1000],
  ["json", 1008],
  ["json", 1011],
  ["json", "destroy"],
  ["json.reliable", 1000],
  ["json.reliable", 1008],
  ["json.reliable", 1011],
  ["json.reliable", "destroy"],
] as const)("%s, the service closes every connection right after connected (%s)", (protocol, kick) => {
  it("each attempt waits longer than the one before, up to the cap: the backoff never resets while connections flap", async () => {
    const server = await kickingServer(kick);
    const log = new SocketLog();
    const { client, getClientAccessUrl } = newClient(server.url, log, { protocol });
    vi.useFakeTimers(FAKE_TIMERS);
    await client.start().catch(() => {}); // the kick may come before start() saw `connected`
    const FIVE_MINUTES = 5 * 60_000;
    await runFakeTime(log, FIVE_MINUTES);

    expect(log.gaps.length).toBeGreaterThanOrEqual(10);
    expectWaitsGrow(log, `${protocol} ${kick}`);
    // Whether or not the client saw `connected` before the close, each socket waits one step longer than the last
    // (one wait per socket; a reliable client whose recovery wait would outlast the window waits again to reconnect).
    log.gaps.forEach((gap, i) => {
      expect(gap, `wait before socket ${i + 1}`).toBeGreaterThanOrEqual(shortest(i + 1));
      if (protocol === "json" || kick === 1008) {
        expect(gap, `wait before socket ${i + 1}`).toBeLessThanOrEqual(longest(i + 1));
      }
    });
    expect(log.openedAt.length).toBeLessThanOrEqual(mostConnections(FIVE_MINUTES));
    expect(server.accepted).toBe(log.openedAt.length);
    // The app's negotiate endpoint is called once per new connection, never for a recovery.
    const recoveries = log.urls.filter((u) => u.includes("awps_connection_id")).length;
    expect(getClientAccessUrl).toHaveBeenCalledTimes(log.openedAt.length - recoveries);
    if (protocol === "json" || kick === 1008) expect(recoveries).toBe(0);
  });
});

describe("the stable period", () => {
  it.each([
    [30_000, "starts the backoff over"],
    [29_999, "does not start the backoff over"],
  ] as const)("a connection that stays up %i ms (stableConnectionInMs 30000) %s", async (upFor, _what) => {
    const server = await kickingServer(1008);
    const log = new SocketLog();
    const { client } = newClient(server.url, log, { protocol: "json" });
    vi.spyOn(Math, "random").mockReturnValue(0.5); // every wait is 75% of its nominal value
    vi.useFakeTimers(FAKE_TIMERS);
    await client.start().catch(() => {});
    await runFakeTime(log, 60_000, () => log.openedAt.length === 4); // three kicks in a row: waits 750, 1500, 3000
    expect(log.gaps).toEqual([750, 1500, 3000]);
    // The next connection stays up, then is kicked too.
    server.hold();
    const connected = new Promise((resolve) => client.once("connected", resolve));
    await vi.advanceTimersToNextTimerAsync();
    await connected; // real I/O: fake time stands still meanwhile
    await vi.advanceTimersByTimeAsync(upFor);
    server.release();
    await runFakeTime(log, 60_000, () => log.openedAt.length === 6);
    const wait = (log.gaps.at(-1) as number) - upFor;
    if (upFor >= 30_000)
      expect(wait).toBe(375); // 75% of 500 ms: the count started over
    else expect(wait).toBe(0.75 * longest(5)); // the fifth short-lived connection in a row
  });

  it("the first retry after a stable connection closed waits retryDelayInMs, drawn with jitter in [50%, 100%]", async () => {
    for (const [random, wait] of [
      [0, 250],
      [0.999, 500],
    ] as const) {
      const server = await kickingServer(1008);
      const log = new SocketLog();
      const { client } = newClient(server.url, log, { protocol: "json" });
      vi.spyOn(Math, "random").mockReturnValue(random);
      vi.useFakeTimers(FAKE_TIMERS);
      server.hold();
      await client.start();
      await vi.advanceTimersByTimeAsync(30_000);
      server.release();
      await runFakeTime(log, 60_000, () => log.openedAt.length === 2);
      expect(log.gaps).toEqual([30_000 + wait]);
      await client.stop();
      vi.useRealTimers();
      vi.restoreAllMocks();
    }
  });
});

describe("ReconnectBackoff", () => {
  const shape = { mode: "exponential", retryDelayInMs: 500, maxRetryDelayInMs: 30_000, jitter: false } as const;

  it("counts connections that closed before the stable period; one that lasted it resets the count", () => {
    const b = new ReconnectBackoff(shape, 30_000);
    expect(b.reconnectDelay(1)).toBe(500);
    b.up(0);
    b.down(29_999);
    expect(b.flaps).toBe(1);
    expect(b.reconnectDelay(1)).toBe(1000);
    expect(b.reconnectDelay(2)).toBe(2000); // failed attempts keep doubling
    b.up(100_000);
    b.down(100_001);
    expect(b.flaps).toBe(2);
    b.down(200_000); // nothing was up: no change
    expect(b.flaps).toBe(2);
    b.up(300_000);
    b.down(330_000);
    expect(b.flaps).toBe(0);
    expect(b.reconnectDelay(60)).toBe(30_000);
    expect(b.reconnectDelay(10_000)).toBe(30_000); // large attempt numbers stay finite and capped
  });

  it("recovery starts fast (100 ms doubling to 1 s) for a healthy session and waits like a reconnect once connections flap", () => {
    const b = new ReconnectBackoff(shape, 30_000, () => 0.999_999);
    expect([1, 2, 3, 4, 5].map((a) => b.recoveryDelay(a))).toEqual([100, 200, 400, 800, 1000]);
    b.up(0);
    b.down(1);
    expect([1, 2, 3].map((a) => b.recoveryDelay(a))).toEqual([1000, 2000, 4000]);
  });

  it("wake() ends the current wait at once and keeps the count; stop's abort rejects the wait", async () => {
    const b = new ReconnectBackoff(shape, 30_000);
    b.up(0);
    b.down(1);
    const run = new AbortController();
    const waiting = b.wait(60_000, run.signal);
    expect(b.wake()).toBe(true);
    await waiting;
    expect(b.wake()).toBe(false); // nothing waits any more
    expect(b.flaps).toBe(1);
    const stopped = b.wait(60_000, run.signal);
    run.abort(new Error("stopped"));
    await expect(stopped).rejects.toMatchObject({ name: "AbortError" });
  });
});

it("against the emulator: an event handler that kicks every connection on `connected` gets growing waits, not a loop", async () => {
  // The app's event handler: every `connected` event is answered, then the connection is closed over REST.
  const { createServer } = await import("node:http");
  let emu: Awaited<ReturnType<typeof startEmulator>> | undefined;
  const kicked: string[] = [];
  const handler = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      if (req.method === "OPTIONS") {
        res.writeHead(200, { "webhook-allowed-origin": "*" }).end();
        return;
      }
      res.writeHead(204).end();
      const id = String(req.headers["ce-connectionid"]);
      if (req.headers["ce-eventname"] === "connected" && emu) {
        kicked.push(id);
        void rest(emu.endpoint, emu.accessKey, "DELETE", `kick/connections/${id}?reason=kicked`).catch(() => {});
      }
    });
  });
  await new Promise<void>((resolve) => handler.listen(0, "127.0.0.1", resolve));
  cleanup.push(() => new Promise((resolve) => handler.close(resolve)));
  const port = (handler.address() as AddressInfo).port;
  emu = await startEmulator({
    port: 0,
    hubs: { kick: { eventHandlers: [{ urlTemplate: `http://127.0.0.1:${port}/eh`, systemEvents: ["connected"] }] } },
  });
  cleanup.push(() => emu?.close());
  const endpoint = emu.endpoint;
  const accessKey = emu.accessKey;

  for (const protocol of ["json", "json.reliable"] as const) {
    kicked.length = 0;
    const log = new SocketLog();
    const getClientAccessUrl = vi.fn(() => clientUrl(endpoint, accessKey, "kick", { userId: "kicked-user" }));
    const client = new WebPubSubClient(
      { getClientAccessUrl },
      { protocol, webSocketFactory: log.factory, keepAliveIntervalInMs: 0, keepAliveTimeoutInMs: 0 },
    );
    client.on("connected", () => log.confirmed());
    client.on("recovered", () => log.confirmed());
    vi.useFakeTimers(FAKE_TIMERS);
    await client.start();
    // Time moves only while nothing is in flight: wait (for real) until the kick of each connection has landed.
    await runFakeTime(log, 2 * 60_000, () => false);
    await client.stop();
    vi.useRealTimers();

    expect(log.confirmations).toBeGreaterThanOrEqual(6);
    expectWaitsGrow(log, protocol);
    // In two minutes, the README's bound on connections, each from the app's negotiate endpoint; a reliable client
    // first tries to recover each kicked session (the service refuses: a REST close ends it), one socket more per kick.
    const connections = log.urls.filter((u) => !u.includes("awps_connection_id")).length;
    expect(connections).toBeLessThanOrEqual(mostConnections(2 * 60_000));
    expect(getClientAccessUrl).toHaveBeenCalledTimes(connections);
    expect(kicked.length).toBe(connections);
    const recoveries = log.openedAt.length - connections;
    expect(recoveries).toBeLessThanOrEqual(protocol === "json" ? 0 : connections);
  }
}, 60_000);
