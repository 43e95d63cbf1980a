// The dashboard over HTTP: /_emulator/state with recent activity, the /_emulator/events SSE stream with an entry for
// each kind of activity, resuming by id, no secrets, off by default, and close() ending the streams.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MAX_GROUPS_SHOWN } from "../src/dashboard.ts";
import { type ActivityEntry, type DashboardState, type RunningEmulator, startEmulator } from "../src/index.ts";
import { clientToken, connect, JSON_PROTOCOL, RELIABLE_PROTOCOL, rest, TestClient } from "./helpers/clients.ts";

/** Reads an SSE stream and keeps the parsed `activity` entries; waits on them with a timeout. */
class SseReader {
  readonly entries: ActivityEntry[] = [];
  readonly ids: string[] = [];
  readonly done: Promise<void>;
  readonly response: Promise<Response>;
  #waiters: (() => void)[] = [];
  #ended = false;
  endedCleanly = false;

  constructor(url: string, headers: Record<string, string> = {}) {
    const abort = new AbortController();
    this.abort = () => abort.abort();
    this.response = fetch(url, { headers, signal: abort.signal });
    this.done = this.#read().catch(() => {});
  }

  readonly abort: () => void;

  async #read(): Promise<void> {
    const res = await this.response;
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    let buf = "";
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) {
          this.endedCleanly = true;
          break;
        }
        buf += value;
        let end = buf.indexOf("\n\n");
        while (end >= 0) {
          const block = buf.slice(0, end);
          buf = buf.slice(end + 2);
          const fields = new Map<string, string>();
          for (const line of block.split("\n")) {
            const i = line.indexOf(": ");
            if (i > 0) fields.set(line.slice(0, i), line.slice(i + 2));
          }
          if (fields.get("event") === "activity") {
            this.ids.push(fields.get("id")!);
            this.entries.push(JSON.parse(fields.get("data")!) as ActivityEntry);
          }
          end = buf.indexOf("\n\n");
        }
        this.#notify();
      }
    } finally {
      this.#ended = true;
      this.#notify();
    }
  }

  #notify(): void {
    for (const f of this.#waiters.splice(0)) f();
  }

  get ended(): boolean {
    return this.#ended;
  }

  async find(pred: (e: ActivityEntry) => boolean, what: string, ms = 20_000): Promise<ActivityEntry> {
    const deadline = Date.now() + ms;
    for (;;) {
      const hit = this.entries.find(pred);
      if (hit !== undefined) return hit;
      const left = deadline - Date.now();
      if (left <= 0 || this.#ended) {
        throw new Error(`no ${what} in the feed; got ${JSON.stringify(this.entries.slice(-5))}`);
      }
      await new Promise<void>((r) => {
        const t = setTimeout(r, left);
        this.#waiters.push(() => {
          clearTimeout(t);
          r();
        });
      });
    }
  }
}

const handler = createServer((req, res) => {
  req.resume();
  req.on("end", () => {
    if (req.method === "OPTIONS") return res.writeHead(200, { "WebHook-Allowed-Origin": "*" }).end();
    const event = String(req.headers["ce-eventname"]);
    if (event === "echo") return res.writeHead(200, { "content-type": "text/plain" }).end("echo reply");
    if (event === "boom") return res.writeHead(400).end(); // 5xx would be retried
    if (event === "message") return res.writeHead(200, { "content-type": "text/plain" }).end("got it");
    res.writeHead(204).end();
  });
});

let emu: RunningEmulator;
let feed: SseReader;
beforeAll(async () => {
  await new Promise<void>((r) => handler.listen(0, "127.0.0.1", r));
  const port = (handler.address() as AddressInfo).port;
  emu = await startEmulator({
    dashboard: true,
    recoveryWindowMs: 5000,
    hubs: {
      dash: {
        eventHandlers: [
          {
            urlTemplate: `http://127.0.0.1:${port}/events/{event}?access_token=secret-handler-token`,
            userEventPattern: "*",
            systemEvents: ["connected", "disconnected"],
          },
        ],
      },
    },
  });
  feed = new SseReader(`${emu.endpoint}/_emulator/events`);
  const res = await feed.response;
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toBe("text/event-stream; charset=utf-8");
});
afterAll(async () => {
  feed?.abort();
  await emu?.close();
  await new Promise<void>((r) => handler.close(() => r()));
});

