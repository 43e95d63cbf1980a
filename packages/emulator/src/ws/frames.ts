// Frames from clients: json.webpubsub.azure.v1 (and its reliable variant) messages, and simple clients' raw frames.
import { jsonCodec, ProtocolError, protobufCodec, type UpstreamMessage } from "@webpubsub/core";
import { clip } from "../bounded-text.ts";
import { type Connection, KIND_SIMPLE, MAX_QUEUED_BYTES, MAX_QUEUED_FRAMES } from "../connection.ts";
import { Outgoing, type Payload } from "../outgoing.ts";
import type { Service } from "../service.ts";
import type { MessagePayload } from "../upstream-port.ts";

/** A message that cannot be executed: answered with an ack error when it has an ackId. */
class Rejected extends Error {
  readonly errorName: string;
  constructor(errorName: string, message: string) {
    super(message);
    this.errorName = errorName;
  }
}

/** Characters of an ack error message (they may quote client input or an event handler's answer). */
const MAX_ACK_MESSAGE_CHARS = 512;

function ack(conn: Connection, ackId: number, error?: { name: string; message: string }): void {
  conn.sendControl(
    error === undefined
      ? { type: "ack", ackId, success: true }
      : {
          type: "ack",
          ackId,
          success: false,
          error: { name: error.name, message: clip(error.message, MAX_ACK_MESSAGE_CHARS) },
        },
  );
}

