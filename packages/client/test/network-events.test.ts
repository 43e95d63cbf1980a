// The browser's hints, with the browser globals stubbed in Node on a fake clock: `online` / `visible` cut a reconnect
// wait short, `offline` / `online` / `visible` probe a live connection (a ping, and a recoverable drop when nothing
// answers within 5 s), and every listener is removed when the client stops. Chromium runs the real thing in
// browser-network.integration.test.ts.
import { afterEach, describe, expect, it, vi } from "vitest";
import type { WebPubSubClient, WebPubSubClientOptions } from "../src/index.ts";
import { watchNetworkEvents } from "../src/network-events.ts";
import { startedClient } from "./fake-socket.ts";

/** A stand-in for the browser's window and document that counts the listeners added and not removed yet. */
function stubBrowser() {
  const scope = new EventTarget();
  const document = Object.assign(new EventTarget(), { visibilityState: "hidden" as "hidden" | "visible" });
  const live = new Map<string, number>();
  const track = (target: EventTarget) => ({
    addEventListener: (type: string, listener: EventListener) => {
      live.set(type, (live.get(type) ?? 0) + 1);
      target.addEventListener(type, listener);
    },
    removeEventListener: (type: string, listener: EventListener) => {
      live.set(type, (live.get(type) ?? 0) - 1);
      target.removeEventListener(type, listener);
    },
  });
  const window = track(scope);
  vi.stubGlobal("addEventListener", window.addEventListener);
  vi.stubGlobal("removeEventListener", window.removeEventListener);
  vi.stubGlobal("document", {
    ...track(document),
    get visibilityState() {
      return document.visibilityState;
    },
  });
  return {
    listeners: () => Object.fromEntries([...live].filter(([, n]) => n !== 0)),
    online: () => scope.dispatchEvent(new Event("online")),
    offline: () => scope.dispatchEvent(new Event("offline")),
    visibility: (state: "hidden" | "visible") => {
      document.visibilityState = state;
      document.dispatchEvent(new Event("visibilitychange"));
    },
  };
}

afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

const started = (options: WebPubSubClientOptions = {}) => startedClient(options);

async function stop(client: WebPubSubClient) {
  const stopping = client.stop();
  await vi.advanceTimersByTimeAsync(10); // the fake peer answers the close
  await stopping;
}

describe("listeners", () => {
  it("in Node there is nothing to listen to", () => {
    expect(typeof (globalThis as { addEventListener?: unknown }).addEventListener).toBe("undefined");
    expect(typeof (globalThis as { document?: unknown }).document).toBe("undefined");
    const unwatch = watchNetworkEvents(() => {});
    unwatch();
  });

  it("start() adds one listener per event, stop() removes them all, also after a failed start and a restart", async () => {
    vi.useFakeTimers();
    const browser = stubBrowser();
    const { server, client } = await started();
    expect(browser.listeners()).toEqual({ online: 1, offline: 1, visibilitychange: 1 });
    await stop(client);
    expect(browser.listeners()).toEqual({});

    const again = client.start();
    expect(browser.listeners()).toEqual({ online: 1, offline: 1, visibilitychange: 1 });
    (await server.socket(1)).serverClose(1006); // the first connection fails: start() rejects
    await expect(again).rejects.toThrow();
    expect(browser.listeners()).toEqual({});

    const third = client.start();
    (await server.socket(2)).connected("conn3");
    await third;
    server.last.serverClose(1008); // dropped: reconnecting...
    await stop(client); // ...and stopped while waiting
    expect(browser.listeners()).toEqual({});
    browser.online(); // nothing listens any more: no socket is opened
    browser.visibility("visible");
    await vi.advanceTimersByTimeAsync(60_000);
    expect(server.sockets).toHaveLength(3);
  });
});

