// Frames from clients: json.webpubsub.azure.v1 (and its reliable variant) messages, and simple clients' raw frames.
import { ProtocolError, protobufCodec } from "@webpubsub/core";
import { type Connection, KIND_SIMPLE } from "../connection.ts";
import { isValidGroupName } from "../names.ts";
import { Outgoing, type Payload } from "../outgoing.ts";
import type { Service } from "../service.ts";
import type { MessagePayload } from "../upstream-port.ts";

const EVENT_NAME = /^[a-z][a-z0-9_.-]{0,127}$/i;

/** A message that cannot be executed: answered with an ack error when it has an ackId. */
class Rejected extends Error {
  readonly errorName: string;
  constructor(errorName: string, message: string) {
    super(message);
    this.errorName = errorName;
  }
}

function ack(conn: Connection, ackId: number, error?: { name: string; message: string }): void {
  conn.sendControl(
    error === undefined ? { type: "ack", ackId, success: true } : { type: "ack", ackId, success: false, error },
  );
}

/** Entry point for every frame; keeps a connection's messages in order while an upstream call is in flight. */
export function onFrame(service: Service, conn: Connection, data: Buffer, isBinary: boolean): void {
  conn.alive = true;
  if (conn.ended) return;
  if (conn.busy !== null) {
    const p: Promise<void> = conn.busy.then(() => run(service, conn, data, isBinary));
    track(conn, p);
    return;
  }
  const r = run(service, conn, data, isBinary);
  if (r !== undefined) track(conn, r);
}

function track(conn: Connection, p: Promise<void>): void {
  conn.busy = p;
  p.then(
    () => {
      if (conn.busy === p) conn.busy = null;
    },
    () => {
      if (conn.busy === p) conn.busy = null;
    },
  );
}

function run(service: Service, conn: Connection, data: Buffer, isBinary: boolean): Promise<void> | undefined {
  if (conn.ended) return undefined;
  try {
    return conn.kind === KIND_SIMPLE
      ? simpleFrame(service, conn, data, isBinary)
      : pubsubFrame(service, conn, data, isBinary);
  } catch (e) {
    service.log(`connection ${conn.id}: error handling a frame: ${String(e)}`);
    return undefined;
  }
}

// ---- simple clients (protocol.md 4.2) ---------------------------------------------------------------------------

function simpleFrame(service: Service, conn: Connection, data: Buffer, isBinary: boolean): Promise<void> | undefined {
  const payload: Payload = isBinary ? { kind: "binary", bytes: data } : { kind: "text", text: data.toString("utf8") };
  if (conn.publishGroup !== undefined) {
    const group = conn.publishGroup;
    if (!conn.allowed("sendToGroup", group)) {
      service.log(`connection ${conn.id}: dropped a frame for group '${group}': no sendToGroup permission`);
      return undefined;
    }
    publish(
      service,
      conn,
      group,
      new Outgoing({ payload, from: "group", group, fromUserId: conn.userId }),
      conn.noEcho,
    );
    return undefined;
  }
  if (!service.upstream.hasHandler(conn.hub.name, { user: "message" })) {
    service.closeConnection(conn, "No event handler for the 'message' event.", 1011);
    return undefined;
  }
  const up: MessagePayload = isBinary
    ? { dataType: "binary", data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) }
    : { dataType: "text", data: payload.text ?? "" };
  service.feed?.clientEvent(conn.hub.name, conn.id, conn.userId, "message", up);
  return service.upstream.userEvent(service.context(conn), "message", up).then(
    (result) => {
      if (result.kind === "ok") {
        applyState(conn, result.connectionState);
        if (result.reply !== undefined) reply(service, conn, result.reply);
      } else {
        const why = result.kind === "error" ? result.message : "no event handler";
        service.closeConnection(conn, `The 'message' event failed: ${why}`, 1011);
      }
    },
    (e) => service.closeConnection(conn, `The 'message' event failed: ${String(e)}`, 1011),
  );
}

function applyState(conn: Connection, state: string | null | undefined): void {
  if (state === undefined) return;
  conn.connectionState = state === null ? undefined : state;
}

function fromUpstream(p: MessagePayload): Payload {
  if (p.dataType === "text") return { kind: "text", text: p.data };
  if (p.dataType === "json") return { kind: "json", text: JSON.stringify(p.data) ?? "null" };
  return { kind: p.dataType, bytes: Buffer.from(p.data.buffer, p.data.byteOffset, p.data.byteLength) };
}

