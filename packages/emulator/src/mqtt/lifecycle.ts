// One network connection of an MQTT client from upgrade to close: it must send CONNECT first (within
// CONNECT_TIMEOUT_MS); the CONNECT is checked (protocol level, token, client id, will), the upstream `connect` event
// decides, and the session opens or resumes (same client id within its keep time); packets sent meanwhile wait. On
// close the last will goes out unless a DISCONNECT came, and a persistent session waits SESSION_KEEP_MS for its client.
// Its pongs and packets answer the service's WebSocket keep-alive pings, as any client's frames do.
import type { IncomingMessage } from "node:http";
import type { WebSocket } from "ws";
import { Outgoing } from "../outgoing.ts";
import type { Service } from "../service.ts";
import type { ConnectResult, MqttConnectProperties, MqttUserProperty } from "../upstream/types.ts";
import { publish } from "../ws/client-actions.ts";
import type { Identity } from "../ws/client-auth.ts";
import { closeSocket } from "../ws/close-socket.ts";
import { UpgradeRefused } from "../ws/refusal.ts";
import type { UpgradeTarget } from "../ws/upgrade-target.ts";
import {
  type ConnectRefusal,
  connackCode,
  isConnackRefusal,
  type MqttVersion,
  Reason,
  refusalForStatus,
} from "./codes.ts";
import { markSentQos, payloadFromMqtt } from "./content.ts";
import type { IConnackPacket, IConnectPacket, Packet } from "./deps.ts";
import {
  CONNECT_TIMEOUT_MS,
  MAX_CLIENT_ID_CHARS,
  MAX_EARLY_PACKETS,
  MAX_INCOMING_QOS2,
  MAX_PACKET_BYTES,
  SESSION_KEEP_MS,
} from "./limits.ts";
import { MqttLink } from "./packet-io.ts";
import { dropLink, handlePacket, type Live } from "./packets.ts";
import { MqttSession, type Will } from "./session.ts";
import { findSession, forgetSession, keepSession } from "./session-store.ts";
import { topicProblem } from "./topics.ts";

