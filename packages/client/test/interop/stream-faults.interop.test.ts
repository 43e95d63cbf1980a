// Group streams when things go wrong, against the emulator: a TCP cut of a reliable connection (writer or reader)
// loses and repeats nothing; a lost fragment is nacked and the writer rewinds; a silent stream ends with IdleTimeout
// while keepalives keep a quiet one open; abort() reaches readers as UserError; a start without permission is Forbidden.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type GroupStream, GroupStreamError, type WebPubSubClient, type WebSocketFactory } from "../../src/index.ts";
import { nextEvent } from "../fake-socket.ts";
import { fragments, STREAM_ROLES, type Stage, signal, startStage } from "./peers.ts";

let stage: Stage;
beforeAll(async () => {
  stage = await startStage();
});
afterEach(() => stage.reset());
afterAll(() => stage.close());

/** Reads every stream the client receives; `arrived(n)` resolves once n fragments arrived. */
function reader(client: Pick<WebPubSubClient, "onGroupStream">) {
  const data: unknown[] = [];
  const sequenceIds: number[] = [];
  const waiters: { n: number; resolve: () => void }[] = [];
  const ended = signal<string | undefined>();
  const subscription = client.onGroupStream(async (stream: GroupStream) => {
    try {
      for await (const fragment of stream) {
        data.push(fragment.data);
        sequenceIds.push(fragment.stream.streamSequenceId);
        for (const w of waiters.filter((w) => data.length >= w.n)) w.resolve();
      }
      ended.resolve(undefined);
    } catch (error) {
      ended.resolve((error as Error).name);
    }
  });
  return {
    data,
    sequenceIds,
    ended: ended.promise,
    ready: subscription.ready,
    arrived: (n: number) =>
      data.length >= n ? Promise.resolve() : new Promise<void>((resolve) => waiters.push({ n, resolve })),
  };
}

const oneTo = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

/** A socket factory that records the frames its sockets receive and send (parsed), and can lose frames it sends. */
function spyingFactory(drop?: (frame: { type?: string; streamSequenceId?: number }) => boolean) {
  const received: {
    type?: string;
    name?: string;
    sequenceId?: number;
    expectedSequenceId?: number;
    streamSequenceId?: number;
  }[] = [];
  const sent: { type?: string; streamId?: string; streamSequenceId?: number }[] = [];
  const factory: WebSocketFactory = (url, protocols) => {
    const socket = new WebSocket(url, protocols);
    socket.addEventListener("message", (e) => {
      if (typeof e.data === "string") received.push(JSON.parse(e.data));
    });
    const send = socket.send.bind(socket);
    socket.send = (data) => {
      const frame = typeof data === "string" ? JSON.parse(data) : {};
      if (drop?.(frame)) return; // lost on the way
      sent.push(frame);
      send(data);
    };
    return socket;
  };
  return { factory, received, sent };
}

describe("a group stream across a TCP cut of a reliable connection", () => {
  it("the writer is cut: it recovers the session and every fragment arrives exactly once, in order", async () => {
    const proxy = await stage.proxy();
    const read = reader(await stage.ours({ groups: ["g"] }, { protocol: "json" }));
    await read.ready;
    const client = await stage.ours({ roles: STREAM_ROLES }, { protocol: "json.reliable" }, proxy);
    let reconnects = 0;
    client.on("connected", () => reconnects++);
    const writer = await client.openGroupStream("g");
    const errors: string[] = [];
    writer.onError((e) => errors.push(e.name));
    const total = 600;
    const texts = fragments(total);
    for (const text of texts.slice(0, 300)) void writer.write(text, "text");
    await read.arrived(100); // cut while the first half is still on its way
    const recovered = nextEvent(client, "recovered");
    proxy.cutAll();
    for (const text of texts.slice(300)) void writer.write(text, "text"); // queued while recovering
    await recovered;
    await writer.end();
    expect(await read.ended).toBeUndefined();
    expect(read.data).toEqual(texts);
    expect(read.sequenceIds).toEqual(oneTo(total));
    expect(errors).toEqual([]);
    expect(reconnects).toBe(0); // the same session went on: recovered, not reconnected
    expect(proxy.accepted).toBe(2);
  }, 60_000);

  it("the reader is cut: the service replays what it missed and the client drops the repeats", async () => {
    const proxy = await stage.proxy();
    const { factory, received } = spyingFactory();
    const client = await stage.ours({ groups: ["g"] }, { protocol: "json.reliable", webSocketFactory: factory }, proxy);
    const read = reader(client);
    await read.ready;
    const writer = await (await stage.ours({ roles: STREAM_ROLES })).openGroupStream("g");
    const total = 600;
    const texts = fragments(total);
    for (const text of texts.slice(0, 300)) await writer.write(text, "text");
    await read.arrived(100);
    const recovered = nextEvent(client, "recovered");
    proxy.cutAll();
    for (const text of texts.slice(300)) await writer.write(text, "text"); // published while the reader is away
    await recovered;
    await writer.end();
    expect(await read.ended).toBeUndefined();
    expect(read.data).toEqual(texts);
    expect(read.sequenceIds).toEqual(oneTo(total));
    // what reached the socket: every fragment at least once (the ones the reader had not acknowledged at the cut are
    // replayed after the recovery, and dropped by the client as repeats)
    const seenOnSocket = new Set(received.filter((f) => f.type === "message").map((f) => f.sequenceId));
    expect(seenOnSocket.size).toBeGreaterThanOrEqual(total + 1);
  }, 60_000);
});