describe("watchNetworkEvents", () => {
  it("reports `online` and `offline` as such, and `visibilitychange` as `visible` only when the page became visible", () => {
    const browser = stubBrowser();
    const hints: string[] = [];
    const unwatch = watchNetworkEvents((hint) => hints.push(hint));
    browser.online();
    browser.offline();
    browser.visibility("hidden");
    browser.visibility("visible");
    expect(hints).toEqual(["online", "offline", "visible"]);
    unwatch();
    expect(browser.listeners()).toEqual({});
  });

  // A `document` that is not an event target (a server-side shim, a partial stub) is not listened to: only an object
  // with both addEventListener and removeEventListener is, so that every listener added can be removed again.
  it.each([
    ["null", null],
    ["a string", "document"],
    ["an object without the listener methods", {}],
    ["an object that can add a listener but not remove it", { addEventListener: vi.fn() }],
    ["an object that can remove a listener but not add it", { removeEventListener: vi.fn() }],
    ["an object whose listener methods are not functions", { addEventListener: 1, removeEventListener: 1 }],
  ])("a document that is %s is left alone, and the scope is still listened to", (_name, document) => {
    const browser = stubBrowser();
    vi.stubGlobal("document", document);
    const hints: string[] = [];
    const unwatch = watchNetworkEvents((hint) => hints.push(hint));
    expect(browser.listeners()).toEqual({ online: 1, offline: 1 });
    for (const method of Object.values(document ?? {})) {
      if (typeof method === "function") expect(method).not.toHaveBeenCalled();
    }
    browser.online();
    expect(hints).toEqual(["online"]);
    unwatch();
    expect(browser.listeners()).toEqual({});
  });

  it("a document with both listener methods is listened to, and its listener removed again", () => {
    stubBrowser();
    const document = { addEventListener: vi.fn(), removeEventListener: vi.fn(), visibilityState: "visible" };
    vi.stubGlobal("document", document);
    const hints: string[] = [];
    const unwatch = watchNetworkEvents((hint) => hints.push(hint));
    expect(document.addEventListener).toHaveBeenCalledTimes(1);
    const [type, listener] = document.addEventListener.mock.calls[0] as [string, () => void];
    expect(type).toBe("visibilitychange");
    listener();
    expect(hints).toEqual(["visible"]);
    unwatch();
    expect(document.removeEventListener).toHaveBeenCalledWith("visibilitychange", listener);
  });
});

describe("a reconnect or recovery waiting out its backoff", () => {
  it("tries at once on `online` and when the page becomes visible; `offline` and `hidden` change nothing", async () => {
    vi.useFakeTimers();
    vi.spyOn(Math, "random").mockReturnValue(0.5);
    const browser = stubBrowser();
    const { server, client, socket } = await started({ protocol: "json" });
    socket.serverClose(1006); // a short-lived connection: the reconnect waits 750 ms (75% of 2 x 500)
    await vi.advanceTimersByTimeAsync(700);
    browser.offline();
    browser.visibility("hidden");
    await vi.advanceTimersByTimeAsync(0);
    expect(server.sockets).toHaveLength(1);
    browser.online();
    await vi.advanceTimersByTimeAsync(0); // no time passes: the attempt is made at once
    expect(server.sockets).toHaveLength(2);
    server.last.serverClose(1006); // the attempt fails: the next one waits its (longer) backoff in full (next test)
    await vi.advanceTimersByTimeAsync(1500);
    expect(server.sockets).toHaveLength(3);
    server.last.serverClose(1006); // that one fails too: the next wait (3000 ms) ends as the page comes back
    await vi.advanceTimersByTimeAsync(100);
    expect(server.sockets).toHaveLength(3);
    browser.visibility("visible");
    await vi.advanceTimersByTimeAsync(0);
    expect(server.sockets).toHaveLength(4);
    expect(client.state).toBe("Connecting");
    await stop(client);
  });

  it("brings at most every other attempt forward: after an early attempt fails, the next wait runs in full however often the page flips its visibility", async () => {
    vi.useFakeTimers();
    vi.spyOn(Math, "random").mockReturnValue(0.5);
    const browser = stubBrowser();
    const { server, client, socket } = await started({ protocol: "json" });
    const flip = async () => {
      browser.visibility("hidden");
      browser.visibility("visible");
      browser.online();
      await vi.advanceTimersByTimeAsync(0);
    };
    socket.serverClose(1006); // a short-lived connection: attempt 1 waits 750 ms (75% of 2 x 500)
    await flip(); // brought forward
    expect(server.sockets).toHaveLength(2);
    server.last.serverClose(1006); // attempt 1 fails: attempt 2 waits 1500 ms (75% of 4 x 500) in full
    for (let i = 0; i < 14; i++) {
      await flip();
      await vi.advanceTimersByTimeAsync(100);
    }
    expect(server.sockets).toHaveLength(2); // 1400 ms and 15 flips later, no attempt yet
    await vi.advanceTimersByTimeAsync(99);
    expect(server.sockets).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(server.sockets).toHaveLength(3); // attempt 2, at the end of its backoff
    server.last.serverClose(1006); // it fails too: attempt 3's wait (3000 ms) may be cut short again
    await vi.advanceTimersByTimeAsync(0);
    expect(server.sockets).toHaveLength(3);
    await flip();
    expect(server.sockets).toHaveLength(4);
    expect(client.state).toBe("Connecting");
    await stop(client);
  });

  it("a recovery waiting out its backoff is cut short by `online` too, and the backoff count is kept", async () => {
    vi.useFakeTimers();
    vi.spyOn(Math, "random").mockReturnValue(0.5);
    const browser = stubBrowser();
    const { server, client, socket } = await started();
    socket.serverClose(1006);
    expect(client.state).toBe("Recovering");
    browser.online();
    await vi.advanceTimersByTimeAsync(0);
    expect(server.sockets).toHaveLength(2);
    expect(new URL(server.last.url).searchParams.get("awps_connection_id")).toBe("conn1");
    server.last.open();
    server.last.push({ type: "pong" }); // recovered...
    await vi.advanceTimersByTimeAsync(0);
    expect(client.state).toBe("Connected");
    server.last.serverClose(1006); // ...and lost at once: two short-lived connections, the wait is 75% of 4 x 500
    await vi.advanceTimersByTimeAsync(1499);
    expect(server.sockets).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(server.sockets).toHaveLength(3);
    await stop(client);
  });
});

