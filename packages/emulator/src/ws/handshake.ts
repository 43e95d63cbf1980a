// WebSocket handshakes at /client/hubs/{hub} and /client?hub=: token checks, subprotocol choice, the upstream
// `connect` event, reliable-session recovery, and wiring a socket to its session.
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import {
  HUB_NAME_PATTERN,
  isValidGroupName,
  JwtError,
  type JwtPayload,
  timingSafeEqual,
  verifyJwtSync,
} from "@webpubsub/core";
import type { WebSocket, WebSocketServer } from "ws";
import { bearerToken, clientAudienceMatcher } from "../auth.ts";
import { clip } from "../bounded-text.ts";
import {
  type ClientKind,
  type Connection,
  KIND_JSON,
  KIND_PROTOBUF,
  KIND_RELIABLE_JSON,
  KIND_RELIABLE_PROTOBUF,
  KIND_SIMPLE,
} from "../connection.ts";
import { closeSocket, type Service } from "../service.ts";
import type { ConnectBody } from "../upstream-port.ts";
import { onFrame } from "./frames.ts";

export const MAX_FRAME_BYTES = 1024 * 1024;

const SUPPORTED: Record<string, ClientKind> = {
  "json.webpubsub.azure.v1": KIND_JSON,
  "json.reliable.webpubsub.azure.v1": KIND_RELIABLE_JSON,
  "protobuf.webpubsub.azure.v1": KIND_PROTOBUF,
  "protobuf.reliable.webpubsub.azure.v1": KIND_RELIABLE_PROTOBUF,
};

const STATUS_TEXT: Record<number, string> = {
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  431: "Request Header Fields Too Large",
  500: "Internal Server Error",
  503: "Service Unavailable",
};

/** The subprotocol the server answers with is stashed on the request for ws's handleProtocols. */
export const SELECTED = Symbol("awps.subprotocol");
type UpgradeRequest = IncomingMessage & { [SELECTED]?: string };

