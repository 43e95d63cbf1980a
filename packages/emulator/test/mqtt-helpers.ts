// Helpers of the MQTT tests: client tokens for the MQTT endpoint, mqtt.js clients that resolve once connected, and a
// raw MQTT-over-WebSocket client (mqtt-packet's generator and parser on a `ws` socket) for what mqtt.js refuses to
// send (oversize packets) or does on its own (keep-alive pings), and an event handler that holds connect events until
// the test answers them (a CONNECT still being decided).
import type { ServerResponse } from "node:http";
import mqtt, { type IClientOptions, type MqttClient } from "mqtt";
import { generate, type IConnectPacket, type IPublishPacket, type Packet, parser } from "mqtt-packet";
import WebSocket from "ws";
import type { RunningEmulator } from "../src/index.ts";
import { V4_MAX_KEEP_ALIVE_SECONDS } from "../src/mqtt/limits.ts";
import { ALL_GROUP_ROLES, type RestResult, rest, sign } from "./helpers/clients.ts";
import { type HandlerServer, startHandlerServer } from "./upstream-fixtures/handler-server.ts";

export function mqttToken(emu: RunningEmulator, hub: string, claims: Record<string, unknown> = {}): string {
  const now = Math.floor(Date.now() / 1000);
  return sign({ aud: `${emu.endpoint}/clients/mqtt/hubs/${hub}`, iat: now, exp: now + 3600, ...claims }, emu.accessKey);
}

/** The MQTT endpoint URL of `hub` with `token`; `port` replaces the emulator's (a proxy in front of it). */
export function mqttUrl(emu: RunningEmulator, hub: string, token: string, port?: number): string {
  const base = port === undefined ? emu.endpoint : `http://127.0.0.1:${port}`;
  return `${base.replace("http", "ws")}/clients/mqtt/hubs/${hub}?access_token=${token}`;
}

/**
 * An mqtt.js client, resolved once its CONNACK accepted it (rejected with the CONNACK error otherwise). Later errors
 * (a cut connection) are left to mqtt.js, which reconnects when `reconnectPeriod` says so.
 */
export function openMqtt(url: string, options: IClientOptions): Promise<MqttClient> {
  return new Promise((resolve, reject) => {
    const c = mqtt.connect(url, { reconnectPeriod: 0, clientId: `c${Math.random()}`, ...options });
    const refused = (e: Error) => {
      c.end(true);
      reject(e);
    };
    c.once("error", refused);
    c.once("connect", () => {
      c.off("error", refused);
      c.on("error", () => {});
      resolve(c);
    });
  });
}

/**
 * The keep-alive of a test client that sends no pings: 0 (none) at 5.0; the service takes 1 - 180 s at 3.1.1 (0 is
 * refused), so there the longest, 180 s, which no test waits for.
 */
export const quietKeepAlive = (version: 4 | 5): number => (version === 5 ? 0 : V4_MAX_KEEP_ALIVE_SECONDS);

/** An MQTT client written with mqtt-packet on a plain WebSocket: it sends exactly what the test says. */
export class RawMqtt {
  readonly ws: WebSocket;
  readonly packets: Packet[] = [];
  readonly opened: Promise<void>;
  readonly closed: Promise<number>;
  #waiters: (() => void)[] = [];
  readonly #version: 4 | 5;

  /** Pings received from the service (WebSocket level). */
  pings = 0;

  /** `autoPong: false` leaves the service's WebSocket pings unanswered. */
  constructor(url: string, version: 4 | 5, options: { autoPong?: boolean } = {}) {
    this.#version = version;
    this.ws = new WebSocket(url, "mqtt", { autoPong: options.autoPong ?? true });
    this.ws.on("ping", () => {
      this.pings++;
      this.#notify();
    });
    const p = parser({ protocolVersion: version });
    p.on("packet", (x: Packet) => {
      this.packets.push(x);
      this.#notify();
    });
    this.ws.on("message", (data: Buffer) => p.parse(data));
    this.opened = new Promise((resolve, reject) => {
      this.ws.once("open", () => resolve());
      this.ws.once("error", reject);
    });
    this.closed = new Promise((resolve) =>
      this.ws.once("close", (code) => {
        resolve(code);
        this.#notify();
      }),
    );
  }