/** An event handler's reply goes back to the calling connection only. */
function reply(service: Service, conn: Connection, payload: MessagePayload): void {
  const msg = new Outgoing({ payload: fromUpstream(payload), from: "server" });
  conn.deliver(msg);
  service.feed?.message(conn.hub.name, "server (event reply)", `connection ${conn.id}`, msg, 1);
}

function publish(service: Service, sender: Connection, group: string, msg: Outgoing, noEcho: boolean): void {
  const members = sender.hub.groups.get(group);
  const n = members === undefined ? 0 : service.deliverTo(members, msg, noEcho ? (c) => c !== sender : undefined);
  service.feed?.message(sender.hub.name, sender.id, `group ${group}`, msg, n, sender);
}

// ---- json.webpubsub.azure.v1 (protocol.md 4.3) and the protobuf subprotocols (4.6) --------------------------------

function pubsubFrame(service: Service, conn: Connection, data: Buffer, isBinary: boolean): Promise<void> | undefined {
  if (conn.protobuf) {
    if (!isBinary) {
      service.closeConnection(conn, "Text frames are not supported by the protobuf subprotocol.", 1003);
      return undefined;
    }
    let decoded: unknown;
    try {
      decoded = protobufCodec.decodeUpstream(data);
    } catch (e) {
      const code = e instanceof ProtocolError ? e.closeCode : 1007;
      service.closeConnection(conn, `Invalid protobuf message: ${(e as Error).message}`, code);
      return undefined;
    }
    return handleMessage(service, conn, decoded as Record<string, unknown>);
  }
  if (isBinary) {
    service.closeConnection(conn, "Binary frames are not supported by the JSON subprotocol.", 1003);
    return undefined;
  }
  let msg: unknown;
  try {
    msg = JSON.parse(data.toString("utf8"));
  } catch {
    service.closeConnection(conn, "The message is not valid JSON.", 1007);
    return undefined;
  }
  if (typeof msg !== "object" || msg === null || Array.isArray(msg)) {
    service.closeConnection(conn, "The message must be a JSON object.", 1007);
    return undefined;
  }
  return handleMessage(service, conn, msg as Record<string, unknown>);
}

function handleMessage(service: Service, conn: Connection, m: Record<string, unknown>): Promise<void> | undefined {
  const type = m.type;
  if (type === "ping") {
    conn.sendControl({ type: "pong" });
    return undefined;
  }
  if (type === "sequenceAck") {
    const seq = m.sequenceId;
    if (typeof seq !== "number" || !Number.isSafeInteger(seq) || seq < 0) {
      service.closeConnection(conn, "sequenceAck needs a non-negative integer sequenceId.", 1007);
      return undefined;
    }
    if (conn.reliable) conn.acknowledge(seq);
    return undefined;
  }
  if (type !== "joinGroup" && type !== "leaveGroup" && type !== "sendToGroup" && type !== "event") {
    service.closeConnection(conn, `Unknown message type '${String(type)}'.`, 1007);
    return undefined;
  }
  const rawAck = m.ackId;
  let ackId: number | undefined;
  if (rawAck !== undefined && rawAck !== null) {
    if (typeof rawAck !== "number" || !Number.isSafeInteger(rawAck) || rawAck < 0) {
      service.closeConnection(conn, "ackId must be a non-negative integer.", 1007);
      return undefined;
    }
    ackId = rawAck;
    if (conn.ackIds?.has(ackId)) {
      ack(conn, ackId, { name: "Duplicate", message: `Message with ack-id: ${ackId} has been processed.` });
      return undefined;
    }
  }
  const succeed = () => {
    if (ackId === undefined) return;
    conn.ackIds ??= new Set();
    conn.ackIds.add(ackId);
    ack(conn, ackId);
  };
  const fail = (e: unknown) => {
    const r = e instanceof Rejected ? e : new Rejected("InternalServerError", String(e));
    if (ackId !== undefined) ack(conn, ackId, { name: r.errorName, message: r.message });
    else service.log(`connection ${conn.id}: ${type} failed without ackId: ${r.errorName}: ${r.message}`);
  };
  try {
    if (type === "event") {
      const event = m.event;
      if (typeof event !== "string" || !EVENT_NAME.test(event)) {
        throw new Rejected("BadRequest", "'event' must be a name matching ^[a-z][a-z0-9_.-]{0,127}$.");
      }
      const payload = readPayload(m, conn.protobuf);
      service.feed?.clientEvent(conn.hub.name, conn.id, conn.userId, event, payload);
      return userEvent(service, conn, event, payload).then(succeed, fail);
    }
    const group = m.group;
    if (!isValidGroupName(group)) {
      throw new Rejected("BadRequest", "'group' must be a string of 1 to 1024 characters, not whitespace only.");
    }
    if (type === "sendToGroup") {
      const payload = readPayload(m, conn.protobuf);
      if (!conn.allowed("sendToGroup", group)) {
        throw new Rejected("Forbidden", `The connection has no permission to send to group '${group}'.`);
      }
      const noEcho = m.noEcho === true;
      const init: ConstructorParameters<typeof Outgoing>[0] = {
        payload: toPayload(payload),
        from: "group",
        group,
        fromUserId: conn.userId,
      };
      const metadata = readMetadata(m.metadata);
      if (metadata !== undefined) init.metadata = metadata;
      publish(service, conn, group, new Outgoing(init), noEcho);
    } else {
      if (!conn.allowed("joinLeaveGroup", group)) {
        throw new Rejected("Forbidden", `The connection has no permission to join or leave group '${group}'.`);
      }
      if (type === "joinGroup") conn.hub.join(conn, group);
      else conn.hub.leave(conn, group);
    }
    succeed();
  } catch (e) {
    fail(e);
  }
  return undefined;
}

