// The reconnection token of a recovery is compared in constant time, with core's timingSafeEqual.
import * as core from "@webpubsub/core";
import { describe, expect, it, vi } from "vitest";
import { connect, RELIABLE_PROTOCOL, rest, TestClient } from "./helpers/clients.ts";
import { useEmulator } from "./helpers/use-emulator.ts";

vi.mock("@webpubsub/core", async (importOriginal) => {
  const actual = await importOriginal<typeof import("@webpubsub/core")>();
  return { ...actual, timingSafeEqual: vi.fn(actual.timingSafeEqual) };
});

const emu = useEmulator({ recoveryWindowMs: 2000 });

async function dropped(h: string) {
  const c = await connect(emu, h, { protocol: RELIABLE_PROTOCOL });
  const token = c.messages[0]!.reconnectionToken as string;
  c.ws.terminate();
  await c.closed;
  return { connectionId: c.connectionId, token };
}

function recoverUrl(h: string, connectionId: string, token: string): string {
  const base = emu.endpoint.replace("http", "ws");
  return `${base}/client/hubs/${h}?awps_connection_id=${encodeURIComponent(connectionId)}&awps_reconnection_token=${encodeURIComponent(token)}`;
}

describe("recovery token check", () => {
  it("uses core's timingSafeEqual and accepts the issued token", async () => {
    const spy = vi.mocked(core.timingSafeEqual);
    spy.mockClear();
    const { connectionId, token } = await dropped("rt1");
    const r = new TestClient(recoverUrl("rt1", connectionId, token), RELIABLE_PROTOCOL);
    await r.opened;
    expect(spy).toHaveBeenCalledWith(token, token);
    await rest(emu, "POST", `/api/hubs/rt1/:send`, { body: "after", contentType: "text/plain" });
    expect(await r.message((m) => m.data === "after")).toMatchObject({ sequenceId: 1 });
    await r.close();
  });

  it("rejects a forged token of the same length with 1008", async () => {
    const spy = vi.mocked(core.timingSafeEqual);
    spy.mockClear();
    const { connectionId, token } = await dropped("rt2");
    const last = token.at(-1) === "A" ? "B" : "A";
    const forged = `${token.slice(0, -1)}${last}`;
    const r = new TestClient(recoverUrl("rt2", connectionId, forged), RELIABLE_PROTOCOL);
    expect(await r.closed).toBe(1008);
    expect(spy).toHaveBeenCalledWith(token, forged);
    expect(spy.mock.results.at(-1)?.value).toBe(false);
  });
});