/** Answers an upgrade request with an HTTP error and closes the socket; `message` may quote input, so it is cut. */
export function reject(socket: Duplex, status: number, message: string): void {
  if (socket.destroyed) return;
  const text = `${clip(message, 512)}\n`;
  const reason = STATUS_TEXT[status] ?? "Error";
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\n` +
      `Content-Length: ${Buffer.byteLength(text)}\r\n${status === 401 ? "WWW-Authenticate: Bearer\r\n" : ""}\r\n${text}`,
  );
}

function addTo(rec: Record<string, string[]>, k: string, v: string): void {
  const list = rec[k];
  if (list === undefined) rec[k] = [v];
  else list.push(v);
}

function claimList(v: unknown): string[] | undefined {
  if (v === undefined || v === null) return [];
  if (typeof v === "string") return [v];
  if (Array.isArray(v) && v.every((x) => typeof x === "string")) return v as string[];
  return undefined;
}

export async function handleUpgrade(
  service: Service,
  wss: WebSocketServer,
  req: UpgradeRequest,
  socket: Duplex,
  head: Buffer,
): Promise<void> {
  const host = req.headers.host ?? `${service.opts.host}:${service.opts.port}`;
  let url: URL;
  try {
    url = new URL(req.url ?? "/", `http://${host}`);
  } catch {
    return reject(socket, 400, "Invalid request URL.");
  }
  const path = url.pathname.replace(/\/+$/, "");
  let hubName: string | null;
  const m = /^\/client\/hubs\/([^/]+)$/i.exec(path);
  if (m !== null) {
    try {
      hubName = decodeURIComponent(m[1]!);
    } catch {
      return reject(socket, 400, "Invalid hub name encoding.");
    }
  } else if (path.toLowerCase() === "/client") {
    hubName = url.searchParams.get("hub");
    if (hubName === null) return reject(socket, 400, "Missing 'hub' query parameter.");
  } else {
    return reject(socket, 404, "Not found. Clients connect to /client/hubs/{hub}.");
  }
  if (!HUB_NAME_PATTERN.test(hubName)) return reject(socket, 400, `Invalid hub name '${hubName}'.`);
  if (service.closing) return reject(socket, 503, "The service is shutting down.");

  const offered = (req.headers["sec-websocket-protocol"] ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s.length > 0);

  const recoverId = url.searchParams.get("awps_connection_id");
  const recoverToken = url.searchParams.get("awps_reconnection_token");
  if (recoverId !== null && recoverToken !== null) {
    return recover(service, wss, req, socket, head, hubName, recoverId, recoverToken, offered);
  }

  const token = url.searchParams.get("access_token") ?? bearerToken(req.headers.authorization);
  if (token === undefined || token === null || token === "") {
    return reject(socket, 401, "Unauthorized: missing access token.");
  }
  const audience = clientAudienceMatcher(host, hubName);
  if (audience === undefined) return reject(socket, 401, "Unauthorized: the request has no usable Host header.");
  let claims: JwtPayload;
  try {
    claims = verifyJwtSync(token, service.opts.accessKey, { audience });
  } catch (e) {
    return reject(socket, 401, `Unauthorized: ${e instanceof JwtError ? e.message : "invalid token"}`);
  }
  let userId: string | null = typeof claims.sub === "string" && claims.sub !== "" ? claims.sub : null;
  let roles = claimList(claims.role);
  let groups = claimList(claims["webpubsub.group"]);
  if (roles === undefined) return reject(socket, 400, "Invalid 'role' claim: expected a string or a string array.");
  if (groups === undefined || !groups.every(isValidGroupName)) {
    return reject(socket, 400, "Invalid 'webpubsub.group' claim: expected valid group names.");
  }

  let subprotocol = offered.find((p) => SUPPORTED[p] !== undefined);
  let connectionState: string | undefined;
  // hub names are case-insensitive; the Hub itself is created only once the upgrade is accepted
  const hubKey = hubName.toLowerCase();
  const connectionId = service.newConnectionId();

  // simple clients' mode, fixed at connect time
  const mode = (url.searchParams.get("webpubsub_mode") ?? "sendEvent").toLowerCase();
  let publishGroup: string | undefined;
  if (mode === "sendtogroup") {
    const g = url.searchParams.get("group");
    if (g === null || !isValidGroupName(g))
      return reject(socket, 400, "webpubsub_mode=sendToGroup needs a valid 'group'.");
    publishGroup = g;
  } else if (mode !== "sendevent") {
    return reject(socket, 400, "webpubsub_mode must be sendEvent or sendToGroup.");
  }

  let eventIds = 0;
  if (service.upstream.hasHandler(hubKey, "connect")) {
    const query: Record<string, string[]> = {};
    for (const [k, v] of url.searchParams) if (k !== "access_token") addTo(query, k, v);
    const headers: Record<string, string[]> = {};
    for (let i = 0; i < req.rawHeaders.length; i += 2) {
      const k = req.rawHeaders[i]!;
      if (k.toLowerCase() === "authorization") continue;
      addTo(headers, k, req.rawHeaders[i + 1]!);
    }
    const body: ConnectBody = {
      claims,
      query,
      headers,
      subprotocols: offered,
      clientCertificates: [],
    };
    let result: Awaited<ReturnType<typeof service.upstream.connect>>;
    try {
      result = await service.upstream.connect(
        { hub: hubKey, connectionId, userId, ...(subprotocol ? { subprotocol } : {}), nextEventId: () => eventIds++ },
        body,
      );
    } catch (e) {
      service.log(`upstream connect failed for ${connectionId}: ${String(e)}`);
      return reject(socket, 500, "The connect event handler failed.");
    }
    if (result.kind === "reject") {
      const status = result.status >= 400 && result.status < 500 ? result.status : 500;
      return reject(socket, status, result.message || "Rejected by the connect event handler.");
    }
    if (result.userId !== undefined) userId = result.userId === "" ? null : result.userId;
    if (result.groups !== undefined && result.groups.length > 0) {
      if (!result.groups.every(isValidGroupName))
        return reject(socket, 500, "The connect handler returned invalid groups.");
      groups = result.groups;
    }
    if (result.roles !== undefined) roles = result.roles;
    if (result.subprotocol !== undefined && result.subprotocol !== "") {
      if (!offered.includes(result.subprotocol)) {
        return reject(
          socket,
          500,
          `The connect handler chose subprotocol '${result.subprotocol}' the client did not offer.`,
        );
      }
      subprotocol = result.subprotocol;
    }
    if (result.connectionState !== undefined && result.connectionState !== null) {
      connectionState = result.connectionState;
    }
  }
  if (socket.destroyed) return;

  req[SELECTED] = subprotocol;
  const kind: ClientKind = subprotocol !== undefined ? (SUPPORTED[subprotocol] ?? KIND_SIMPLE) : KIND_SIMPLE;
  const finalUser = userId;
  const finalRoles = roles;
  const finalGroups = groups;
  wss.handleUpgrade(req, socket, head, (ws) => {
    if (service.closing) {
      closeSocket(ws, 1001, "The service is shutting down.");
      return;
    }
    const conn = service.createConnection({
      id: connectionId,
      hub: service.hub(hubName),
      userId: finalUser,
      kind,
      subprotocol,
      roles: finalRoles,
    });
    conn.connectionState = connectionState;
    conn.eventIds = eventIds;
    conn.publishGroup = publishGroup;
    conn.noEcho = url.searchParams.get("noEcho")?.toLowerCase() === "true";
    conn.hub.add(conn);
    service.feed?.record({
      kind: "connected",
      hub: conn.hub.name,
      connectionId: conn.id,
      userId: conn.userId,
      subprotocol: subprotocol ?? "(simple)",
    });
    for (const g of finalGroups) conn.hub.join(conn, g);
    wire(service, conn, ws);
    conn.sendControl({
      type: "system",
      event: "connected",
      userId: conn.userId,
      connectionId: conn.id,
      ...(conn.reconnectionToken !== undefined ? { reconnectionToken: conn.reconnectionToken } : {}),
    });
    conn.upstreamOpen = true;
    service.log(
      `connection ${conn.id} opened: hub=${conn.hub.name} user=${conn.userId ?? "(anonymous)"} protocol=${subprotocol ?? "(simple)"}`,
    );
    if (service.upstream.hasHandler(conn.hub.name, "connected")) {
      try {
        service.upstream.connected(service.context(conn));
      } catch (e) {
        service.log(`upstream connected failed for ${conn.id}: ${String(e)}`);
      }
    }
  });
}

