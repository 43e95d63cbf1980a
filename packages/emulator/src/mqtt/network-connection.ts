// One network connection of an MQTT client from upgrade to close: it must send CONNECT first (within
// CONNECT_TIMEOUT_MS), which the negotiator answers (connect-negotiator.ts); packets sent meanwhile wait (at most
// MAX_EARLY_PACKETS, MAX_EARLY_BYTES), then go to the open session (live-session.ts) as if they came after the CONNACK: none after one
// that made the service close the connection. A client silent for 1.5 times its keep-alive is dropped. Its pongs and
// packets answer the service's WebSocket keep-alive pings, as any client's frames do. Its frames pass the same
// per-turn frame budget as other clients' (inbound-queue.ts): in a burst, later turns take them. A client whose send
// buffer overflows ends its session as a slow consumer, also when that happens while a resumed session is being opened
// (its unacknowledged messages sent again): such a session is not kept (test/mqtt-resume-slow).
import type { IncomingMessage } from "node:http";
import type { WebSocket } from "ws";
import { InboundQueue } from "../inbound-queue.ts";
import type { Service } from "../service.ts";
import type { Identity } from "../ws/client-auth.ts";
import { closeSocket, cutSocket } from "../ws/close-socket.ts";
import type { UpgradeRefused } from "../ws/refusal.ts";
import type { UpgradeTarget } from "../ws/upgrade-target.ts";
import { Reason } from "./codes.ts";
import { ConnectNegotiator } from "./connect-negotiator.ts";
import type { IConnectPacket, Packet } from "./deps.ts";
import { CONNECT_TIMEOUT_MS, MAX_EARLY_BYTES, MAX_EARLY_PACKETS } from "./limits.ts";
import type { LiveSession } from "./live-session.ts";
import { type LinkProblem, MqttLink } from "./packet-io.ts";

/** The MQTT 5.0 DISCONNECT reason for each problem of the link (a slow consumer gets no DISCONNECT: it is cut). */
const REASONS: Record<Exclude<LinkProblem, "slow">, number> = {
  "too-large": Reason.PacketTooLarge,
  "too-many": Reason.QuotaExceeded,
  malformed: Reason.MalformedPacket,
  "protocol-error": Reason.ProtocolError,
  flood: Reason.MalformedPacket,
};

export interface NetworkConnectionInit {
  service: Service;
  ws: WebSocket;
  req: IncomingMessage;
  target: UpgradeTarget;
  identity: Identity | UpgradeRefused;
}

export class MqttNetworkConnection {
  readonly #service: Service;
  readonly #ws: WebSocket;
  readonly #link: MqttLink;
  /** the frames, in order, within the turn's frame budget */
  readonly #inbound = new InboundQueue();
  readonly #negotiator: ConnectNegotiator;
  /** before the CONNECT, or while it is decided; once the session is open, #live holds it */
  #state: "waiting" | "connecting" = "waiting";
  #live: LiveSession | undefined;
  /** why the link failed as a slow consumer, if it did (possibly before the session was open) */
  #slow: string | undefined;
  /** packets that came while the CONNECT was being decided */
  readonly #early: Packet[] = [];
  /** The remaining lengths of the packets in #early, together. */
  #earlyBytes = 0;
  readonly #connectTimer: NodeJS.Timeout;
  #keepAlive: NodeJS.Timeout | undefined;

