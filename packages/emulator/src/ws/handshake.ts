// WebSocket handshakes at /client/hubs/{hub} and /client?hub=, in steps, as `ws` checks an upgrade before it
// completes it: (1) what the request asks for (upgrade-target.ts), (2) who connects (client-auth.ts), (3) the upstream
// `connect` event (connect-step.ts), (4) accept: the socket is upgraded and the session opened. A step refuses by
// throwing UpgradeRefused, answered as an HTTP error (refusal.ts). Recoveries of reliable sessions go to recovery.ts.
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { WebSocketServer } from "ws";
import { upgradeMqtt } from "../mqtt/endpoint.ts";
import { firstSupported, MQTT_ENDPOINT, protocolFor } from "../protocols/endpoints.ts";
import { publicOrigin } from "../public-origin.ts";
import type { Service } from "../service.ts";
import { authenticate } from "./client-auth.ts";
import { closeSocket } from "./close-socket.ts";
import { runConnectEvent, type SessionPlan } from "./connect-step.ts";
import { recover } from "./recovery.ts";
import { refuse, UpgradeRefused } from "./refusal.ts";
import { bindSocket } from "./socket-binding.ts";
import { parseTarget, simpleClientMode, type UpgradeTarget } from "./upgrade-target.ts";

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

function select(req: UpgradeRequest, subprotocol: string | undefined): void {
  req[SELECTED] = subprotocol;
}

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
    if (target.endpoint === MQTT_ENDPOINT) {
      await upgradeMqtt(service, wss, req, socket, head, target, (p) => select(req, p));
      return;
    }
    if (target.recovery !== undefined) {
      recover(service, wss, req, socket, head, target, (p) => select(req, p));
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
    accept(service, wss, req, socket, head, target, plan, mode);
  } catch (e) {
    if (!(e instanceof UpgradeRefused)) throw e;
    refuse(socket, e.status, e.message);
  }
}

/** Step 4: upgrades the socket and opens the session as planned. */
function accept(
  service: Service,
  wss: WebSocketServer,
  req: IncomingMessage,
  socket: Duplex,
  head: Buffer,
  target: UpgradeTarget,
  plan: SessionPlan,
  mode: ReturnType<typeof simpleClientMode>,
): void {
  select(req, plan.subprotocol);
  wss.handleUpgrade(req, socket, head, (ws) => {
    if (service.closing) {
      closeSocket(ws, 1001, "The service is shutting down.");
      return;
    }
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