async function state(): Promise<DashboardState> {
  const res = await fetch(`${emu.endpoint}/_emulator/state`);
  expect(res.status).toBe(200);
  return (await res.json()) as DashboardState;
}

describe("the live feed", () => {
  it("records connections, group changes, every kind of send, client events and upstream calls", async () => {
    const a = await connect(emu, "dash", {
      claims: { sub: "alice", "webpubsub.group": "room", role: "webpubsub.sendToGroup" },
    });
    const b = await connect(emu, "dash", { claims: { sub: "bob", role: ["webpubsub.joinLeaveGroup"] } });
    const opened = await feed.find((e) => e.kind === "connected" && e.connectionId === a.connectionId, "a connect");
    expect(opened).toMatchObject({ hub: "dash", userId: "alice", subprotocol: JSON_PROTOCOL });
    await feed.find((e) => e.kind === "joined" && e.connectionId === a.connectionId && e.group === "room", "join");
    await feed.find(
      (e) => e.kind === "upstream" && e.event === "connected" && e.connectionId === a.connectionId && e.status === 204,
      "the upstream connected call",
    );

    // client joins and leaves
    b.send({ type: "joinGroup", group: "room", ackId: 1 });
    await b.message((m) => m.type === "ack" && m.ackId === 1);
    await feed.find((e) => e.kind === "joined" && e.connectionId === b.connectionId && e.group === "room", "b join");

    // client sendToGroup: one entry with the recipient count
    a.send({ type: "sendToGroup", group: "room", dataType: "text", data: "hello room" });
    const sent = await feed.find((e) => e.kind === "message" && e.preview === "hello room", "client sendToGroup");
    expect(sent).toMatchObject({
      from: a.connectionId,
      connectionId: a.connectionId,
      userId: "alice",
      to: "group room",
      dataType: "text",
      recipients: 2,
    });

    // REST sends to all, user, group and connection
    const ok = (r: { status: number }) => expect(r.status).toBe(202);
    ok(await rest(emu, "POST", "/api/hubs/dash/:send", { body: '{"n":1}', contentType: "application/json" }));
    ok(await rest(emu, "POST", "/api/hubs/dash/users/bob/:send", { body: "to bob", contentType: "text/plain" }));
    ok(
      await rest(emu, "POST", "/api/hubs/dash/groups/room/:send", {
        body: new Uint8Array(5),
        contentType: "application/octet-stream",
      }),
    );
    ok(
      await rest(emu, "POST", `/api/hubs/dash/connections/${a.connectionId}/:send`, {
        body: "to a",
        contentType: "text/plain",
      }),
    );
    const toAll = await feed.find((e) => e.kind === "message" && e.to === "all", "send to all");
    expect(toAll).toMatchObject({ from: "server", dataType: "json", preview: '{"n":1}', recipients: 2 });
    expect(await feed.find((e) => e.to === "user bob", "send to user")).toMatchObject({
      preview: "to bob",
      recipients: 1,
    });
    expect(await feed.find((e) => e.to === "group room" && e.from === "server", "send to group")).toMatchObject({
      dataType: "binary",
      preview: "<5 bytes>",
      recipients: 2,
    });
    expect(await feed.find((e) => e.to === `connection ${a.connectionId}`, "send to connection")).toMatchObject({
      preview: "to a",
      recipients: 1,
    });

    // client events, the handler's reply, and a failing handler
    a.send({ type: "event", event: "echo", dataType: "json", data: { q: 1 }, ackId: 2 });
    await a.message((m) => m.type === "ack" && m.ackId === 2);
    expect(await feed.find((e) => e.kind === "event" && e.event === "echo", "client event")).toMatchObject({
      connectionId: a.connectionId,
      dataType: "json",
      preview: '{"q":1}',
    });
    expect(await feed.find((e) => e.kind === "upstream" && e.event === "echo", "upstream echo")).toMatchObject({
      status: 200,
    });
    expect(await feed.find((e) => e.from === "server (event reply)", "event reply")).toMatchObject({
      to: `connection ${a.connectionId}`,
      preview: "echo reply",
    });
    a.send({ type: "event", event: "boom", dataType: "text", data: "x", ackId: 3 });
    await a.message((m) => m.type === "ack" && m.ackId === 3);
    expect(await feed.find((e) => e.kind === "upstream" && e.event === "boom", "upstream failure")).toMatchObject({
      status: 400,
    });

    // leaving and a REST close with its reason and code
    b.send({ type: "leaveGroup", group: "room", ackId: 4 });
    await b.message((m) => m.type === "ack" && m.ackId === 4);
    await feed.find((e) => e.kind === "left" && e.connectionId === b.connectionId && e.group === "room", "b leave");
    const closed = await rest(emu, "DELETE", `/api/hubs/dash/connections/${b.connectionId}?reason=bye+bob`);
    expect(closed.status).toBe(204);
    expect(
      await feed.find((e) => e.kind === "disconnected" && e.connectionId === b.connectionId, "b close"),
    ).toMatchObject({ reason: "bye bob", code: 1000, userId: "bob" });
    await feed.find((e) => e.kind === "upstream" && e.event === "disconnected", "upstream disconnected");
    await a.close();
    expect(
      await feed.find((e) => e.kind === "disconnected" && e.connectionId === a.connectionId, "a close"),
    ).toMatchObject({ code: 1000 });
  });

  it("records simple clients' frames as events and sendToGroup frames as messages", async () => {
    const token = clientToken(emu, "dash", { sub: "simple", role: "webpubsub.sendToGroup" });
    const base = `${emu.endpoint.replace("http", "ws")}/client/hubs/dash?access_token=${token}`;
    const ev = new TestClient(base);
    await ev.opened;
    ev.ws.send(Buffer.from([1, 2, 3]), { binary: true });
    const e = await feed.find((x) => x.kind === "event" && x.event === "message" && x.userId === "simple", "frame");
    expect(e).toMatchObject({ dataType: "binary", preview: "<3 bytes>", from: e.connectionId });
    await ev.close();

    const pub = new TestClient(`${base}&webpubsub_mode=sendToGroup&group=lobby`);
    await pub.opened;
    pub.ws.send("plain frame");
    expect(await feed.find((x) => x.kind === "message" && x.preview === "plain frame", "simple publish")).toMatchObject(
      { to: "group lobby", dataType: "text", recipients: 0 },
    );
    const opened = await feed.find((x) => x.kind === "connected" && x.connectionId === e.connectionId, "open");
    expect(opened.subprotocol).toBe("(simple)");
    await pub.close();
  });

  it("records a reliable client's drop and recovery", async () => {
    const c = await connect(emu, "dash", { protocol: RELIABLE_PROTOCOL, claims: { sub: "rel" } });
    const connected = c.messages.find((m) => m.event === "connected")!;
    c.ws.terminate();
    expect(await feed.find((e) => e.kind === "dropped" && e.connectionId === c.connectionId, "drop")).toMatchObject({
      code: 1006,
    });
    const url =
      `${emu.endpoint.replace("http", "ws")}/client/hubs/dash?awps_connection_id=${c.connectionId}` +
      `&awps_reconnection_token=${encodeURIComponent(String(connected.reconnectionToken))}`;
    const again = new TestClient(url, RELIABLE_PROTOCOL);
    await again.opened;
    await feed.find((e) => e.kind === "recovered" && e.connectionId === c.connectionId, "recovery");
    await again.close();
    await feed.find((e) => e.kind === "disconnected" && e.connectionId === c.connectionId, "final close");
  });

  it("keeps recent entries in /_emulator/state, bounded, and never shows the access key or tokens", async () => {
    const c = await connect(emu, "dash", { claims: { sub: "leaky" } });
    const token = clientToken(emu, "dash", { sub: "x" });
    for (let i = 0; i < 230; i++) {
      await rest(emu, "POST", `/api/hubs/dash/connections/${c.connectionId}/:send`, {
        body: i === 229 ? `last ${emu.accessKey} access_token=${token} ${token}` : `n${i}`,
        contentType: "text/plain",
      });
    }
    const s = await state();
    expect(s.activity).toHaveLength(200);
    const ids = s.activity.map((e) => e.id);
    expect(ids).toEqual([...ids].sort((x, y) => x - y));
    const last = s.activity.at(-1)!;
    expect(last.preview).toBe("last *** access_token=*** <token>");
    const whole = JSON.stringify(s) + JSON.stringify(feed.entries);
    expect(whole).not.toContain(emu.accessKey);
    expect(whole).not.toContain(token);
    expect(whole).not.toContain("secret-handler-token");
    expect(whole).toContain("access_token=***");
    await c.close();
  });

  it("resumes a stream after ?since= or Last-Event-ID and rejects a bad id", async () => {
    const s = await state();
    const lastId = s.activity.at(-1)!.id;
    const since = new SseReader(`${emu.endpoint}/_emulator/events?since=${lastId - 3}`);
    await since.find((e) => e.id === lastId, "the newest entry");
    expect(since.entries.map((e) => e.id).slice(0, 3)).toEqual([lastId - 2, lastId - 1, lastId]);
    expect(since.ids[0]).toBe(String(lastId - 2));
    since.abort();
    const resumed = new SseReader(`${emu.endpoint}/_emulator/events`, { "last-event-id": String(lastId - 1) });
    await resumed.find((e) => e.id === lastId, "the newest entry after Last-Event-ID");
    expect(resumed.entries[0]!.id).toBe(lastId);
    resumed.abort();
    expect((await fetch(`${emu.endpoint}/_emulator/events?since=abc`)).status).toBe(400);
    expect((await fetch(`${emu.endpoint}/_emulator/events`, { method: "POST" })).status).toBe(405);
  });

  it("the page uses EventSource on /_emulator/events", async () => {
    const page = await (await fetch(`${emu.endpoint}/_emulator`)).text();
    expect(page).toContain('new EventSource("/_emulator/events?since="');
    expect(page).toContain('id="feed-rows"');
  });
});