describe("a connected client", () => {
  it.each([
    ["offline", (b: ReturnType<typeof stubBrowser>) => b.offline()],
    ["online", (b: ReturnType<typeof stubBrowser>) => b.online()],
    ["visible", (b: ReturnType<typeof stubBrowser>) => b.visibility("visible")],
  ] as const)(
    "on `%s` pings at once and drops the connection (recoverably) when nothing arrives within 5 s",
    async (_name, hint) => {
      vi.useFakeTimers();
      const browser = stubBrowser();
      const { server, client, socket } = await started();
      hint(browser);
      expect(socket.framesOf("ping")).toHaveLength(1);
      hint(browser); // a probe already running is not doubled
      expect(socket.framesOf("ping")).toHaveLength(1);
      await vi.advanceTimersByTimeAsync(4999);
      expect(client.state).toBe("Connected");
      await vi.advanceTimersByTimeAsync(1);
      expect(client.state).toBe("Recovering");
      expect(socket.closeCalls[0]?.code).toBe(4000); // not 1000: the session stays recoverable
      await vi.advanceTimersByTimeAsync(1000); // the recovery's backoff (this connection was short-lived)
      expect(server.sockets).toHaveLength(2);
      expect(new URL(server.last.url).searchParams.get("awps_connection_id")).toBe("conn1");
      await stop(client);
    },
  );

  it("a probe answered by any frame within 5 s keeps the connection", async () => {
    vi.useFakeTimers();
    const browser = stubBrowser();
    const { client, socket } = await started();
    browser.offline();
    await vi.advanceTimersByTimeAsync(4999);
    socket.push({ type: "pong" });
    await vi.advanceTimersByTimeAsync(10_000);
    expect(client.state).toBe("Connected");
    expect(socket.closeCalls).toEqual([]);
    browser.visibility("hidden"); // hiding the page is no reason to probe
    expect(socket.framesOf("ping")).toHaveLength(1);
    await stop(client);
  });

  it("with keepAliveTimeoutInMs: 0 a probe only pings and never drops", async () => {
    vi.useFakeTimers();
    const browser = stubBrowser();
    const { client, socket } = await started({ keepAliveTimeoutInMs: 0 });
    browser.offline();
    expect(socket.framesOf("ping")).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(client.state).toBe("Connected");
    await stop(client);
  });
});
