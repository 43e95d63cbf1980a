// A message's messageTtlSeconds counts while its reliable client is away: a recovery replays what is still alive and
// drops what expired. The clock is faked (Date only; sockets and timers stay real), so no test waits for time to
// pass, and the recovery window is the default 30 s, far beyond anything this test takes even on a loaded machine.
import { afterEach, describe, expect, it, vi } from "vitest";
import { connect, hubNames, RELIABLE_PROTOCOL, rest, TestClient } from "./helpers/clients.ts";
import { useEmulator } from "./helpers/use-emulator.ts";

const emu = useEmulator();
const hub = hubNames("ttl");

/** A client that recovers connection `id` of hub `h` with its reconnection token. */
function recover(h: string, id: string, token: string): TestClient {
  const base = emu.endpoint.replace("http", "ws");
  const query = `awps_connection_id=${encodeURIComponent(id)}&awps_reconnection_token=${encodeURIComponent(token)}`;
  return new TestClient(`${base}/client/hubs/${h}?${query}`, RELIABLE_PROTOCOL);
}

/** A reliable client of a new hub that dropped without closing, and the clock frozen (Date only) from then on. */
async function awayWithFrozenClock() {
  const h = hub();
  const c = await connect(emu, h, { protocol: RELIABLE_PROTOCOL });
  const token = String(c.messages[0]!.reconnectionToken);
  c.ws.terminate();
  await c.closed;
  vi.useFakeTimers({ toFake: ["Date"], now: Date.now() });
  return { h, c, token };
}

afterEach(() => {
  vi.useRealTimers();
});

describe("messageTtlSeconds across a recovery", () => {
  it("replays the messages still alive and drops those whose TTL ran out while the client was away", async () => {
    const { h, c, token } = await awayWithFrozenClock();
    const path = `/api/hubs/${h}/connections/${c.connectionId}/:send`;
    const post = async (body: string, ttl?: number) => {
      const url = ttl === undefined ? path : `${path}?messageTtlSeconds=${ttl}`;
      expect((await rest(emu, "POST", url, { body, contentType: "text/plain" })).status).toBe(202);
    };
    await post("one second", 1);
    await post("two seconds", 2);
    await post("durable");
    // 1.001 s later: the first message's TTL has run out (it lives while now <= sent + 1 s), the second's has not
    vi.advanceTimersByTime(1001);
    const r = recover(h, c.connectionId, token);
    await r.opened;
    await post("after");
    await r.message((m) => m.data === "after");
    expect(r.messages.filter((m) => m.type === "message").map((m) => [m.sequenceId, m.data])).toEqual([
      [2, "two seconds"],
      [3, "durable"],
      [4, "after"],
    ]);
    await r.close();
  });

  it("at exactly its TTL a message is still alive (it expires only after)", async () => {
    const { h, c, token } = await awayWithFrozenClock();
    const url = `/api/hubs/${h}/connections/${c.connectionId}/:send?messageTtlSeconds=1`;
    expect((await rest(emu, "POST", url, { body: "edge", contentType: "text/plain" })).status).toBe(202);
    vi.advanceTimersByTime(1000);
    const r = recover(h, c.connectionId, token);
    await r.message((m) => m.data === "edge");
    await r.close();
  });
});
