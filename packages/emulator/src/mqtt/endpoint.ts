// The MQTT endpoint `/clients/mqtt/hubs/{hub}` (subprotocol `mqtt`): the WebSocket upgrade is accepted once the
// request names a hub and offers `mqtt`; the token (access_token or Authorization) is checked then, but its verdict is
// told in the CONNACK, in the version of the client's CONNECT, as is the upstream `connect` event's decision.
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import type { WebSocket, WebSocketServer } from "ws";
import type { Service } from "../service.ts";
import { authenticate, type Identity } from "../ws/client-auth.ts";
import { closeSocket } from "../ws/close-socket.ts";
import { UpgradeRefused } from "../ws/refusal.ts";
import type { UpgradeTarget } from "../ws/upgrade-target.ts";
import { startLink } from "./lifecycle.ts";

/** Accepts the upgrade of an MQTT client (refusals before it throw UpgradeRefused) and starts its link. */
export async function upgradeMqtt(
  service: Service,
  wss: WebSocketServer,
  req: IncomingMessage,
  socket: Duplex,
  head: Buffer,
  target: UpgradeTarget,
  select: (subprotocol: string | undefined) => void,
): Promise<void> {
  if (!target.offered.includes("mqtt")) {
    throw new UpgradeRefused(400, "MQTT clients must offer the WebSocket subprotocol 'mqtt'.");
  }
  let identity: Identity | UpgradeRefused;
  try {
    identity = authenticate(target, req, service.opts.accessKey);
  } catch (e) {
    if (!(e instanceof UpgradeRefused)) throw e;
    identity = e;
  }
  select("mqtt");
  wss.handleUpgrade(req, socket, head, (ws: WebSocket) => {
    if (service.closing) {
      closeSocket(ws, 1001, "The service is shutting down.");
      return;
    }
    startLink(service, ws, req, target, identity);
  });
}