describe("the size of /_emulator/state", () => {
  // Rule: what one client does cannot make every state answer (polled each second by the page) grow without bound. A
  // connection lists at most MAX_GROUPS_SHOWN of its groups and counts them all; before, it listed every group, and a
  // client in 20,000 groups of 1,000 characters made each answer 20 MB and 0.24 s of CPU.
  async function groupsOf(connectionId: string) {
    const c = (await state()).hubs
      .find((h) => h.name === "dashsize")!
      .connections.find((x) => x.connectionId === connectionId)!;
    return { groups: c.groups, groupCount: c.groupCount };
  }
  async function join(connectionId: string, groups: string[]) {
    const body = JSON.stringify({ groups, filter: `connectionId eq '${connectionId}'` });
    expect(
      (await rest(emu, "POST", "/api/hubs/dashsize/:addToGroups", { body, contentType: "application/json" })).status,
    ).toBe(200);
  }

  it(`lists at most ${MAX_GROUPS_SHOWN} groups of a connection, and counts them all`, async () => {
    const c = await connect(emu, "dashsize");
    const names = Array.from({ length: MAX_GROUPS_SHOWN + 1 }, (_, i) => `g${String(i).padStart(3, "0")}`);
    await join(c.connectionId, names.slice(0, MAX_GROUPS_SHOWN));
    expect(await groupsOf(c.connectionId)).toEqual({
      groups: names.slice(0, MAX_GROUPS_SHOWN),
      groupCount: MAX_GROUPS_SHOWN,
    });
    await join(c.connectionId, names.slice(MAX_GROUPS_SHOWN));
    expect(await groupsOf(c.connectionId)).toEqual({
      groups: names.slice(0, MAX_GROUPS_SHOWN),
      groupCount: MAX_GROUPS_SHOWN + 1,
    });
    await c.close();
  });
});

