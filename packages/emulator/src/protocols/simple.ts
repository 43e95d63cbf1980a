// Simple WebSocket clients (no subprotocol, protocol.md 4.2): a frame is the payload itself, with no envelope. In
// sendToGroup mode (`webpubsub_mode=sendToGroup&group=g`) frames are published to that group; otherwise each frame is
// the `message` user event, whose failure closes the connection (1011). They receive data messages as raw frames and
// no control frames.
import type { Connection } from "../connection.ts";
import { Outgoing, type Payload } from "../outgoing.ts";
import type { Service } from "../service.ts";
import type { MessagePayload } from "../upstream-port.ts";
import { publish, raiseUserEvent } from "../ws/client-actions.ts";
import type { ClientProtocol } from "./protocol.ts";
import type { WireFrame } from "./wire-format.ts";

interface SimpleFrame {
  payload: Payload;
  upstream: MessagePayload;
}

export const SIMPLE: ClientProtocol<SimpleFrame> = {
  name: undefined,
  reliable: false,
  binary: undefined,

  encodeData: (msg) => rawFrame(msg),
  dataSize: (msg) => rawFrame(msg).data.length,
  encodeControl: () => undefined,

  decode(data, isBinary) {
    if (isBinary) {
      return {
        payload: { kind: "binary", bytes: data },
        upstream: { dataType: "binary", data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) },
      };
    }
    const text = data.toString("utf8");
    return { payload: { kind: "text", text }, upstream: { dataType: "text", data: text } };
  },

  handle(frame, conn, service) {
    if (conn.publishGroup !== undefined) return sendToGroup(frame, conn, service, conn.publishGroup);
    if (!service.upstream.hasHandler(conn.hub.name, { user: "message" })) {
      service.closeConnection(conn, "No event handler for the 'message' event.", 1011);
      return undefined;
    }
    service.events.clientEvent(conn, "message", frame.upstream);
    return raiseUserEvent(service, conn, "message", frame.upstream).then(
      (result) => {
        if (result.kind === "ok") return;
        const why = result.kind === "error" ? result.message : "no event handler";
        service.closeConnection(conn, `The 'message' event failed: ${why}`, 1011);
      },
      (e) => service.closeConnection(conn, `The 'message' event failed: ${String(e)}`, 1011),
    );
  },
};

function sendToGroup(frame: SimpleFrame, conn: Connection, service: Service, group: string): undefined {
  if (!conn.allowed("sendToGroup", group)) {
    service.log(`connection ${conn.id}: dropped a frame for group '${group}': no sendToGroup permission`);
    return undefined;
  }
  const msg = new Outgoing({ payload: frame.payload, from: "group", group, fromUserId: conn.userId });
  publish(service, conn, group, msg, conn.noEcho);
  return undefined;
}

/** The frame a simple client receives: the payload, text or binary by its kind. */
function rawFrame(msg: Outgoing): WireFrame {
  return msg.encoded(SIMPLE, (m) => {
    const p = m.payload;
    return p.kind === "binary" || p.kind === "protobuf"
      ? { data: p.bytes ?? Buffer.alloc(0), binary: true }
      : { data: Buffer.from(p.text ?? "", "utf8"), binary: false };
  });
}
