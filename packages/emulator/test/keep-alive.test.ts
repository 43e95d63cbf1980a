// Keep-alive rounds: each round drops an open socket that sent nothing (no pong, no frame) since the previous round,
// then pings the others; a round that fires late, after an event-loop stall, still counts a pong that was already
// waiting in the socket. The rounds are driven by hand (helpers/keep-alive-rounds.ts), so a busy machine cannot
// stretch an interval past the time a client needs to answer.
import { afterEach, describe, expect, it, vi } from "vitest";
import WebSocket from "ws";
import { startEmulator } from "../src/index.ts";
import { clientToken, connect, JSON_PROTOCOL, rest } from "./helpers/clients.ts";
import { handDrivenKeepAlive, keepAliveRound, nextPing, serviceRead } from "./helpers/keep-alive-rounds.ts";

const INTERVAL = 250;

describe("keep-alive", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("pings clients every round and drops one that stops answering, keeping the others", async () => {
    handDrivenKeepAlive();
    const emu = await startEmulator({ keepAliveIntervalMs: INTERVAL });
    try {
      const healthy = await connect(emu, "ka");
      // a half-open peer: the socket stays up but never answers pings
      const url = `${emu.endpoint.replace("http", "ws")}/client/hubs/ka?access_token=${clientToken(emu, "ka")}`;
      const silent = new WebSocket(url, JSON_PROTOCOL, { autoPong: false });
      const silentId = await new Promise<string>((resolve) =>
        silent.once("message", (d: Buffer) => resolve(JSON.parse(d.toString()).connectionId)),
      );
      const closed = new Promise<number>((resolve) => silent.once("close", (code) => resolve(code)));

      // round 1: a new socket counts as having answered, so both are pinged and kept
      const both = Promise.all([nextPing(healthy.ws), nextPing(silent)]);
      keepAliveRound(INTERVAL);
      await both;
      expect(await serviceRead(healthy.ws)).toBe("read");
      expect(await serviceRead(silent)).toBe("read"); // still open after one unanswered interval

      // round 2: the silent socket is dropped, the healthy one pinged again
      let pinged = nextPing(healthy.ws);
      keepAliveRound(INTERVAL);
      await pinged;
      expect(await serviceRead(silent)).toBe("closed");
      expect(await closed).toBe(1006);
      expect((await rest(emu, "HEAD", `/api/hubs/ka/connections/${silentId}`)).status).toBe(404);

      // rounds 3 and 4: the healthy one, answering each ping, stays
      for (let i = 0; i < 2; i++) {
        expect(await serviceRead(healthy.ws)).toBe("read");
        pinged = nextPing(healthy.ws);
        keepAliveRound(INTERVAL);
        await pinged;
      }
      expect(await serviceRead(healthy.ws)).toBe("read");
      expect((await rest(emu, "HEAD", `/api/hubs/ka/connections/${healthy.connectionId}`)).status).toBe(200);
    } finally {
      await emu.close();
    }
  });

  it("counts a pong already waiting in the socket when a round fires late after an event-loop stall", async () => {
    handDrivenKeepAlive();
    const emu = await startEmulator({ keepAliveIntervalMs: INTERVAL });
    try {
      const client = await connect(emu, "stall");
      const pinged = nextPing(client.ws);
      keepAliveRound(INTERVAL);
      await pinged;
      expect(await serviceRead(client.ws)).toBe("read");

      // Round 2 pings; the client's automatic pong is written before its 'ping' event (poll phase). The next round's
      // timer then fires in the check phase of the same loop turn: the pong arrived after this turn's poll, so it
      // sits unread in the emulator's socket, as after a stall that let the timer come due before the I/O was read.
      const lateRoundPinged = new Promise<void>((resolve, reject) =>
        client.ws.once("ping", () =>
          setImmediate(() => {
            nextPing(client.ws).then(resolve, reject);
            keepAliveRound(INTERVAL);
          }),
        ),
      );
      keepAliveRound(INTERVAL);
      await lateRoundPinged; // the late round read the pong first: the client is pinged, not dropped
      expect(await serviceRead(client.ws)).toBe("read");
      expect((await rest(emu, "HEAD", `/api/hubs/stall/connections/${client.connectionId}`)).status).toBe(200);
    } finally {
      await emu.close();
    }
  });
});
