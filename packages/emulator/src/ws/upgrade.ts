// One upgrade request on its way through the handshake: the service and the `ws` server that completes it, the
// request with its socket and first bytes, and what it asks for (its target). Every endpoint (WebSocket sessions,
// recoveries, MQTT) decides on it and then completes it here: the chosen subprotocol is stashed on the request for
// ws's handleProtocols, and a service that began shutting down meanwhile closes the new socket with 1001.
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { type WebSocket, WebSocketServer } from "ws";
import type { Service } from "../service.ts";
import { closeSocket } from "./close-socket.ts";
import type { UpgradeTarget } from "./upgrade-target.ts";

export const MAX_FRAME_BYTES = 1024 * 1024;

/** The subprotocol the server answers with, stashed on the request for ws's handleProtocols. */
const SELECTED = Symbol("awps.subprotocol");
type UpgradeRequest = IncomingMessage & { [SELECTED]?: string | undefined };

/** The `ws` server that completes accepted upgrades (it listens on nothing itself). */
export function createWebSocketServer(): WebSocketServer {
  return new WebSocketServer({
    noServer: true,
    maxPayload: MAX_FRAME_BYTES,
    perMessageDeflate: false,
    clientTracking: false,
    handleProtocols: (_protocols, req) => (req as UpgradeRequest)[SELECTED] ?? false,
  });
}

export interface UpgradeParts {
  service: Service;
  wss: WebSocketServer;
  req: IncomingMessage;
  socket: Duplex;
  head: Buffer;
  target: UpgradeTarget;
}

export class Upgrade {
  readonly service: Service;
  readonly req: IncomingMessage;
  readonly socket: Duplex;
  readonly target: UpgradeTarget;
  readonly #wss: WebSocketServer;
  readonly #head: Buffer;

  constructor(parts: UpgradeParts) {
    this.service = parts.service;
    this.req = parts.req;
    this.socket = parts.socket;
    this.target = parts.target;
    this.#wss = parts.wss;
    this.#head = parts.head;
  }

  /** The subprotocol the 101 answer names (none when undefined). */
  select(subprotocol: string | undefined): void {
    (this.req as UpgradeRequest)[SELECTED] = subprotocol;
  }

  /** Upgrades the socket and hands it to `onSocket`. */
  complete(onSocket: (ws: WebSocket) => void): void {
    this.#wss.handleUpgrade(this.req, this.socket, this.#head, onSocket);
  }

  /** As complete(), but a service shutting down by then closes the socket (1001) instead of handing it on. */
  open(onSocket: (ws: WebSocket) => void): void {
    this.complete((ws) => {
      if (this.service.closing) {
        closeSocket(ws, 1001, "The service is shutting down.");
        return;
      }
      onSocket(ws);
    });
  }
}