describe("group stream errors against the emulator", () => {
  it("a fragment lost on the way is nacked (InvalidSequenceId) and the writer rewinds from it", async () => {
    let dropped = false;
    const spy = spyingFactory((frame) => {
      if (dropped || frame.type !== "streamData" || frame.streamSequenceId !== 5) return false;
      dropped = true;
      return true;
    });
    const read = reader(await stage.ours({ groups: ["g"] }));
    await read.ready;
    const client = await stage.ours({ roles: STREAM_ROLES }, { webSocketFactory: spy.factory });
    const writer = await client.openGroupStream("g");
    const texts = fragments(20);
    for (const text of texts) await writer.write(text, "text");
    // The end is not sequenced (the service closes the stream at whatever it accepted so far), so it goes out once
    // the rewound fragments are through; over a real socket nothing is lost without the connection dropping.
    await read.arrived(20);
    await writer.end();
    expect(await read.ended).toBeUndefined();
    expect(read.data).toEqual(texts);
    expect(read.sequenceIds).toEqual(oneTo(20));
    const nacks = spy.received.filter((f) => f.type === "streamNack");
    expect(nacks[0]).toMatchObject({ expectedSequenceId: 5, name: "InvalidSequenceId" });
    const written = spy.sent.filter((f) => f.type === "streamData").map((f) => f.streamSequenceId);
    expect(written.slice(0, 4)).toEqual([1, 2, 3, 4]); // 5 was lost
    expect(written.at(-1)).toBe(20);
    expect(written.filter((id) => id === 5)).toHaveLength(1); // written again once, after the nack
  });

  it("a silent official writer's stream ends with IdleTimeout at our reader; our writer's keepalives hold one open", async () => {
    const read = reader(await stage.ours({ groups: ["g"] }));
    await read.ready;
    const official = await stage.official({ roles: STREAM_ROLES });
    // The idle timeouts leave seconds, not milliseconds, between a write and the next on a busy machine: a 100 ms one
    // ended the silent stream before its only fragment when the writer was descheduled, and the reader never saw it.
    const silent = await official.openGroupStream("g", { idleTimeoutInMs: 1_000 });
    await silent.write("only one", "text");
    expect(await read.ended).toBe("IdleTimeout");
    expect(read.data).toEqual(["only one"]);

    // ours with the same idle timeout: keepalives (a third of it apart) keep the stream open past it
    const spy = spyingFactory();
    const ours = await stage.ours({ roles: STREAM_ROLES }, { webSocketFactory: spy.factory });
    const writer = await ours.openGroupStream("g", { idleTimeoutInMs: 2_000 });
    const errors: string[] = [];
    writer.onError((e) => errors.push(e.name));
    const keepalives = () => spy.sent.filter((f) => f.type === "streamData" && f.streamSequenceId === undefined);
    // four keepalives, a third of the timeout apart: over 2 s without a fragment (stops early if the stream failed)
    while (keepalives().length < 4 && errors.length === 0) await new Promise((r) => setTimeout(r, 50));
    await writer.write("still open", "text");
    await writer.end();
    expect(errors).toEqual([]);
  });

  it("abort() ends the stream with a UserError that both our reader and the official one receive", async () => {
    const ours = reader(await stage.ours({ groups: ["g"] }));
    await ours.ready;
    const official = await stage.official({ groups: ["g"] }, { plainJson: true });
    const officialEnded = signal<{ name: string; message: string }>();
    official.onGroupStream(async (stream) => {
      try {
        for await (const _ of stream);
      } catch (error) {
        const e = error as { name: string; message: string };
        officialEnded.resolve({ name: e.name, message: e.message });
      }
    });
    const writer = await (await stage.ours({ roles: STREAM_ROLES })).openGroupStream("g");
    await writer.write("before the abort", "text");
    await writer.abort({ message: "upload cancelled", userErrorCode: "Cancelled.ByUser" });
    expect(await ours.ended).toBe("UserError");
    expect(ours.data).toEqual(["before the abort"]);
    expect(await officialEnded.promise).toMatchObject({ name: "UserError", message: "upload cancelled" });
    await expect(writer.write("after", "text")).rejects.toThrow();
  });

  it("a start without sendToGroup permission for the group is Forbidden; a granted group opens", async () => {
    const client = await stage.ours({ roles: ["webpubsub.sendToGroup.allowed"] });
    const refused = await client.openGroupStream("other").catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(GroupStreamError);
    expect(refused).toMatchObject({ name: "Forbidden" });
    const writer = await client.openGroupStream("allowed");
    await writer.write("ok", "text");
    await writer.end();
  });
});