/** Entry point for every frame; keeps a connection's messages in order while an upstream call is in flight. */
export function onFrame(service: Service, conn: Connection, data: Buffer, isBinary: boolean): void {
  conn.alive = true;
  if (conn.ended) return;
  if (conn.busy !== null) {
    // bounded: a client flooding frames while its upstream call is slow is closed, not buffered without limit
    if (conn.queuedFrames >= MAX_QUEUED_FRAMES || conn.queuedBytes + data.length > MAX_QUEUED_BYTES) {
      service.closeConnection(
        conn,
        `Too many messages are waiting for an event handler call to finish (limit ${MAX_QUEUED_FRAMES} messages or ` +
          `${MAX_QUEUED_BYTES / (1024 * 1024)} MiB).`,
        1008,
      );
      return;
    }
    conn.queuedFrames++;
    conn.queuedBytes += data.length;
    const p: Promise<void> = conn.busy.then(() => {
      conn.queuedFrames--;
      conn.queuedBytes -= data.length;
      return run(service, conn, data, isBinary);
    });
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
//
// Frames are decoded by @webpubsub/core's codecs, which own every wire rule (field types, base64, group and event
// names). What the emulator adds is the mapping of a ProtocolError to the wire: a frame of a known message type whose
// ackId was valid but another field was not is answered with an ack `BadRequest` (the connection stays open); every
// other violation (wrong frame type, bad JSON/protobuf, unknown type, invalid ackId, an invalid message with no ackId
// to answer) closes the connection with the error's close code (1003 or 1007).

function pubsubFrame(service: Service, conn: Connection, data: Buffer, isBinary: boolean): Promise<void> | undefined {
  let m: UpstreamMessage;
  if (conn.protobuf) {
    if (!isBinary) {
      service.closeConnection(conn, "Text frames are not supported by the protobuf subprotocol.", 1003);
      return undefined;
    }
    try {
      m = protobufCodec.decodeUpstream(data);
    } catch (e) {
      return invalidFrame(service, conn, e, "protobuf message");
    }
  } else {
    if (isBinary) {
      service.closeConnection(conn, "Binary frames are not supported by the JSON subprotocol.", 1003);
      return undefined;
    }
    try {
      m = jsonCodec.decodeUpstream(data.toString("utf8"));
    } catch (e) {
      return invalidFrame(service, conn, e, "message");
    }
  }
  return handleMessage(service, conn, m);
}

function invalidFrame(service: Service, conn: Connection, e: unknown, what: string): undefined {
  if (e instanceof ProtocolError && e.code === "invalid_message" && e.ackId !== undefined) {
    ack(conn, e.ackId, { name: "BadRequest", message: e.message });
    return undefined;
  }
  const code = e instanceof ProtocolError ? e.closeCode : 1007;
  service.closeConnection(conn, `Invalid ${what}: ${e instanceof Error ? e.message : String(e)}`, code);
  return undefined;
}

function handleMessage(service: Service, conn: Connection, m: UpstreamMessage): Promise<void> | undefined {
  if (m.type === "ping") {
    conn.sendControl({ type: "pong" });
    return undefined;
  }
  if (m.type === "sequenceAck") {
    if (conn.reliable) conn.acknowledge(m.sequenceId);
    return undefined;
  }
  const ackId = m.ackId;
  if (ackId !== undefined && conn.hasSucceeded(ackId)) {
    ack(conn, ackId, { name: "Duplicate", message: `Message with ack-id: ${ackId} has been processed.` });
    return undefined;
  }
  const succeed = () => {
    if (ackId === undefined) return;
    conn.recordSuccess(ackId);
    ack(conn, ackId);
  };
  const fail = (e: unknown) => {
    // an unexpected error is logged; the client learns only that the service failed, never its internals
    if (!(e instanceof Rejected)) service.log(`connection ${conn.id}: ${m.type} failed: ${String(e)}`);
    const r =
      e instanceof Rejected ? e : new Rejected("InternalServerError", "The service failed to handle the message.");
    if (ackId !== undefined) ack(conn, ackId, { name: r.errorName, message: r.message });
    else service.log(`connection ${conn.id}: ${m.type} failed without ackId: ${r.errorName}: ${r.message}`);
  };
  try {
    if (m.type === "event") {
      checkMetadata(m.metadata);
      const payload = payloadOf(m);
      service.feed?.clientEvent(conn.hub.name, conn.id, conn.userId, m.event, payload);
      return userEvent(service, conn, m.event, payload).then(succeed, fail);
    }
    const group = m.group;
    if (m.type === "sendToGroup") {
      if (!conn.allowed("sendToGroup", group)) {
        throw new Rejected("Forbidden", `The connection has no permission to send to group '${clip(group)}'.`);
      }
      checkMetadata(m.metadata);
      const init: ConstructorParameters<typeof Outgoing>[0] = {
        payload: fromUpstream(payloadOf(m)),
        from: "group",
        group,
        fromUserId: conn.userId,
      };
      if (m.metadata !== undefined) init.metadata = m.metadata;
      publish(service, conn, group, new Outgoing(init), m.noEcho === true);
    } else {
      if (!conn.allowed("joinLeaveGroup", group)) {
        throw new Rejected("Forbidden", `The connection has no permission to join or leave group '${clip(group)}'.`);
      }
      if (m.type === "joinGroup") conn.hub.join(conn, group);
      else conn.hub.leave(conn, group);
    }
    succeed();
  } catch (e) {
    fail(e);
  }
  return undefined;
}

/** The payload fields of a decoded message (without its type, group, ackId, ...). */
function payloadOf(m: MessagePayload): MessagePayload {
  return { dataType: m.dataType, data: m.data } as MessagePayload;
}

/** The service's metadata limits (protocol.md 4.3): ASCII, key <= 256, value <= 1 KiB, total <= 8 KiB. */
function checkMetadata(metadata: Record<string, string> | undefined): void {
  if (metadata === undefined) return;
  let total = 0;
  for (const k in metadata) {
    const v = metadata[k]!;
    // lengths first: the ASCII test then runs over at most 1,280 characters per entry and 8 KiB in all
    if (k.length > 256 || v.length > 1024) throw new Rejected("BadRequest", "A metadata key or value is too long.");
    total += k.length + v.length;
    if (total > 8192) throw new Rejected("BadRequest", "'metadata' is larger than 8 KiB.");
    if (k.length === 0 || !/^[\x20-\x7e]*$/.test(k) || !/^[\x20-\x7e]*$/.test(v)) {
      throw new Rejected("BadRequest", "'metadata' keys and values must be non-empty ASCII strings.");
    }
  }
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
