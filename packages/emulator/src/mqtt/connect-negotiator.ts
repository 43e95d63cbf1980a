// The answer to a client's CONNECT: the token's verdict (checked at the upgrade), the CONNECT read
// (connect-request.ts), the upstream `connect` event when the hub has a handler (the same request data and accepted
// changes as for WebSocket clients, ws/connect-step.ts, plus the CONNECT's fields), then the session opened, or resumed
// when a persistent session of the same client id and version waits; a CONNACK refusal closes the connection.
import type { IncomingMessage } from "node:http";
import type { WebSocket } from "ws";
import type { Service } from "../service.ts";
import type { ConnectResult, MqttUserProperty } from "../upstream/types.ts";
import type { Identity } from "../ws/client-auth.ts";
import { closeSocket } from "../ws/close-socket.ts";
import { acceptedPlan, connectBody, type SessionPlan } from "../ws/connect-step.ts";
import { UpgradeRefused } from "../ws/refusal.ts";
import type { UpgradeTarget } from "../ws/upgrade-target.ts";
import { connackCode, isConnackRefusal, type MqttVersion, Reason, refusalForStatus } from "./codes.ts";
import { acceptConnack, refusalConnack } from "./connack.ts";
import { ConnackRefusal, type ConnectRequest, readConnect, upstreamConnectFields } from "./connect-request.ts";
import type { IConnectPacket } from "./deps.ts";
import { LastWill } from "./last-will.ts";
import { LiveSession } from "./live-session.ts";
import type { MqttLink } from "./packet-io.ts";
import { MqttSession } from "./session.ts";
import { findSession, keepSession, type StoredSession } from "./session-store.ts";

export interface NegotiatorInit {
  service: Service;
  ws: WebSocket;
  link: MqttLink;
  req: IncomingMessage;
  target: UpgradeTarget;
  /** the upgrade's token check: who connects, or why not (told in the CONNACK) */
  identity: Identity | UpgradeRefused;
}

/** The session a CONNECT will open or resume. */
interface MqttPlan extends SessionPlan {
  /** the hub's name in lower case */
  hub: string;
  /** the session stored under the client id (taken over either way) */
  existing: StoredSession | undefined;
  resume: boolean;
  /** the connect handler's user properties for the CONNACK */
  connackProps?: MqttUserProperty[] | undefined;
}

type Rejection = Extract<ConnectResult, { kind: "reject" }>;

export class ConnectNegotiator {
  readonly #service: Service;
  readonly #ws: WebSocket;
  readonly #link: MqttLink;
  readonly #req: IncomingMessage;
  readonly #target: UpgradeTarget;
  readonly #identity: Identity | UpgradeRefused;

  constructor(init: NegotiatorInit) {
    this.#service = init.service;
    this.#ws = init.ws;
    this.#link = init.link;
    this.#req = init.req;
    this.#target = init.target;
    this.#identity = init.identity;
  }

