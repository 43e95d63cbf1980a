// What the service sends (a connectionId, a close reason) and what the caller named (a group, a stream id) reaches the
// client's log lines and errors bounded by core's shown() (JSON-quoted, its first 64 characters, then "..."), never
// whole; a short value is still named in full.
import { afterEach, describe, expect, it } from "vitest";
import { ConnectionError, WebPubSubClient } from "../src/index.ts";
import { FAST_RETRY, FakeServer, nextEvent, startedClient, URL1 } from "./fake-socket.ts";
import { started } from "./features/started.ts";
import { captureLogs as captureClientLogs } from "./log-capture.ts";

/** 100,000 characters: the first 64 are "a", the rest "b" (so the cut shows in the quoted text). */
const HUGE = `${"a".repeat(64)}${"b".repeat(99_936)}`;
const HUGE_SHOWN = `"${"a".repeat(64)}"...`;
/** A group name at the 1024-character limit of group names. */
const LONG_GROUP = `${"g".repeat(64)}${"h".repeat(960)}`;
const LONG_GROUP_SHOWN = `"${"g".repeat(64)}"...`;

let restore: (() => void) | undefined;
afterEach(() => {
  restore?.();
  restore = undefined;
});

function captureLogs(): string[] {
  const captured = captureClientLogs();
  restore = captured.restore;
  return captured.lines;
}

function line(lines: string[], text: string): string {
  const found = lines.find((l) => l.includes(text));
  expect(found, `a line with ${text} in:\n${lines.map((l) => l.slice(0, 200)).join("\n")}`).toBeDefined();
  return found as string;
}

describe("the client's log lines bound what the service sent and what the caller named", () => {
  it("a huge connectionId, close reason and group name are shown by their first 64 characters; short ones whole", async () => {
    const lines = captureLogs();
    const { server, client, socket } = await startedClient({ reconnectRetryOptions: FAST_RETRY }, HUGE, "token1");
    const join = client.joinGroup(LONG_GROUP);
    socket.push({ type: "ack", ackId: 1, success: true });
    await join;

    // A drop the session survives: its close reason, then the recovery, name the connection bounded.
    socket.serverClose(1006, HUGE);
    const recovery = await server.socket(1);
    const recovered = nextEvent(client, "recovered");
    recovery.open();
    recovery.push({ type: "pong" });
    await recovered;

    // A close that ends the session (1008): a new connection with a short id, whose rejoin of the group is refused.
    const rejoinFailed = nextEvent(client, "rejoin-group-failed");
    recovery.serverClose(1008, "short reason");
    const fresh = await server.socket(2);
    fresh.connected("conn-short", "token2");
    const rejoin = await fresh.waitForFrame((f) => f.type === "joinGroup");
    fresh.push({ type: "ack", ackId: rejoin.ackId, success: false, error: { name: "Forbidden", message: "no" } });
    await rejoinFailed;
    await client.stop();

    for (const l of lines) expect(l.length, l.slice(0, 200)).toBeLessThan(400);
    expect(line(lines, "Connected: connection ")).toContain(`Connected: connection ${HUGE_SHOWN}`);
    expect(line(lines, "The connection closed (code 1006")).toContain(`(code 1006, ${HUGE_SHOWN})`);
    expect(line(lines, "Recovering the session")).toContain(`of connection ${HUGE_SHOWN} (for up to`);
    expect(line(lines, "Recovered the session")).toMatch(/Recovered the session of connection "a{64}"\.\.\.$/);
    expect(line(lines, "Disconnected: connection")).toContain(`Disconnected: connection ${HUGE_SHOWN}, code 1008`);
    expect(line(lines, "The connection closed (code 1008")).toContain('(code 1008, "short reason")');
    expect(line(lines, 'Connected: connection "conn-short"')).toMatch(/Connected: connection "conn-short"$/);
    expect(line(lines, "Re-joining group")).toContain(`Re-joining group ${LONG_GROUP_SHOWN} failed`);
  });

  it("a failed handshake names the service's close reason bounded in the ConnectionError; a short reason whole", async () => {
    const failedStart = async (reason: string) => {
      const server = new FakeServer();
      const client = new WebPubSubClient(URL1, { webSocketFactory: server.factory, autoReconnect: false });
      const start = client.start().catch((e: unknown) => e);
      (await server.socket(0)).serverClose(1008, reason);
      const error = await start;
      expect(error).toBeInstanceOf(ConnectionError);
      return (error as ConnectionError).message;
    };
    const huge = await failedStart(HUGE);
    expect(huge).toContain(`(code 1008, ${HUGE_SHOWN})`);
    expect(huge.length).toBeLessThan(300);
    expect(await failedStart("no such hub")).toContain('(code 1008, "no such hub")');
  });

  it("a stream id already open is named bounded; a short one whole", async () => {
    const { client, socket } = await started();
    const id = `${"s".repeat(64)}${"t".repeat(192)}`; // the 256-character limit of stream ids
    const opening = client.openGroupStream("g", { streamId: id });
    await socket.waitForFrame((f) => f.type === "sendToGroup");
    socket.push({ type: "streamAck", streamId: id, expectedSequenceId: 1 });
    await opening;
    const again = await client.openGroupStream("g", { streamId: id }).catch((e: unknown) => e);
    expect((again as Error).message).toBe(`Stream "${"s".repeat(64)}"... is already open on this client`);

    const short = client.openGroupStream("g", { streamId: "s1" });
    await socket.waitForFrame((f) => f.type === "sendToGroup" && (f.stream as { streamId: string }).streamId === "s1");
    socket.push({ type: "streamAck", streamId: "s1", expectedSequenceId: 1 });
    await short;
    const shortAgain = await client.openGroupStream("g", { streamId: "s1" }).catch((e: unknown) => e);
    expect((shortAgain as Error).message).toBe('Stream "s1" is already open on this client');
    await client.stop();
  });
});