  send(packet: Packet): void {
    this.ws.send(generate(packet, { protocolVersion: this.#version }));
  }

  /** Sends CONNECT and resolves with the CONNACK. */
  async connect(fields: { clientId?: string; keepalive?: number } = {}): Promise<Packet> {
    await this.opened;
    this.send({
      cmd: "connect",
      protocolId: "MQTT",
      protocolVersion: this.#version,
      clean: true,
      clientId: fields.clientId ?? `raw${Math.random()}`,
      keepalive: fields.keepalive ?? quietKeepAlive(this.#version),
    });
    return this.next("connack");
  }

  /** Resolves once `n` WebSocket pings came; rejects once the socket closed before. */
  async pinged(n: number): Promise<void> {
    for (;;) {
      if (this.pings >= n) return;
      if (this.ws.readyState === WebSocket.CLOSED) throw new Error(`closed after ${this.pings} of ${n} pings`);
      await new Promise<void>((r) => this.#waiters.push(r));
    }
  }

  /** Resolves with the first received packet of `cmd` not yet taken; rejects once the socket closed without it. */
  async next(cmd: Packet["cmd"]): Promise<Packet> {
    for (;;) {
      const i = this.packets.findIndex((p) => p.cmd === cmd);
      if (i >= 0) return this.packets.splice(i, 1)[0]!;
      if (this.ws.readyState === WebSocket.CLOSED) throw new Error(`closed without a ${cmd} packet`);
      await new Promise<void>((r) => this.#waiters.push(r));
    }
  }

  #notify(): void {
    for (const f of this.#waiters.splice(0)) f();
  }
}

/**
 * A raw 5.0 client of hub `hub` (a token with every group role unless `roles` is false) that sent a CONNECT with
 * keep-alive 0 and `fields` (client id, clean start, properties; a clean start with a random client id when not
 * given), and its CONNACK's reason code and session present flag.
 */
export async function connectRaw5(
  emu: RunningEmulator,
  hub: string,
  fields: Partial<IConnectPacket> = {},
  roles = true,
): Promise<{ raw: RawMqtt; reasonCode: number; sessionPresent: boolean }> {
  const token = mqttToken(emu, hub, roles ? { role: ALL_GROUP_ROLES } : {});
  const raw = new RawMqtt(mqttUrl(emu, hub, token), 5);
  await raw.opened;
  raw.send({
    cmd: "connect",
    protocolId: "MQTT",
    protocolVersion: 5,
    clean: true,
    clientId: `r${Math.random()}`,
    keepalive: 0,
    ...fields,
  } as Packet);
  const { reasonCode, sessionPresent } = (await raw.next("connack")) as { reasonCode: number; sessionPresent: boolean };
  return { raw, reasonCode, sessionPresent };
}

/** Subscribes `raw` to `topic` at `qos` and to "fence" at QoS 0 (for publishesBeforeFence), and waits for the SUBACK. */
export async function subscribeWithFence(raw: RawMqtt, topic: string, qos: 0 | 1 | 2): Promise<void> {
  raw.send({
    cmd: "subscribe",
    messageId: 1,
    subscriptions: [
      { topic, qos },
      { topic: "fence", qos: 0 },
    ],
  });
  await raw.next("suback");
}

/** Sends `text` (text/plain) to `group` through the emulator's REST API. */
export function sendToGroup(emu: RunningEmulator, hub: string, group: string, text: string): Promise<RestResult> {
  return rest(emu, "POST", `/api/hubs/${hub}/groups/${group}/:send`, { body: text, contentType: "text/plain" });
}

/** A PUBLISH's payload as text. */
export const payloadText = (p: IPublishPacket): string => Buffer.from(p.payload).toString();

/**
 * The PUBLISHes `raw` receives before a fence: the text "fence" sent now through REST to `fenceGroup` (a topic `raw`
 * subscribed to at QoS 0, or the watched topic itself), which comes after everything the emulator had for `raw`.
 */
export async function publishesBeforeFence(
  emu: RunningEmulator,
  raw: RawMqtt,
  hub: string,
  fenceGroup = "fence",
): Promise<IPublishPacket[]> {
  await sendToGroup(emu, hub, fenceGroup, "fence");
  const got: IPublishPacket[] = [];
  for (;;) {
    const p = (await raw.next("publish")) as IPublishPacket;
    if (p.topic === fenceGroup && payloadText(p) === "fence") return got;
    got.push(p);
  }
}

/**
 * An event handler that passes the abuse-protection check and holds the `connect` events of `user` (of every user when
 * none is named): each waits in `held`, oldest first, until the test answers it. Every other event gets 204 at once.
 */
export async function connectHoldingHandler(
  user?: string,
): Promise<{ handler: HandlerServer; held: ServerResponse[] }> {
  const held: ServerResponse[] = [];
  const handler = await startHandlerServer((req, res) => {
    if (req.method === "OPTIONS") {
      res.setHeader("WebHook-Allowed-Origin", "*");
      res.end();
      return;
    }
    const connect = req.headers["ce-eventname"] === "connect";
    if (connect && (user === undefined || req.headers["ce-userid"] === user)) held.push(res);
    else res.writeHead(204).end();
  });
  return { handler, held };
}
