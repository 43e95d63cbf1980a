// Every frame from a client enters here: kept in order behind an upstream call in flight or, in a burst, behind the
// turn's frame budget (InboundQueue), decoded and handled by the connection's protocol. What a protocol cannot decode
// (FrameRejected) is answered on the wire: an ack `BadRequest` for a message with a valid ackId, otherwise a close
// with the rejection's code.

import type { Connection } from "../connection.ts";
import { type FrameSource, MAX_QUEUED_BYTES, MAX_QUEUED_FRAMES } from "../inbound-queue.ts";
import { type ClientProtocol, FrameRejected } from "../protocols/index.ts";
import type { Service } from "../service.ts";
import { ack } from "./pubsub-messages.ts";

/** Handles one frame of `conn`, spoken in `protocol`, that came from `source` (paused while frames wait a turn). */
export function onFrame(
  service: Service,
  conn: Connection,
  protocol: ClientProtocol,
  data: Buffer,
  isBinary: boolean,
  source: FrameSource,
): void {
  conn.markAlive();
  if (conn.ended) return;
  const accepted = conn.inbound.run(data.length, () => run(service, conn, protocol, data, isBinary), source);
  if (!accepted) {
    service.closeConnection(
      conn,
      `Too many messages are waiting for an event handler call to finish (limit ${MAX_QUEUED_FRAMES} messages or ` +
        `${MAX_QUEUED_BYTES / (1024 * 1024)} MiB).`,
      1008,
    );
  }
}

function run(
  service: Service,
  conn: Connection,
  protocol: ClientProtocol,
  data: Buffer,
  isBinary: boolean,
): Promise<void> | undefined {
  if (conn.ended) return undefined;
  try {
    return protocol.handle(protocol.decode(data, isBinary), conn, service);
  } catch (e) {
    if (e instanceof FrameRejected) {
      if (e.ackId !== undefined) ack(conn, e.ackId, { name: "BadRequest", message: e.message });
      else if (e.answer !== undefined) conn.sendControl(e.answer);
      else service.closeConnection(conn, e.message, e.closeCode);
    } else {
      service.log(`connection ${conn.id}: error handling a frame: ${String(e)}`);
    }
    return undefined;
  }
}
