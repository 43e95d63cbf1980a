// Recovery of a dropped reliable session (protocol.md 4.5): the upgrade names the session (`awps_connection_id`) and
// presents its reconnection token (compared in constant time) with the session's subprotocol; the upgrade is always
// accepted, and closed with 1008 when the session cannot be recovered.
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { timingSafeEqual } from "@webpubsub/core";
import type { WebSocketServer } from "ws";
import { protocolFor } from "../protocols/endpoints.ts";
import type { Service } from "../service.ts";
import { closeSocket } from "./close-socket.ts";
import { bindSocket } from "./socket-binding.ts";
import type { UpgradeTarget } from "./upgrade-target.ts";

export function recover(
  service: Service,
  wss: WebSocketServer,
  req: IncomingMessage,
  socket: Duplex,
  head: Buffer,
  target: UpgradeTarget,
  select: (subprotocol: string | undefined) => void,
): void {
  const { connectionId, token } = target.recovery!;
  const offered = target.offered;
  const conn = service.findHub(target.hubName)?.connections.get(connectionId);
  const protocol = protocolFor(target.endpoint, conn?.subprotocol);
  const offersItsProtocol = conn?.subprotocol !== undefined && offered.includes(conn.subprotocol);
  const valid =
    conn !== undefined &&
    !conn.ended &&
    conn.reliable &&
    conn.reconnectionToken !== undefined &&
    timingSafeEqual(conn.reconnectionToken, token) &&
    offersItsProtocol &&
    // at an endpoint that speaks the session's protocol
    protocol === conn.protocol;
  select(offersItsProtocol ? conn.subprotocol : offered[0]);
  wss.handleUpgrade(req, socket, head, (ws) => {
    if (!valid || conn.ended) {
      closeSocket(ws, 1008, "The connection cannot be recovered.");
      return;
    }
    bindSocket(service, conn, protocol, ws);
    service.resume(conn, ws);
  });
}