export function startLink(
  service: Service,
  ws: WebSocket,
  req: IncomingMessage,
  target: UpgradeTarget,
  identity: Identity | UpgradeRefused,
): void {
  let state: "waiting" | "connecting" | "open" | "closed" = "waiting";
  let live: Live | undefined;
  const early: Packet[] = [];
  let keepAlive: NodeJS.Timeout | undefined;
  const link = new MqttLink(service.newConnectionId(), ws, {
    packet(p) {
      keepAlive?.refresh();
      live?.conn.markAlive(); // for the WebSocket-level keep-alive: any packet shows the client is there
      if (state === "open" && live !== undefined) {
        handlePacket(live, p);
        return;
      }
      if (state === "connecting") {
        if (early.push(p) > MAX_EARLY_PACKETS) closeSocket(ws, 1008, "Too many packets before CONNACK.");
        return;
      }
      if (state !== "waiting") return;
      if (p.cmd !== "connect") {
        closeSocket(ws, 1002, "The first MQTT packet must be CONNECT.");
        return;
      }
      state = "connecting";
      clearTimeout(connectTimer);
      void onConnect(p).then(
        (opened) => {
          if (opened === undefined) return;
          live = opened;
          state = "open";
          const keepSeconds = p.keepalive ?? 0;
          if (keepSeconds > 0) {
            keepAlive = setTimeout(() => {
              if (live !== undefined) dropLink(live, Reason.KeepAliveTimeout, "Keep-alive timeout.");
              ws.terminate();
            }, keepSeconds * 1500);
            keepAlive.unref();
          }
          for (const q of early.splice(0)) if (state === "open") handlePacket(opened, q);
        },
        (e) => {
          service.log(`mqtt: connect failed: ${String(e)}`);
          closeSocket(ws, 1011, "Internal error.");
        },
      );
    },
    problem(kind, message) {
      if (live !== undefined) {
        dropLink(live, kind === "too-large" ? Reason.PacketTooLarge : Reason.MalformedPacket, message);
        return;
      }
      if (state === "waiting" && message.includes("protocol version")) {
        link.write({ cmd: "connack", returnCode: 1, sessionPresent: false });
      }
      closeSocket(ws, 1002, message);
    },
  });
  const connectTimer = setTimeout(() => {
    if (state === "waiting") closeSocket(ws, 1008, "No CONNECT packet in time.");
  }, CONNECT_TIMEOUT_MS);
  connectTimer.unref();
  ws.on("message", (data: Buffer) => link.feed(data));
  ws.on("pong", () => live?.conn.markAlive());
  ws.on("error", (err) => service.log(`mqtt: ${err.message}`));
  ws.on("close", (code: number, reason: Buffer) => {
    clearTimeout(connectTimer);
    clearTimeout(keepAlive);
    state = "closed";
    if (live !== undefined) onClose(live, code, reason.toString("utf8"));
  });

  function refuse(version: MqttVersion, code: number, reason?: string, props?: MqttUserProperty[]): undefined {
    const packet: IConnackPacket = { cmd: "connack", sessionPresent: false };
    if (version === 5) {
      packet.reasonCode = code;
      const properties: NonNullable<IConnackPacket["properties"]> = {};
      if (reason) properties.reasonString = reason.slice(0, 256);
      const up = MqttSession.userProperties(props);
      if (up !== undefined) properties.userProperties = up;
      packet.properties = properties;
    } else packet.returnCode = code;
    link.write(packet);
    closeSocket(ws, 1000, "CONNECT refused.");
    return undefined;
  }

  async function onConnect(p: IConnectPacket): Promise<Live | undefined> {
    const v = p.protocolVersion;
    if (v !== 4 && v !== 5) return refuse(4, 1);
    link.setVersion(v);
    const no = (why: ConnectRefusal, reason?: string) => refuse(v, connackCode(why, v), reason);
    if (identity instanceof UpgradeRefused) return no(refusalForStatus(identity.status), identity.message);
    let clientId = p.clientId;
    let assigned = false;
    if (clientId === "") {
      if (v === 4 && !p.clean) return no("client-id", "An empty client id needs a clean session.");
      clientId = `awps-${service.newConnectionId()}`;
      assigned = true;
    }
    if (clientId.length > MAX_CLIENT_ID_CHARS) return no("client-id", "The client id is too long.");
    let will: Will | undefined;
    if (p.will) {
      if (p.will.retain && v === 5) return refuse(v, Reason.RetainNotSupported, "Retained messages are not supported.");
      const problem = topicProblem(p.will.topic);
      if (problem !== undefined) return refuse(v, v === 5 ? problem.reason : 3, problem.message);
      will = {
        topic: p.will.topic,
        payload: Buffer.from(p.will.payload),
        qos: p.will.qos ?? 0,
        contentType: v === 5 ? p.will.properties?.contentType : undefined,
      };
    }
    const expiry = p.properties?.sessionExpiryInterval ?? 0;
    const persistent = v === 4 ? !p.clean : expiry > 0;
    const keepMs = v === 4 ? SESSION_KEEP_MS : Math.min(expiry * 1000, SESSION_KEEP_MS);
    const hub = target.hubName.toLowerCase();
    const existing = findSession(service, hub, clientId);
    const resume = existing !== undefined && !p.clean && existing.session.persistent && existing.session.version === v;
    const connectionId = resume ? existing.conn.id : service.newConnectionId();
    let userId = identity.userId;
    let roles = identity.roles;
    let groups = identity.groups;
    let connectionState: string | undefined;
    let eventIds = 0;
    let connackProps: MqttUserProperty[] | undefined;
    if (service.upstream.hasHandler(hub, "connect")) {
      const mqtt: MqttConnectProperties = { protocolVersion: v };
      if (p.username !== undefined) mqtt.username = p.username;
      if (p.password !== undefined) mqtt.password = Buffer.from(p.password).toString("base64");
      const up = p.properties?.userProperties;
      if (up !== undefined) {
        mqtt.userProperties = Object.entries(up).flatMap(([name, x]) =>
          (Array.isArray(x) ? x : [x]).map((value) => ({ name, value })),
        );
      }
      const query: Record<string, string[]> = {};
      for (const [k, x] of target.url.searchParams) if (k !== "access_token") addTo(query, k, x);
      const headers: Record<string, string[]> = {};
      for (let i = 0; i < req.rawHeaders.length; i += 2) {
        const k = req.rawHeaders[i]!;
        if (k.toLowerCase() !== "authorization") addTo(headers, k, req.rawHeaders[i + 1]!);
      }
      const ctx = {
        hub,
        connectionId,
        userId,
        subprotocol: "mqtt",
        nextEventId: () => eventIds++,
        mqtt: { physicalConnectionId: link.id, sessionId: clientId },
      };
      let result: ConnectResult;
      try {
        result = await service.upstream.connect(ctx, {
          claims: identity.claims,
          query,
          headers,
          subprotocols: target.offered,
          clientCertificates: [],
          mqtt,
        });
      } catch (e) {
        service.log(`upstream connect failed for ${connectionId}: ${String(e)}`);
        return no("unspecified", "The connect event handler failed.");
      }
      if (ws.readyState !== 1) return undefined;
      if (result.kind === "reject") {
        const code = result.mqtt?.code;
        if (code !== undefined) {
          return refuse(
            v,
            isConnackRefusal(code, v) ? code : connackCode("unspecified", v),
            result.mqtt?.reason,
            result.mqtt?.userProperties,
          );
        }
        return refuse(v, connackCode(refusalForStatus(result.status), v), result.message, result.mqtt?.userProperties);
      }
      if (result.userId !== undefined) userId = result.userId === "" ? null : result.userId;
      if (result.groups !== undefined && result.groups.length > 0) groups = result.groups;
      if (result.roles !== undefined) roles = result.roles;
      if (result.connectionState !== undefined && result.connectionState !== null)
        connectionState = result.connectionState;
      connackProps = result.mqtt?.userProperties;
    }
    if (ws.readyState !== 1) return undefined;
    const connack = (sessionPresent: boolean): IConnackPacket => {
      if (v === 4) return { cmd: "connack", returnCode: 0, sessionPresent };
      const properties: NonNullable<IConnackPacket["properties"]> = {
        receiveMaximum: MAX_INCOMING_QOS2,
        maximumPacketSize: MAX_PACKET_BYTES,
        retainAvailable: false,
        wildcardSubscriptionAvailable: false,
        sharedSubscriptionAvailable: false,
        subscriptionIdentifiersAvailable: false,
        topicAliasMaximum: 0,
      };
      if (persistent && expiry * 1000 > keepMs) properties.sessionExpiryInterval = keepMs / 1000;
      if (assigned) properties.assignedClientIdentifier = clientId;
      const up = MqttSession.userProperties(connackProps);
      if (up !== undefined) properties.userProperties = up;
      return { cmd: "connack", reasonCode: 0, sessionPresent, properties };
    };
    if (existing !== undefined) {
      existing.session.serverDisconnectCode = Reason.SessionTakenOver;
      if (!resume) service.closeConnection(existing.conn, "The MQTT session was taken over.", 1000);
    }
    if (resume && existing !== undefined && !existing.conn.ended) {
      const { conn, session } = existing;
      session.physicalConnectionId = link.id;
      session.disconnect = undefined;
      session.will = will;
      session.serverDisconnectCode = Reason.AdministrativeAction;
      session.connack = connack(true);
      service.resume(conn, ws);
      for (const q of session.resendPackets()) link.write(q);
      return { service, conn, session, link, endOnClose: false, clientDisconnected: false };
    }
    const session = new MqttSession({ clientId, version: v, persistent, keepMs });
    session.physicalConnectionId = link.id;
    session.will = will;
    session.connack = connack(false);
    const conn = service.createConnection({
      id: connectionId,
      hub: service.hub(target.hubName),
      userId,
      protocol: session,
      subprotocol: "mqtt",
      roles,
      connectionState,
      eventIds,
    });
    session.bind(conn);
    keepSession(service, { conn, session });
    service.open(conn, ws, groups);
    return { service, conn, session, link, endOnClose: false, clientDisconnected: false };
  }
}

