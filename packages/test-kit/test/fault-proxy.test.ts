// The fault proxy's promises to the tests that use it: bytes pass both ways; cutAll resets both sides; refuseNew turns
// new connections away only while on; stallOpen holds bytes and closes on the connections open at the time, not on
// later ones; retarget moves only new connections; onClientText reports the client's text frames, also when it is set
// in the middle of a connection.
import { once } from "node:events";
import { createServer, type Server, type Socket, connect as tcpConnect } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import WebSocket, { WebSocketServer } from "ws";
import { type FaultProxy, startFaultProxy } from "../src/index.ts";

const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

/** A TCP server answering every chunk with `<name>:<chunk>`; resolves once listening. */
async function echoServer(name: string): Promise<{ server: Server; port: number; sockets: Socket[] }> {
  const sockets: Socket[] = [];
  const server = createServer((socket) => {
    sockets.push(socket);
    socket.on("error", () => {});
    socket.on("data", (chunk) => socket.write(`${name}:${chunk}`));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  cleanup.push(() => {
    for (const s of sockets) s.destroy();
    return new Promise((resolve) => server.close(resolve));
  });
  return { server, port: (server.address() as { port: number }).port, sockets };
}

async function proxyTo(port: number): Promise<FaultProxy> {
  const proxy = await startFaultProxy(port);
  cleanup.push(() => proxy.close());
  return proxy;
}

async function dial(port: number): Promise<Socket> {
  const socket = tcpConnect(port, "127.0.0.1");
  socket.on("error", () => {});
  cleanup.push(() => void socket.destroy());
  await once(socket, "connect");
  return socket;
}

/** Resolves when `socket` closes (events.once would reject on the "error" a reset emits first). */
function closed(socket: Socket): Promise<void> {
  return new Promise((resolve) => socket.once("close", () => resolve()));
}

async function roundTrip(socket: Socket, text: string): Promise<string> {
  socket.write(text);
  const [chunk] = (await once(socket, "data")) as [Buffer];
  return chunk.toString();
}

describe("fault proxy", () => {
  it("forwards both ways and counts accepted and open connections", async () => {
    const target = await echoServer("a");
    const proxy = await proxyTo(target.port);
    expect([proxy.accepted, proxy.open]).toEqual([0, 0]);
    const socket = await dial(proxy.port);
    expect(await roundTrip(socket, "hi")).toBe("a:hi");
    expect([proxy.accepted, proxy.open]).toEqual([1, 1]);
  });

  it("cutAll resets both the client and the server side", async () => {
    const target = await echoServer("a");
    const proxy = await proxyTo(target.port);
    const socket = await dial(proxy.port);
    await roundTrip(socket, "hi");
    const serverSide = target.sockets[0]!;
    const clientClosed = closed(socket);
    const serverClosed = closed(serverSide);
    const clientError = new Promise<NodeJS.ErrnoException>((resolve) => socket.once("error", resolve));
    proxy.cutAll();
    const error = await clientError;
    expect(error.code).toBe("ECONNRESET"); // a reset, not an orderly end
    await Promise.all([clientClosed, serverClosed]);
    expect(proxy.open).toBe(0);
  });

  it("refuseNew resets new connections while on and lets them through once off; open ones are untouched", async () => {
    const target = await echoServer("a");
    const proxy = await proxyTo(target.port);
    const before = await dial(proxy.port);
    proxy.refuseNew(true);
    const refused = tcpConnect(proxy.port, "127.0.0.1");
    const [error] = (await once(refused, "error")) as [NodeJS.ErrnoException];
    expect(error.code).toBe("ECONNRESET");
    expect(await roundTrip(before, "still")).toBe("a:still");
    proxy.refuseNew(false);
    expect(await roundTrip(await dial(proxy.port), "again")).toBe("a:again");
    expect(proxy.accepted).toBe(3);
  });

  it("stallOpen holds bytes and closes on the connections open then; a later connection flows", async () => {
    const target = await echoServer("a");
    const proxy = await proxyTo(target.port);
    const stalled = await dial(proxy.port);
    await roundTrip(stalled, "hi");
    proxy.stallOpen();
    const received: string[] = [];
    stalled.on("data", (chunk) => received.push(chunk.toString()));
    stalled.write("held");
    target.sockets[0]!.write("held too");
    const fresh = await dial(proxy.port);
    expect(await roundTrip(fresh, "through")).toBe("a:through");
    // the close of the server side does not reach the stalled client: it stays open (half-open)
    const serverClosed = closed(target.sockets[0]!);
    target.sockets[0]!.destroy();
    await serverClosed;
    expect(await roundTrip(fresh, "after")).toBe("a:after"); // events of the stalled pair have been handled by now
    expect(received).toEqual([]);
    expect(stalled.destroyed).toBe(false);
    proxy.cutAll();
    await closed(stalled);
  });

  it("stallOpen('toClient') holds only what travels to the client", async () => {
    const target = await echoServer("a");
    const proxy = await proxyTo(target.port);
    const socket = await dial(proxy.port);
    await roundTrip(socket, "hi");
    proxy.stallOpen("toClient");
    const reached = new Promise<string>((resolve) => target.sockets[0]!.once("data", (c) => resolve(c.toString())));
    socket.write("to the server");
    expect(await reached).toBe("to the server");
  });

  it("retarget sends new connections to the other port and leaves open ones where they are", async () => {
    const a = await echoServer("a");
    const b = await echoServer("b");
    const proxy = await proxyTo(a.port);
    const first = await dial(proxy.port);
    proxy.retarget(b.port);
    expect(await roundTrip(await dial(proxy.port), "x")).toBe("b:x");
    expect(await roundTrip(first, "y")).toBe("a:y");
  });

  it("onClientText reports the client's text frames (not binary ones), also when set mid-connection", async () => {
    const wss = new WebSocketServer({ port: 0, host: "127.0.0.1" });
    await once(wss, "listening");
    cleanup.push(() => new Promise((resolve) => wss.close(resolve)));
    const proxy = await proxyTo((wss.address() as { port: number }).port);
    const accepted = once(wss, "connection") as Promise<[WebSocket]>;
    const ws = new WebSocket(`ws://127.0.0.1:${proxy.port}/`);
    cleanup.push(() => ws.terminate());
    const [[serverSide]] = await Promise.all([accepted, once(ws, "open")]);
    // a frame passes the proxy before anyone watches: the watcher still reads it, so it stays in step
    ws.send("before");
    expect(String((await once(serverSide, "message"))[0])).toBe("before");
    const texts: string[] = [];
    const seen = new Promise<void>((resolve) => {
      proxy.onClientText = (text) => {
        texts.push(text);
        if (text === "last") resolve();
      };
    });
    const medium = "é".repeat(200); // a 16-bit length, multi-byte characters
    const big = "x".repeat(70_000); // a 64-bit length
    ws.send(Buffer.from("binary"));
    ws.send(medium);
    ws.send(big);
    ws.send("last");
    await seen;
    expect(texts).toEqual([medium, big, "last"]);
  });
});
