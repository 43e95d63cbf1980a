// Real sockets must be usable as they are: the global WebSocket (browsers, Node >= 22) and the `ws` package both
// type-check as WebSocketLike without a cast (this file fails typecheck otherwise), and work at run time.
import { describe, expect, it } from "vitest";
import WS from "ws";
import type { WebSocketFactory, WebSocketLike } from "../src/index.ts";

const globalFactory: WebSocketFactory = (url, protocols) => new WebSocket(url, protocols);
const wsFactory: WebSocketFactory = (url, protocols) => new WS(url, protocols, { perMessageDeflate: false });
const asLike = (socket: WebSocket | WS): WebSocketLike => socket;

describe("WebSocketLike", () => {
  it("accepts the global WebSocket and the ws package without casts", () => {
    expect(typeof globalFactory).toBe("function");
    expect(typeof wsFactory).toBe("function");
    expect(typeof asLike).toBe("function");
  });
});