function readPayload(m: Record<string, unknown>, protobuf: boolean): MessagePayload {
  const dataType = m.dataType ?? "json";
  const data = m.data;
  if (protobuf && (dataType === "binary" || dataType === "protobuf") && data instanceof Uint8Array) {
    return { dataType, data };
  }
  switch (dataType) {
    case "json":
      if (data === undefined) throw new Rejected("BadRequest", "'data' is required.");
      return { dataType: "json", data };
    case "text":
      if (typeof data !== "string") throw new Rejected("BadRequest", "'data' must be a string for dataType text.");
      return { dataType: "text", data };
    case "binary":
    case "protobuf": {
      if (typeof data !== "string" || !/^[A-Za-z0-9+/]*={0,2}$/.test(data) || data.length % 4 === 1) {
        throw new Rejected("BadRequest", `'data' must be base64 for dataType ${dataType}.`);
      }
      const b = Buffer.from(data, "base64");
      const bytes = new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
      return dataType === "protobuf" ? { dataType: "protobuf", data: bytes } : { dataType: "binary", data: bytes };
    }
    default:
      throw new Rejected("BadRequest", `Unknown dataType '${String(dataType)}'; use json, text, binary or protobuf.`);
  }
}

function toPayload(p: MessagePayload): Payload {
  return fromUpstream(p);
}

function readMetadata(raw: unknown): Record<string, string> | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (typeof raw !== "object" || Array.isArray(raw)) throw new Rejected("BadRequest", "'metadata' must be an object.");
  let total = 0;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
    if (typeof v !== "string" || !/^[\x20-\x7e]*$/.test(k + v) || k.length === 0) {
      throw new Rejected("BadRequest", "'metadata' keys and values must be non-empty ASCII strings.");
    }
    if (k.length > 256 || v.length > 1024) throw new Rejected("BadRequest", "A metadata key or value is too long.");
    total += k.length + v.length;
    out[k] = v;
  }
  if (total > 8192) throw new Rejected("BadRequest", "'metadata' is larger than 8 KiB.");
  return out;
}

async function userEvent(service: Service, conn: Connection, event: string, payload: MessagePayload): Promise<void> {
  if (!service.upstream.hasHandler(conn.hub.name, { user: event })) {
    throw new Rejected("InternalServerError", `No event handler is configured for event '${event}'.`);
  }
  const result = await service.upstream.userEvent(service.context(conn), event, payload);
  if (result.kind === "ok") {
    applyState(conn, result.connectionState);
    if (result.reply !== undefined) reply(service, conn, result.reply);
    return;
  }
  if (result.kind === "no-handler") {
    throw new Rejected("InternalServerError", `No event handler is configured for event '${event}'.`);
  }
  throw new Rejected("InternalServerError", `The event handler failed: ${result.message}`);
}
