// The official @azure/web-pubsub-client 1.1.0 as the peer of the emulator's invocations and group streams:
// `invokeEvent` answered by an event handler, its failure and its abort (cancelInvocation reaches the emulator and
// aborts the upstream request); `openGroupStream` of 1,000 fragments read in order by a second official client's
// `onGroupStream`; a stream that survives a TCP cut of a reliable connection with every fragment exactly once and in
// order; idle timeout and Forbidden as the official writer sees them.
import type { ServerResponse } from "node:http";
import { InvocationError, WebPubSubClient, WebPubSubJsonProtocol } from "@azure/web-pubsub-client";
import { type FaultProxy, startFaultProxy } from "@webpubsub/test-kit";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type RunningEmulator, startEmulator } from "../src/index.ts";
import { hubNames, sign } from "./helpers/clients.ts";
import { counterWaiter } from "./helpers/counter-waiter.ts";
import { defaultResponder, type HandlerServer, startHandlerServer } from "./upstream-fixtures/handler-server.ts";

let emu: RunningEmulator;
let hs: HandlerServer;
let proxy: FaultProxy;
beforeAll(async () => {
  hs = await startHandlerServer();
  emu = await startEmulator({
    hubs: { _default: { eventHandlers: [{ urlTemplate: `${hs.base}/{hub}/{event}`, userEventPattern: "*" }] } },
  });
  proxy = await startFaultProxy(emu.port);
});
const clients: WebPubSubClient[] = [];
afterEach(() => {
  for (const c of clients.splice(0)) c.stop();
  hs.respond = defaultResponder;
  proxy.onClientText = undefined;
});
afterAll(async () => {
  await proxy.close();
  await emu.close();
  await hs.close();
});

const hub = hubNames("official");

/** An official client (default: the reliable JSON protocol) for `h`, through the fault proxy when `viaProxy`. */
async function officialClient(
  h: string,
  opts: { roles?: string[]; groups?: string[]; viaProxy?: boolean; plainJson?: boolean } = {},
): Promise<WebPubSubClient> {
  const port = opts.viaProxy === true ? proxy.port : emu.port;
  const endpoint = `http://127.0.0.1:${port}`;
  const now = Math.floor(Date.now() / 1000);
  const claims: Record<string, unknown> = { aud: `${endpoint}/client/hubs/${h}`, exp: now + 600 };
  if (opts.roles !== undefined) claims.role = opts.roles;
  if (opts.groups !== undefined) claims["webpubsub.group"] = opts.groups;
  const url = `ws://127.0.0.1:${port}/client/hubs/${h}?access_token=${sign(claims, emu.accessKey)}`;
  const client = new WebPubSubClient(url, opts.plainJson === true ? { protocol: WebPubSubJsonProtocol() } : {});
  clients.push(client);
  await client.start();
  return client;
}

describe("official client invokeEvent", () => {
  it("gets the event handler's reply", async () => {
    const h = hub();
    hs.respond = (req, res) => {
      if (req.method === "OPTIONS") return defaultResponder(req, res);
      res.setHeader("Content-Type", "application/json");
      res.end(JSON.stringify({ sum: (JSON.parse(req.text) as number[]).reduce((a, b) => a + b, 0) }));
    };
    const client = await officialClient(h);
    const result = await client.invokeEvent("add", [1, 2, 3], "json");
    expect(result).toEqual({ invocationId: expect.any(String), dataType: "json", data: { sum: 6 } });
    const req = await hs.waitFor((r) => r.url === `/${h}/add`);
    expect(req.headers["ce-type"]).toBe("azure.webpubsub.user.add");
  });

  it("fails with InvocationError carrying the service's error when the handler fails", async () => {
    const h = hub();
    hs.respond = (req, res) => {
      if (req.method === "OPTIONS") return defaultResponder(req, res);
      res.statusCode = 400;
      res.end("no");
    };
    const client = await officialClient(h);
    const error = await client.invokeEvent("broken", "x", "text").then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(InvocationError);
    expect((error as InvocationError).errorDetail).toEqual({
      name: "InternalServerError",
      message: expect.stringContaining("answered 400: no"),
    });
  });

  it("abort sends cancelInvocation, which aborts the upstream request", async () => {
    const h = hub();
    let held!: (res: ServerResponse) => void;
    const requestHeld = new Promise<ServerResponse>((resolve) => {
      held = resolve;
    });
    hs.respond = (req, res) => {
      if (req.method === "OPTIONS") return defaultResponder(req, res);
      held(res);
    };
    const cancels: string[] = [];
    proxy.onClientText = (text) => {
      if (text.includes('"cancelInvocation"')) cancels.push(text);
    };
    const client = await officialClient(h, { viaProxy: true });
    const abort = new AbortController();
    const invoking = client.invokeEvent("slow", "x", "text", { abortSignal: abort.signal, invocationId: "to-cancel" });
    const res = await requestHeld;
    const upstreamAborted = new Promise<void>((resolve) => res.on("close", () => resolve()));
    abort.abort();
    await expect(invoking).rejects.toBeInstanceOf(InvocationError);
    await upstreamAborted;
    expect(cancels.map((t) => JSON.parse(t))).toEqual([{ type: "cancelInvocation", invocationId: "to-cancel" }]);
  });
});

