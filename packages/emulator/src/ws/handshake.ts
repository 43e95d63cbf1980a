// WebSocket handshakes at /client/hubs/{hub} and /client?hub=, in steps, as `ws` checks an upgrade before it
// completes it: (1) what the request asks for (upgrade-target.ts), (2) who connects (client-auth.ts), (3) the upstream
// `connect` event (connect-step.ts), (4) accept: the socket is upgraded and the session opened. A step refuses by
// throwing UpgradeRefused, answered as an HTTP error (refusal.ts). Recoveries of reliable sessions go to recovery.ts,
// MQTT clients to mqtt/endpoint.ts; every endpoint completes its upgrade through upgrade.ts.
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import type { WebSocketServer } from "ws";
import { upgradeMqtt } from "../mqtt/endpoint.ts";
import { firstSupported, MQTT_ENDPOINT, protocolFor } from "../protocols/endpoints.ts";
import { publicOrigin } from "../public-origin.ts";
import type { Service } from "../service.ts";
import { authenticate } from "./client-auth.ts";
import { runConnectEvent, type SessionPlan } from "./connect-step.ts";
import { recover } from "./recovery.ts";
import { refuse, UpgradeRefused } from "./refusal.ts";
import { bindSocket } from "./socket-binding.ts";
import { Upgrade } from "./upgrade.ts";
import { parseTarget, simpleClientMode } from "./upgrade-target.ts";

/** Handles one upgrade request to the client endpoints; every refusal is answered on the socket. */
export async function handleUpgrade(
  service: Service,
  wss: WebSocketServer,
  req: IncomingMessage,
  socket: Duplex,
  head: Buffer,
): Promise<void> {
  try {
    const target = parseTarget(req, publicOrigin(req, service.opts));
    if (service.closing) throw new UpgradeRefused(503, "The service is shutting down.");
    const upgrade = new Upgrade({ service, wss, req, socket, head, target });
    if (target.endpoint === MQTT_ENDPOINT) {
      upgradeMqtt(upgrade);
      return;
    }
    if (target.recovery !== undefined) {
      recover(upgrade, target.recovery);
      return;
    }
    const identity = authenticate(target, req, service.opts.accessKey);
    const mode = simpleClientMode(target.url);
    const plan = await runConnectEvent(service, req, target, identity, {
      connectionId: service.newConnectionId(),
      userId: identity.userId,
      roles: identity.roles,
      groups: identity.groups,
      subprotocol: firstSupported(target.endpoint, target.offered),
      connectionState: undefined,
      eventIds: 0,
    });
    if (socket.destroyed) return;
    accept(upgrade, plan, mode);
  } catch (e) {
    if (!(e instanceof UpgradeRefused)) throw e;
    refuse(socket, e.status, e.message);
  }
}

/** Step 4: upgrades the socket and opens the session as planned. */
function accept(upgrade: Upgrade, plan: SessionPlan, mode: ReturnType<typeof simpleClientMode>): void {
  const { service, target } = upgrade;
  upgrade.select(plan.subprotocol);
  upgrade.open((ws) => {
    const protocol = protocolFor(target.endpoint, plan.subprotocol);
    const conn = service.createConnection({
      id: plan.connectionId,
      hub: service.hub(target.hubName),
      userId: plan.userId,
      protocol,
      subprotocol: plan.subprotocol,
      roles: plan.roles,
      connectionState: plan.connectionState,
      eventIds: plan.eventIds,
      publishGroup: mode.publishGroup,
      noEcho: mode.noEcho,
    });
    bindSocket(service, conn, protocol, ws);
    service.open(conn, ws, plan.groups);
  });
}