  constructor(init: NetworkConnectionInit) {
    const { service, ws } = init;
    this.#service = service;
    this.#ws = ws;
    this.#link = new MqttLink(
      service.newConnectionId(),
      ws,
      {
        packet: (p) => this.#onPacket(p),
        problem: (kind, message) => this.#onProblem(kind, message),
      },
      service.opts.maxBufferedBytes,
    );
    this.#negotiator = new ConnectNegotiator({ ...init, link: this.#link });
    // cleared by the CONNECT and by the close
    this.#connectTimer = setTimeout(() => closeSocket(ws, 1008, "No CONNECT packet in time."), CONNECT_TIMEOUT_MS);
    this.#connectTimer.unref();
    ws.on("message", (data: Buffer) => this.#onFrame(data));
    ws.on("pong", () => this.#live?.conn.markAlive());
    ws.on("error", (err) => service.log(`mqtt: ${err.message}`));
    // a close is handled after the packets that came before it (a DISCONNECT), some of which may wait for the budget
    ws.on("close", (code: number, reason: Buffer) => {
      const text = reason.toString("utf8");
      this.#inbound.afterWaiting(() => this.#onClose(code, text));
    });
  }

  #onFrame(data: Buffer): void {
    this.#inbound.run(
      data.length,
      () => {
        this.#link.feed(data);
        return undefined;
      },
      this.#ws,
    );
  }

  #onPacket(p: Packet): void {
    this.#keepAlive?.refresh();
    this.#live?.conn.markAlive(); // for the WebSocket-level keep-alive: any packet shows the client is there
    // no packet comes after the close: the session is open, or its CONNECT is being decided, or none came yet
    if (this.#live !== undefined) {
      this.#live.handle(p);
      return;
    }
    if (this.#state === "connecting") {
      this.#earlyBytes += p.length ?? 0;
      if (this.#early.push(p) > MAX_EARLY_PACKETS) closeSocket(this.#ws, 1008, "Too many packets before CONNACK.");
      else if (this.#earlyBytes > MAX_EARLY_BYTES) closeSocket(this.#ws, 1008, "Too many bytes before CONNACK.");
      return;
    }
    if (p.cmd !== "connect") {
      closeSocket(this.#ws, 1002, "The first MQTT packet must be CONNECT.");
      return;
    }
    this.#connect(p);
  }

  #connect(p: IConnectPacket): void {
    this.#state = "connecting";
    clearTimeout(this.#connectTimer);
    this.#negotiator.negotiate(p).then(
      (opened) => {
        if (opened !== undefined) this.#opened(opened, p.keepalive ?? 0);
      },
      (e) => {
        this.#service.log(`mqtt: connect failed: ${String(e)}`);
        closeSocket(this.#ws, 1011, "Internal error.");
      },
    );
  }

  /** The session is open: the keep-alive starts and the packets that waited are handled, in order. */
  #opened(live: LiveSession, keepSeconds: number): void {
    this.#live = live;
    // a resumed session's backlog, sent again while it was being opened, overflowed the send buffer: it ends now
    if (this.#slow !== undefined) {
      this.#endSlow(this.#slow);
      return;
    }
    if (keepSeconds > 0) {
      this.#keepAlive = setTimeout(() => {
        live.drop(Reason.KeepAliveTimeout, "Keep-alive timeout.");
        cutSocket(this.#ws);
      }, keepSeconds * 1500);
      this.#keepAlive.unref();
    }
    // as if they came after the CONNACK: none is handled once one of them made the service close the connection
    this.#earlyBytes = 0;
    for (const q of this.#early.splice(0)) if (!this.#link.stopped) live.handle(q);
  }

  #onProblem(kind: LinkProblem, message: string): void {
    if (kind === "slow") {
      this.#slow = message;
      this.#endSlow(message);
      return;
    }
    if (this.#live !== undefined) {
      this.#live.drop(REASONS[kind], message);
      return;
    }
    if (this.#state === "waiting" && message.includes("protocol version")) {
      this.#link.write({ cmd: "connack", returnCode: 1, sessionPresent: false });
    }
    closeSocket(this.#ws, 1002, message);
  }

  /**
   * A slow consumer, as for the messages it is sent (connection.ts): the session ends and the socket, holding too much,
   * is cut. Before the session is open the socket is cut at once; a session opened after that (a resume whose backlog
   * overflowed) ends as it opens, instead of being kept for its client to reconnect into the same backlog.
   */
  #endSlow(message: string): void {
    if (this.#live !== undefined) this.#service.overflow(this.#live.conn, message, 1008);
    else cutSocket(this.#ws);
  }

  #onClose(code: number, reason: string): void {
    clearTimeout(this.#connectTimer);
    clearTimeout(this.#keepAlive);
    this.#early.length = 0;
    this.#earlyBytes = 0;
    this.#inbound.close();
    this.#live?.closed(code, reason);
  }
}
