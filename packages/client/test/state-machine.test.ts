// The client's lifecycle as a state machine: the table of allowed transitions, every transition the client makes is
// in it (and every one in it is reachable), the lifecycle shows in the @azure/logger log without tokens, and the races
// the table uncovered stay fixed.
import { setLogLevel } from "@azure/logger";
import { afterEach, describe, expect, it, vi } from "vitest";
import {
  AbortError,
  ConnectionError,
  WebPubSubClient,
  type WebPubSubClientOptions,
  type WebPubSubClientState,
} from "../src/index.ts";
import { loggableError, loggableText, loggableUrl } from "../src/logger.ts";
import { checkTransition, STATE_TRANSITIONS } from "../src/state-transitions.ts";
import { FakeServer, type FakeSocket, nextEvent } from "./fake-socket.ts";
import { captureLogs as captureClientLogs } from "./log-capture.ts";

const ACCESS_TOKEN = "SECRET-ACCESS-TOKEN";
const RECONNECTION_TOKEN = "SECRET-RECONNECTION-TOKEN";
const URL1 = `ws://localhost:8080/client/hubs/chat?access_token=${ACCESS_TOKEN}`;

const STATES: WebPubSubClientState[] = ["Stopped", "Connecting", "Connected", "Recovering", "Stopping"];
/** The lifecycle, written out independently of the table under test. */
const ALLOWED = [
  "Stopped -> Connecting",
  "Connecting -> Connected",
  "Connecting -> Stopping",
  "Connecting -> Stopped",
  "Connected -> Recovering",
  "Connected -> Connecting",
  "Connected -> Stopping",
  "Connected -> Stopped",
  "Recovering -> Connected",
  "Recovering -> Connecting",
  "Recovering -> Stopping",
  "Recovering -> Stopped",
  "Stopping -> Stopped",
];

/** Captures what the client logs (every level), with the state transitions among it. */
function captureLogs() {
  const captured = captureClientLogs();
  return {
    ...captured,
    /** The state transitions logged so far, as "From -> To". */
    transitions: () => captured.lines.flatMap((l) => /State (\w+ -> \w+)/.exec(l)?.[1] ?? []),
  };
}

let logs: ReturnType<typeof captureLogs> | undefined;
afterEach(() => {
  logs?.restore();
  logs = undefined;
});

function setup(options: WebPubSubClientOptions = {}) {
  const server = new FakeServer();
  const client = new WebPubSubClient(URL1, {
    webSocketFactory: server.factory,
    reconnectRetryOptions: { retryDelayInMs: 1, jitter: false },
    ...options,
  });
  return { server, client };
}

async function started(options: WebPubSubClientOptions = {}) {
  const ctx = setup(options);
  await ctx.server.start(ctx.client, "conn1", RECONNECTION_TOKEN);
  return ctx;
}

/** Drops socket `index` abnormally and confirms the recovery on the next socket (its pong). */
async function dropAndRecover(server: FakeServer, client: WebPubSubClient, index: number): Promise<FakeSocket> {
  const recovered = nextEvent(client, "recovered");
  server.sockets[index]?.serverClose(1006);
  const next = await server.socket(index + 1);
  next.open();
  next.push({ type: "pong" });
  await recovered;
  return next;
}