function publishWill(live: Live): void {
  const { service, conn, session } = live;
  const will = session.will;
  session.will = undefined;
  if (will === undefined || live.clientDisconnected) return;
  if (!conn.allowed("sendToGroup", will.topic)) {
    service.log(`mqtt connection ${conn.id}: last will not sent: no sendToGroup permission for '${will.topic}'`);
    return;
  }
  try {
    const msg = new Outgoing({
      payload: payloadFromMqtt(will.payload, will.contentType),
      from: "group",
      group: will.topic,
      fromUserId: conn.userId,
    });
    markSentQos(msg, will.qos);
    publish(service, conn, will.topic, msg, false);
  } catch (e) {
    service.log(`mqtt connection ${conn.id}: last will not sent: ${String(e)}`);
  }
}

function onClose(live: Live, code: number, reason: string): void {
  const { service, conn, session, link } = live;
  if (!conn.detach(link.ws)) return;
  if (conn.ended) {
    forgetSession(service, conn, session.clientId);
    return;
  }
  session.disconnect ??= { initiatedByClient: true };
  publishWill(live);
  if (session.persistent && !live.endOnClose && !service.closing && session.keepMs > 0) {
    service.log(`mqtt session ${conn.id} (${session.clientId}) dropped; kept for ${session.keepMs} ms`);
    service.events.dropped(conn, session.keepMs, code);
    conn.awaitRecovery(session.keepMs, () => {
      service.endSession(conn, "The MQTT session expired.");
      forgetSession(service, conn, session.clientId);
    });
    return;
  }
  service.endSession(conn, code === 1000 ? reason || "Closed by the client." : `Connection lost (code ${code}).`, code);
  forgetSession(service, conn, session.clientId);
}

function addTo(rec: Record<string, string[]>, k: string, v: string): void {
  const list = rec[k];
  if (list === undefined) rec[k] = [v];
  else list.push(v);
}