describe("dashboard off and shutdown", () => {
  it("is off by default: every dashboard path is 404", async () => {
    const off = await startEmulator();
    try {
      for (const p of ["/_emulator", "/_emulator/state", "/_emulator/events"]) {
        expect((await fetch(`${off.endpoint}${p}`)).status, p).toBe(404);
      }
    } finally {
      await off.close();
    }
  });

  it("close() ends open SSE streams promptly", async () => {
    const on = await startEmulator({ dashboard: true });
    const readers = [
      new SseReader(`${on.endpoint}/_emulator/events`),
      new SseReader(`${on.endpoint}/_emulator/events`),
    ];
    await Promise.all(readers.map((r) => r.response));
    const c = await connect(on, "h", { claims: { sub: "u" } });
    await Promise.all(readers.map((r) => r.find((e) => e.kind === "connected", "connect")));
    const started = Date.now();
    await on.close();
    expect(Date.now() - started).toBeLessThan(2000);
    await Promise.all(readers.map((r) => r.done));
    // ended by the emulator with a proper end of stream, not cut off with the socket
    expect(readers.map((r) => r.endedCleanly)).toEqual([true, true]);
    expect(readers[0]!.entries.some((e) => e.kind === "connected" && e.connectionId === c.connectionId)).toBe(true);
  });
});