describe("official client group streams", () => {
  it("streams 1,000 fragments from one official client to another's onGroupStream, in order", async () => {
    const h = hub();
    // The subscriber speaks json.webpubsub.azure.v1: with the reliable protocol the official client acknowledges too
    // rarely for 1,001 messages in a burst, and the service drops a reliable client with more than 1000 unacked
    // messages (see "Notes on the official client" in the README). The publisher uses the default reliable protocol.
    const subscriber = await officialClient(h, { groups: ["g"], plainJson: true });
    const received: string[] = [];
    let ended = false;
    const done = counterWaiter(() => (ended ? 1 : 0), 30_000, "stream end");
    const seenIds: string[] = [];
    subscriber.onGroupStream(async (stream) => {
      seenIds.push(stream.streamId);
      for await (const fragment of stream) received.push(fragment.data as string);
      ended = true;
      done.notify();
    });
    const publisher = await officialClient(h, { roles: ["webpubsub.sendToGroup"] });
    const writer = await publisher.openGroupStream("g");
    const total = 1000;
    for (let i = 0; i < total; i++) await writer.write(`fragment ${i}`, "text");
    await writer.end();
    await done.atLeast(1);
    expect(seenIds).toEqual([writer.streamId]);
    expect(received).toEqual(Array.from({ length: total }, (_, i) => `fragment ${i}`));
  }, 60_000);

  // The official client resumes a paused outbound stream when the recovered socket brings a `connected` frame.
  it("keeps a reliable publisher's stream across a TCP cut: every fragment exactly once, in order", async () => {
    const h = hub();
    const subscriber = await officialClient(h, { groups: ["g"], plainJson: true });
    const received: number[] = [];
    const sequenceIds: number[] = [];
    let ended = false;
    const arrivals = counterWaiter(() => received.length + (ended ? 1 : 0), 30_000, "fragments");
    subscriber.onGroupStream(async (stream) => {
      for await (const fragment of stream) {
        received.push(Number(fragment.data));
        sequenceIds.push(fragment.stream?.streamSequenceId ?? -1);
        arrivals.notify();
      }
      ended = true;
      arrivals.notify();
    });
    let reconnects = 0;
    const publisher = await officialClient(h, { roles: ["webpubsub.sendToGroup"], viaProxy: true });
    publisher.on("connected", () => reconnects++);
    const writer = await publisher.openGroupStream("g");
    const errors: unknown[] = [];
    writer.onError((e) => errors.push(e));
    const total = 600;
    for (let i = 0; i < 300; i++) await writer.write(String(i), "text");
    // cut while the first half is still arriving (fragments written but not yet acknowledged are sent again after
    // the recovery), then write the second half into the paused stream
    await arrivals.atLeast(100);
    proxy.cutAll();
    for (let i = 300; i < total; i++) await writer.write(String(i), "text");
    await writer.end();
    await arrivals.atLeast(total + 1);
    expect(received).toEqual(Array.from({ length: total }, (_, i) => i));
    expect(sequenceIds).toEqual(Array.from({ length: total }, (_, i) => i + 1));
    expect(errors).toEqual([]);
    // recovered, not reconnected: the stream lived on in the same session
    expect(reconnects).toBe(0);
  }, 60_000);

  it("surfaces the emulator's IdleTimeout to the official writer", async () => {
    const h = hub();
    const publisher = await officialClient(h, { roles: ["webpubsub.sendToGroup"] });
    // The writer exists only once the start is acked, and its onError does not replay an earlier error: an idle
    // timeout shorter than a scheduling stall of this process could close the stream before the listener is added.
    const writer = await publisher.openGroupStream("g", { idleTimeoutInMs: 3000 });
    const error = await new Promise<{ name: string; message?: string }>((resolve) => {
      writer.onError((e) => resolve({ name: e.name, message: e.message }));
    });
    expect(error).toEqual({ name: "IdleTimeout", message: "The stream had no activity for 3000 ms." });
    await expect(writer.write("late", "text")).rejects.toThrow(/completed/);
  });

  it("refuses the official openGroupStream without sendToGroup permission (Forbidden)", async () => {
    const h = hub();
    const publisher = await officialClient(h, { roles: ["webpubsub.sendToGroup.other"] });
    const error = await publisher.openGroupStream("g").then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(error?.name).toBe("Forbidden");
    const allowed = await publisher.openGroupStream("other");
    await allowed.end();
  });
});