describe("the transition table", () => {
  it("allows exactly the lifecycle's transitions and throws on every other pair, self-transitions included", () => {
    for (const from of STATES) {
      for (const to of STATES) {
        const pair = `${from} -> ${to}`;
        if (ALLOWED.includes(pair)) expect(() => checkTransition(from, to), pair).not.toThrow();
        else expect(() => checkTransition(from, to), pair).toThrow(`Illegal client state transition ${pair}`);
      }
    }
    expect(Object.values(STATE_TRANSITIONS).flat()).toHaveLength(ALLOWED.length);
  });

  it("logs an illegal transition at error level before throwing", () => {
    logs = captureLogs();
    expect(() => checkTransition("Stopping", "Connected")).toThrow();
    expect(logs.lines).toEqual([expect.stringMatching(/webpubsub-client:error .*Illegal .*Stopping -> Connected/)]);
  });

  it("every transition of the table is reachable, and the client makes no other", async () => {
    logs = captureLogs();
    const seen = new Set<string>();
    const collect = () => {
      for (const t of logs?.transitions() ?? []) seen.add(t);
    };

    // start, recover, stop
    {
      const { server, client } = await started();
      await dropAndRecover(server, client, 0);
      await client.stop();
    }
    // a drop that cannot be recovered (1008) and a new connection; then a recovery the service rejects (1008)
    {
      const { server, client } = await started();
      server.sockets[0]?.serverClose(1008);
      const second = await server.socket(1);
      const connected = nextEvent(client, "connected");
      second.connected("conn2", RECONNECTION_TOKEN);
      await connected;
      second.serverClose(1006);
      const recovery = await server.socket(2);
      recovery.open();
      recovery.serverClose(1008);
      (await server.socket(3)).connected("conn3", RECONNECTION_TOKEN);
      await nextEvent(client, "connected");
      await client.stop();
    }
    // autoReconnect off: a drop that cannot be recovered stops the client; so does a rejected recovery
    {
      const { server, client } = await started({ autoReconnect: false });
      const stopped = nextEvent(client, "stopped");
      server.sockets[0]?.serverClose(1008);
      await stopped;
    }
    {
      const { server, client } = await started({ autoReconnect: false });
      const stopped = nextEvent(client, "stopped");
      server.sockets[0]?.serverClose(1006);
      const recovery = await server.socket(1);
      recovery.open();
      recovery.serverClose(1008);
      await stopped;
    }
    // a failed start; stop() while connecting; stop() while recovering
    {
      const { server, client } = setup();
      const start = client.start().catch((e: unknown) => e);
      (await server.socket(0)).serverClose(1006);
      expect(await start).toBeInstanceOf(ConnectionError);
    }
    {
      const { server, client } = setup();
      const start = client.start().catch((e: unknown) => e);
      await server.socket(0);
      await client.stop();
      expect(await start).toBeInstanceOf(AbortError);
    }
    {
      const { server, client } = await started();
      const recovering = nextEvent(client, "recovering");
      server.sockets[0]?.serverClose(1006);
      await recovering;
      await client.stop();
    }
    collect();
    expect([...seen].sort()).toEqual([...ALLOWED].sort());
  });
});

describe("the lifecycle log", () => {
  it("shows transitions, connection attempts with their delays, recoveries and closes with codes, and no token", async () => {
    logs = captureLogs();
    const { server, client } = await started();
    await dropAndRecover(server, client, 0);
    await client.stop();
    const { lines } = logs;
    const expected = [
      /webpubsub-client:verbose State Stopped -> Connecting/,
      /Opening a new connection to ws:\/\/localhost:8080\/client\/hubs\/chat$/,
      /State Connecting -> Connected/,
      /webpubsub-client:info Connected: connection "conn1"$/,
      /webpubsub-client:info The connection closed \(code 1006\)/,
      /State Connected -> Recovering/,
      /Recovering the session of connection "conn1" \(for up to \d+ ms\)/,
      /Recovery attempt 1 in \d+ ms/,
      /Opening a recovery connection to ws:\/\/localhost:8080\/client\/hubs\/chat$/,
      /State Recovering -> Connected/,
      /Recovered the session of connection "conn1"$/,
      /State Connected -> Stopping/,
      /State Stopping -> Stopped/,
      /The client stopped$/,
    ];
    let at = -1;
    for (const pattern of expected) {
      const next = lines.findIndex((line, i) => i > at && pattern.test(line));
      expect(next, `${pattern} after line ${at} in:\n${lines.join("\n")}`).toBeGreaterThan(at);
      at = next;
    }
    for (const line of lines) {
      expect(line).not.toContain(ACCESS_TOKEN);
      expect(line).not.toContain(RECONNECTION_TOKEN);
    }
  });

  it("logs failed attempts with the error but without the URL's query; nothing at all when logging is off", async () => {
    logs = captureLogs();
    const { server, client } = setup();
    const start = client.start().catch((e: unknown) => e);
    (await server.socket(0)).serverClose(1006, `refused ${URL1}`);
    await start;
    expect(logs.lines.some((l) => /warning start\(\) failed: ConnectionError: .*code 1006/.test(l))).toBe(true);
    expect(logs.lines.some((l) => l.includes("refused ws://localhost:8080/client/hubs/chat?..."))).toBe(true);
    for (const line of logs.lines) expect(line).not.toContain(ACCESS_TOKEN);

    setLogLevel(undefined);
    const before = logs.lines.length;
    const quiet = await started();
    await quiet.client.stop();
    expect(logs.lines.length).toBe(before);
  });

  it("log helpers cut URL queries and token parameters and bound what they echo", () => {
    expect(loggableUrl(URL1)).toBe("ws://localhost:8080/client/hubs/chat");
    expect(loggableUrl("not a url")).toBe("(an invalid URL)");
    expect(loggableText(`failed: ${URL1}&x=1 (later)`)).toBe(
      "failed: ws://localhost:8080/client/hubs/chat?... (later)",
    );
    expect(loggableText(`token access_token=${ACCESS_TOKEN}&a=b`)).toBe("token access_token=...&a=b");
    expect(loggableText(`awps_reconnection_token=${RECONNECTION_TOKEN}`)).toBe("awps_reconnection_token=...");
    expect(loggableText("x".repeat(200))).toBe("x".repeat(200));
    expect(loggableText("x".repeat(201))).toBe(`${"x".repeat(200)}...`);
    expect(loggableText("y".repeat(5_000_000))).toHaveLength(203);
    expect(loggableError(new TypeError(`bad ${URL1}`))).toBe("TypeError: bad ws://localhost:8080/client/hubs/chat?...");
    expect(loggableError("plain")).toBe("plain");
  });
});

