// Recovery of a dropped reliable session (protocol.md 4.5): the upgrade names the session (`awps_connection_id`) and
// presents its reconnection token (compared in constant time) with the session's subprotocol; the upgrade is always
// accepted, and closed with 1008 when the session cannot be recovered.
import { timingSafeEqual } from "@webpubsub/core";
import { protocolFor } from "../protocols/endpoints.ts";
import { closeSocket } from "./close-socket.ts";
import { bindSocket } from "./socket-binding.ts";
import type { Upgrade } from "./upgrade.ts";
import type { UpgradeTarget } from "./upgrade-target.ts";

export function recover(upgrade: Upgrade, recovery: NonNullable<UpgradeTarget["recovery"]>): void {
  const { service, target } = upgrade;
  const { connectionId, token } = recovery;
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
  upgrade.select(offersItsProtocol ? conn.subprotocol : offered[0]);
  upgrade.complete((ws) => {
    if (!valid || conn.ended) {
      closeSocket(ws, 1008, "The connection cannot be recovered.");
      return;
    }
    bindSocket(service, conn, protocol, ws);
    service.resume(conn, ws);
  });
}