function wire(service: Service, conn: Connection, ws: WebSocket): void {
  service.attach(conn, ws);
  ws.on("message", (data: Buffer, isBinary: boolean) => onFrame(service, conn, data, isBinary));
  ws.on("pong", () => {
    conn.alive = true;
  });
  ws.on("error", (err: Error & { code?: string }) => {
    // ws closes the socket itself (1009 too large, 1007 invalid UTF-8, ...); such a close is not recoverable.
    service.log(`connection ${conn.id}: ${err.message}`);
    if (conn.socket === ws) service.endSession(conn, `Protocol error: ${err.message}`);
  });
  ws.on("close", (code: number, reason: Buffer) => service.socketClosed(conn, ws, code, reason.toString("utf8")));
}

async function recover(
  service: Service,
  wss: WebSocketServer,
  req: UpgradeRequest,
  socket: Duplex,
  head: Buffer,
  hubName: string,
  connectionId: string,
  token: string,
  offered: string[],
): Promise<void> {
  const conn = service.findHub(hubName)?.connections.get(connectionId);
  const valid =
    conn !== undefined &&
    !conn.ended &&
    conn.reliable &&
    conn.reconnectionToken !== undefined &&
    timingSafeEqual(conn.reconnectionToken, token) &&
    conn.subprotocol !== undefined &&
    offered.includes(conn.subprotocol);
  req[SELECTED] = conn?.subprotocol !== undefined && offered.includes(conn.subprotocol) ? conn.subprotocol : offered[0];
  wss.handleUpgrade(req, socket, head, (ws) => {
    if (!valid || conn.ended) {
      closeSocket(ws, 1008, "The connection cannot be recovered.");
      return;
    }
    const old = conn.socket;
    wire(service, conn, ws);
    if (old !== null) old.terminate();
    service.log(`connection ${conn.id} recovered; replaying ${conn.unacked?.length ?? 0} message(s)`);
    service.feed?.record({
      kind: "recovered",
      hub: conn.hub.name,
      connectionId: conn.id,
      userId: conn.userId,
      reason: `replaying ${conn.unacked?.length ?? 0} message(s)`,
    });
    conn.replay();
  });
}