describe("races the transition table uncovered", () => {
  it("stop() from a listener between the connected message and start's continuation: start rejects with stop's AbortError", async () => {
    const { server, client } = setup();
    const events: string[] = [];
    client.on("connected", () => events.push("connected"));
    client.on("stopped", () => events.push("stopped"));
    client.on("server-message", () => {
      events.push("server-message");
      void client.stop();
    });
    const start = client.start().catch((e: unknown) => e);
    const socket = await server.socket(0);
    socket.connected();
    socket.push({ type: "message", from: "server", dataType: "text", data: "x" }); // same tick as `connected`
    const error = await start;
    expect(error).toBeInstanceOf(AbortError);
    expect((error as Error).message).toMatch(/stopped/);
    await vi.waitFor(() => expect(client.state).toBe("Stopped"));
    expect(events).toEqual(["server-message", "stopped"]);
  });

  it("a new session announced on a recovered socket while the client stops is ignored: no connected, no rejoin", async () => {
    const { server, client } = await started();
    const first = server.sockets[0] as FakeSocket;
    const join = client.joinGroup("g");
    const { ackId } = await first.waitForFrame((f) => f.type === "joinGroup");
    first.push({ type: "ack", ackId, success: true });
    await join; // a joined group: a new session would re-join it
    const recovered = await dropAndRecover(server, client, 0);
    const connected = vi.fn();
    client.on("connected", connected);
    const stopping = client.stop();
    recovered.push({ type: "system", event: "connected", connectionId: "conn2", userId: "u1" });
    expect(client.state).toBe("Stopping");
    await stopping;
    expect(client.state).toBe("Stopped");
    expect(connected).not.toHaveBeenCalled();
    expect(recovered.framesOf("joinGroup")).toEqual([]);
  });

  it("a connection that closes between its connected message and the switch to it is a failed start", async () => {
    const { server, client } = setup();
    const events: string[] = [];
    for (const e of ["connected", "disconnected", "stopped", "recovering"] as const) client.on(e, () => events.push(e));
    const start = client.start().catch((e: unknown) => e);
    const socket = await server.socket(0);
    socket.connected();
    socket.serverClose(1011, "gone"); // same tick as `connected`
    const error = await start;
    expect(error).toBeInstanceOf(ConnectionError);
    expect((error as ConnectionError).code).toBe(1011);
    expect(client.state).toBe("Stopped");
    expect(events).toEqual([]);
    expect(server.sockets).toHaveLength(1);
  });

  it("in a reconnect, a connection that closes right after its connected message is a failed attempt", async () => {
    const { server, client } = await started();
    const connected = vi.fn();
    client.on("connected", connected);
    server.sockets[0]?.serverClose(1008); // not recoverable: new connections follow
    const flaky = await server.socket(1);
    flaky.connected("conn2", RECONNECTION_TOKEN);
    flaky.serverClose(1011); // same tick as `connected`
    const good = await server.socket(2);
    good.connected("conn3", RECONNECTION_TOKEN);
    await vi.waitFor(() => expect(connected).toHaveBeenCalledTimes(1));
    expect(connected).toHaveBeenCalledWith({ connectionId: "conn3", userId: "u1" });
    expect(client.state).toBe("Connected");
    await client.stop();
  });
});
