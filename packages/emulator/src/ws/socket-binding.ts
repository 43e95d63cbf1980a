// A session's socket events: frames go to the connection's protocol, pongs keep it alive, errors and closes end or
// suspend the session.
import type { WebSocket } from "ws";
import type { Connection } from "../connection.ts";
import type { ClientProtocol } from "../protocols/index.ts";
import type { Service } from "../service.ts";
import { onFrame } from "./frames.ts";

export function bindSocket(service: Service, conn: Connection, protocol: ClientProtocol, ws: WebSocket): void {
  ws.on("message", (data: Buffer, isBinary: boolean) => onFrame(service, conn, protocol, data, isBinary, ws));
  ws.on("pong", () => conn.markAlive());
  ws.on("error", (err: Error & { code?: string }) => {
    // ws closes the socket itself (1009 too large, 1007 invalid UTF-8, ...); such a close is not recoverable.
    service.log(`connection ${conn.id}: ${err.message}`);
    if (conn.socket === ws) service.endSession(conn, `Protocol error: ${err.message}`);
  });
  // a close is handled after the frames that came before it, some of which may wait for the turn's frame budget
  ws.on("close", (code: number, reason: Buffer) => {
    const text = reason.toString("utf8");
    conn.inbound.afterWaiting(() => service.socketClosed(conn, ws, code, text));
  });
}
