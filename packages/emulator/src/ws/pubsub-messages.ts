// What the service does with each message type of the Web PubSub subprotocols (json and protobuf, plain and reliable;
// protocol.md 4.3). One handler per type in MESSAGE_HANDLERS, which the compiler checks against core's UpstreamMessage:
// a new message type of every subprotocol is a handler here, or the build fails; the JSON-only ones (invocations, group
// streams) go to json-only-messages.ts. Handlers of operations
// (`acked: true`) run with the ack rules: a repeated ackId is answered `Duplicate` without running again, success is
// acked and remembered, a Rejected error becomes an ack error, anything else `InternalServerError` (and is logged).
import { isJsonOnlyUpstream, type JsonUpstreamMessage, shown, type UpstreamMessage } from "@webpubsub/core";
import { capped } from "../bounded-text.ts";
import type { Connection } from "../connection.ts";
import { GROUP_LIMIT_MESSAGE } from "../hub.ts";
import { Outgoing } from "../outgoing.ts";
import type { Service } from "../service.ts";
import type { MessagePayload } from "../upstream-port.ts";
import { fromUpstream, publish, Rejected, raiseUserEvent } from "./client-actions.ts";
import { handleJsonOnlyMessage } from "./json-only-messages.ts";

/** Characters of an ack error message (they may quote client input or an event handler's answer). */
const MAX_ACK_MESSAGE_CHARS = 512;

type MessageOf<T extends UpstreamMessage["type"]> = Extract<UpstreamMessage, { type: T }>;

interface MessageHandler<M> {
  /** Whether the message is an operation with ack semantics (it may carry an ackId). */
  acked: boolean;
  /** Acts on the message; throws Rejected to answer an ack error. A promise holds the connection's later frames. */
  run(m: M, conn: Connection, service: Service): Promise<void> | undefined;
}

export const MESSAGE_HANDLERS: { [T in UpstreamMessage["type"]]: MessageHandler<MessageOf<T>> } = {
  ping: {
    acked: false,
    run: (_m, conn) => void conn.sendControl({ type: "pong" }),
  },
  sequenceAck: {
    acked: false,
    run: (m, conn) => void conn.acknowledge(m.sequenceId),
  },
  event: {
    acked: true,
    run(m, conn, service) {
      checkMetadata(m.metadata);
      const payload = payloadOf(m);
      service.events.clientEvent(conn, m.event, payload);
      return userEvent(service, conn, m.event, payload);
    },
  },
  sendToGroup: {
    acked: true,
    run(m, conn, service) {
      if (!conn.allowed("sendToGroup", m.group)) {
        throw new Rejected("Forbidden", `The connection has no permission to send to group ${shown(m.group)}.`);
      }
      checkMetadata(m.metadata);
      const init: ConstructorParameters<typeof Outgoing>[0] = {
        payload: fromUpstream(payloadOf(m)),
        from: "group",
        group: m.group,
        fromUserId: conn.userId,
      };
      if (m.metadata !== undefined) init.metadata = m.metadata;
      publish(service, conn, m.group, new Outgoing(init), m.noEcho === true);
      return undefined;
    },
  },
  joinGroup: membership("join"),
  leaveGroup: membership("leave"),
};

/** joinGroup and leaveGroup: the same permission check, then the hub's join or leave. */
function membership(move: "join" | "leave"): MessageHandler<MessageOf<"joinGroup" | "leaveGroup">> {
  return {
    acked: true,
    run(m, conn) {
      checkJoinLeave(conn, m.group);
      if (move === "join" && !conn.hub.hasRoom(conn, new Set([m.group])))
        throw new Rejected("BadRequest", GROUP_LIMIT_MESSAGE);
      conn.hub[move](conn, m.group);
      return undefined;
    },
  };
}

/** Acts on one decoded message of `conn` through MESSAGE_HANDLERS (JSON-only ones through json-only-messages.ts). */
export function handlePubSubMessage(
  m: JsonUpstreamMessage,
  conn: Connection,
  service: Service,
): Promise<void> | undefined {
  if (isJsonOnlyUpstream(m)) return handleJsonOnlyMessage(m, conn, service);
  const handler = MESSAGE_HANDLERS[m.type] as MessageHandler<UpstreamMessage>;
  if (!handler.acked) return handler.run(m, conn, service);
  const ackId = "ackId" in m ? m.ackId : undefined;
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
    if (ackId !== undefined) ack(conn, ackId, r.ackError);
    else service.log(`connection ${conn.id}: ${m.type} failed without ackId: ${r.ackError.name}: ${r.message}`);
  };
  try {
    const running = handler.run(m, conn, service);
    if (running !== undefined) return running.then(succeed, fail);
    succeed();
  } catch (e) {
    fail(e);
  }
  return undefined;
}

/** Answers an ack, success or error (its message cut to MAX_ACK_MESSAGE_CHARS). */
export function ack(conn: Connection, ackId: number, error?: { name: string; message: string }): void {
  conn.sendControl(
    error === undefined
      ? { type: "ack", ackId, success: true }
      : {
          type: "ack",
          ackId,
          success: false,
          error: { name: error.name, message: capped(error.message, MAX_ACK_MESSAGE_CHARS) },
        },
  );
}

function checkJoinLeave(conn: Connection, group: string): void {
  if (!conn.allowed("joinLeaveGroup", group)) {
    throw new Rejected("Forbidden", `The connection has no permission to join or leave group ${shown(group)}.`);
  }
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
  const result = await raiseUserEvent(service, conn, event, payload);
  if (result.kind === "ok") return;
  if (result.kind === "no-handler") {
    throw new Rejected("InternalServerError", `No event handler is configured for event '${event}'.`);
  }
  throw new Rejected("InternalServerError", `The event handler failed: ${result.message}`);
}