  /** The open session, or undefined when the CONNECT was refused or the socket closed meanwhile. */
  async negotiate(p: IConnectPacket): Promise<LiveSession | undefined> {
    const v = p.protocolVersion;
    if (v !== 4 && v !== 5) return this.#refuse(4, 1);
    this.#link.setVersion(v);
    const identity = this.#identity;
    if (identity instanceof UpgradeRefused) {
      return this.#refuse(v, connackCode(refusalForStatus(identity.status), v), identity.message);
    }
    const request = readConnect(p, v, () => this.#service.newConnectionId());
    if (request instanceof ConnackRefusal) return this.#refuse(v, request.code, request.reason);
    let plan: MqttPlan | undefined = this.#plan(request, identity);
    if (this.#service.upstream.hasHandler(plan.hub, "connect")) {
      plan = await this.#askUpstream(p, request, identity, plan);
      if (plan === undefined) return undefined;
    }
    if (this.#ws.readyState !== 1) return undefined;
    return this.#start(request, plan);
  }

  #plan(request: ConnectRequest, identity: Identity): MqttPlan {
    const service = this.#service;
    const hub = this.#target.hubName.toLowerCase();
    const existing = findSession(service, hub, request.clientId);
    const resume =
      existing !== undefined &&
      !request.clean &&
      existing.session.persistent &&
      existing.session.version === request.version;
    return {
      hub,
      existing,
      resume,
      connectionId: resume ? existing.conn.id : service.newConnectionId(),
      userId: identity.userId,
      roles: identity.roles,
      groups: identity.groups,
      subprotocol: "mqtt",
      connectionState: undefined,
      eventIds: 0,
    };
  }

  /** The plan as the connect handler accepted it; undefined when it refused or the socket closed meanwhile. */
  async #askUpstream(
    p: IConnectPacket,
    request: ConnectRequest,
    identity: Identity,
    plan: MqttPlan,
  ): Promise<MqttPlan | undefined> {
    const service = this.#service;
    const v = request.version;
    let eventIds = plan.eventIds;
    const ctx = {
      hub: plan.hub,
      connectionId: plan.connectionId,
      userId: plan.userId,
      subprotocol: "mqtt",
      nextEventId: () => eventIds++,
      mqtt: { physicalConnectionId: this.#link.id, sessionId: request.clientId },
    };
    const body = { ...connectBody(this.#req, this.#target, identity), mqtt: upstreamConnectFields(p, v) };
    let result: ConnectResult;
    try {
      result = await service.upstream.connect(ctx, body);
    } catch (e) {
      service.log(`upstream connect failed for ${plan.connectionId}: ${String(e)}`);
      return this.#refuse(v, connackCode("unspecified", v), "The connect event handler failed.");
    }
    if (this.#ws.readyState !== 1) return undefined;
    if (result.kind === "reject") return this.#rejected(v, result);
    return { ...acceptedPlan({ ...plan, eventIds }, result), connackProps: result.mqtt?.userProperties };
  }

  /** The connect handler's refusal: its own CONNACK code when valid for the version, else one for its status. */
  #rejected(v: MqttVersion, result: Rejection): undefined {
    const props = result.mqtt?.userProperties;
    const code = result.mqtt?.code;
    if (code === undefined) {
      return this.#refuse(v, connackCode(refusalForStatus(result.status), v), result.message, props);
    }
    const valid = isConnackRefusal(code, v) ? code : connackCode("unspecified", v);
    return this.#refuse(v, valid, result.mqtt?.reason, props);
  }

  /**
   * Takes over the session stored under the client id now (looked up again: another CONNECT of the id may have opened
   * one while the connect event was in flight), and resumes the planned one or opens a new one.
   */
  #start(request: ConnectRequest, plan: MqttPlan): LiveSession {
    const service = this.#service;
    const existing = findSession(service, plan.hub, request.clientId);
    const resume = plan.resume && existing !== undefined && existing === plan.existing;
    if (existing !== undefined) {
      existing.session.serverDisconnectCode = Reason.SessionTakenOver;
      if (!resume) service.closeConnection(existing.conn, "The MQTT session was taken over.", 1000);
    }
    if (resume) return this.#resume(existing, request, plan);
    // the session planned to resume ended meanwhile: a new session, under a new connection id
    return this.#open(request, plan.resume ? { ...plan, connectionId: service.newConnectionId() } : plan);
  }

  #resume(existing: StoredSession, request: ConnectRequest, plan: MqttPlan): LiveSession {
    const { conn, session } = existing;
    const link = this.#link;
    session.physicalConnectionId = link.id;
    session.disconnect = undefined;
    // the old network connection, if still open, closes without DISCONNECT: its will goes out before the new one is set
    // (one with a Will Delay Interval waits, and the resume below cancels it)
    if (this.#closeTakenOver(existing)) LastWill.of(this.#service, conn, session).dropped(true);
    session.will = request.will;
    session.serverDisconnectCode = Reason.AdministrativeAction;
    session.connack = acceptConnack(request, true, plan.connackProps);
    session.receiveMaximum = request.receiveMaximum;
    session.maximumPacketSize = request.maximumPacketSize;
    // the resuming CONNECT's Session Expiry Interval applies from now on (5.0 section 3.1.2.11.2)
    session.persistent = request.persistent;
    session.keepMs = request.keepMs;
    this.#service.resume(conn, this.#ws);
    session.resume((q) => link.write(q));
    return new LiveSession(this.#service, conn, session, link);
  }

  /**
   * The network connection a resumed session is still on, if any, is closed as taken over (5.0: DISCONNECT 0x8E first;
   * MQTT 5.0 section 3.1.4) instead of cut when the session moves to the new socket. True when there was one.
   */
  #closeTakenOver({ conn, session }: StoredSession): boolean {
    const old = conn.socket;
    if (old === null || !conn.detach(old)) return false;
    if (session.version === 5 && old.readyState === 1) {
      old.send(session.encode({ cmd: "disconnect", reasonCode: Reason.SessionTakenOver }), { binary: true });
    }
    closeSocket(old, 1000, "The MQTT session was taken over.");
    return true;
  }

  #open(request: ConnectRequest, plan: MqttPlan): LiveSession {
    const service = this.#service;
    const { clientId, version, persistent, keepMs } = request;
    const session = new MqttSession({ clientId, version, persistent, keepMs });
    session.physicalConnectionId = this.#link.id;
    session.will = request.will;
    session.receiveMaximum = request.receiveMaximum;
    session.maximumPacketSize = request.maximumPacketSize;
    session.connack = acceptConnack(request, false, plan.connackProps);
    const conn = service.createConnection({
      id: plan.connectionId,
      hub: service.hub(this.#target.hubName),
      userId: plan.userId,
      protocol: session,
      subprotocol: "mqtt",
      roles: plan.roles,
      connectionState: plan.connectionState,
      eventIds: plan.eventIds,
    });
    session.bind(conn);
    LastWill.of(service, conn, session);
    keepSession(service, { conn, session });
    service.open(conn, this.#ws, plan.groups);
    return new LiveSession(service, conn, session, this.#link);
  }

  /** Answers with a refusing CONNACK and closes the connection. */
  #refuse(version: MqttVersion, code: number, reason?: string, props?: MqttUserProperty[]): undefined {
    this.#link.write(refusalConnack(version, code, reason, props));
    closeSocket(this.#ws, 1000, "CONNECT refused.");
    return undefined;
  }
}
