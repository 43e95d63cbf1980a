// REST sendToGroup of a 256 B JSON message to a group of 1,000 mqtt.js subscribers (MQTT 5.0 over WebSocket), against
// the same sends to a group of 1,000 JSON WebSocket clients: delivered messages/s at the clients. Two MQTT fleets:
// QoS 1 subscriptions (each delivery has its own packet id and comes back as a PUBACK) and QoS 0 ones (one shared
// encoding, nothing back). All fleets are connected to the same emulator process at once (loopback only) and measured
// in interleaved rounds; every wait is bounded.
import { WebPubSubServiceClient } from "@webpubsub/service";
import mqtt, { type MqttClient } from "mqtt";
import WebSocket from "ws";
import { type Benchmark, interleave } from "../harness.ts";
import { startWorker } from "../processes.ts";
import { EMULATOR_KEY } from "../tokens.ts";

const CLIENTS = 1000;
const GROUP = "fan";
const body = { text: "m".repeat(256 - 12) };
/** Connections opened at once while a fleet connects. */
const LANES = 50;
const CONNECT_TIMEOUT_MS = 20_000;
const DELIVERY_TIMEOUT_MS = 120_000;

/** One fleet of clients and the deliveries counted at them. */
class Fleet {
  delivered = 0;
  closeAll: () => Promise<void> = async () => {};
  #wake: (() => void) | undefined;

  count(): void {
    this.delivered++;
    this.#wake?.();
  }

  /** Resolves once `total` deliveries were counted; rejects after `timeoutMs`. */
  waitFor(total: number, timeoutMs: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#wake = undefined;
        reject(new Error(`only ${this.delivered} of ${total} deliveries within ${timeoutMs} ms`));
      }, timeoutMs);
      this.#wake = () => {
        if (this.delivered < total) return;
        clearTimeout(timer);
        this.#wake = undefined;
        resolve();
      };
      this.#wake();
    });
  }
}

/** Runs `open` `count` times, `LANES` at a time. */
async function inLanes(count: number, open: () => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < count) {
      next++;
      await open();
    }
  };
  await Promise.all(Array.from({ length: LANES }, lane));
}

function withTimeout<T>(work: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took over ${CONNECT_TIMEOUT_MS} ms`)), CONNECT_TIMEOUT_MS);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

async function mqttFleet(url: string, qos: 0 | 1): Promise<Fleet> {
  const clients: MqttClient[] = [];
  const f = new Fleet();
  f.closeAll = async () => {
    await Promise.all(clients.map((c) => c.endAsync(true)));
  };
  await withTimeout(
    inLanes(CLIENTS, async () => {
      const c = mqtt.connect(url, { protocolVersion: 5, reconnectPeriod: 0, clean: true, keepalive: 0 });
      clients.push(c);
      await new Promise<void>((resolve, reject) => {
        c.once("connect", () => resolve());
        c.once("error", reject);
      });
      c.on("message", () => f.count());
      await c.subscribeAsync(GROUP, { qos });
    }),
    `connecting ${CLIENTS} MQTT clients`,
  );
  return f;
}

async function jsonFleet(url: string): Promise<Fleet> {
  const sockets: WebSocket[] = [];
  const f = new Fleet();
  f.closeAll = async () => {
    for (const s of sockets) s.terminate();
  };
  await withTimeout(
    inLanes(CLIENTS, async () => {
      const ws = new WebSocket(url, "json.webpubsub.azure.v1", { perMessageDeflate: false });
      sockets.push(ws);
      await new Promise<void>((resolve, reject) => {
        // the first frame is `connected` (the group comes from the token): later ones are deliveries
        ws.once("message", () => {
          ws.on("message", () => f.count());
          resolve();
        });
        ws.once("error", reject);
      });
    }),
    `connecting ${CLIENTS} JSON clients`,
  );
  return f;
}

export const mqttFanout: Benchmark = {
  name: "mqtt-fanout",
  description: `REST sendToGroup of 256 B JSON to ${CLIENTS} mqtt.js subscribers (5.0, QoS 1 / QoS 0) vs ${CLIENTS} JSON WebSocket clients; deliveries/s`,
  async run(ctx) {
    const messages = ctx.quick ? 20 : 200;
    const emulator = await startWorker<{ endpoint: string }>("emulator");
    const fleets: Fleet[] = [];
    try {
      const connectionString = `Endpoint=${emulator.ready.endpoint};AccessKey=${EMULATOR_KEY};Version=1.0;`;
      const hub = (name: string) => new WebPubSubServiceClient(connectionString, name);
      const [qos1Hub, qos0Hub, jsonHub] = [hub("mqttfan1"), hub("mqttfan0"), hub("jsonfan")];
      const roles = [`webpubsub.joinLeaveGroup.${GROUP}`];
      const qos1 = await mqttFleet((await qos1Hub.getClientAccessToken({ clientProtocol: "mqtt", roles })).url, 1);
      fleets.push(qos1);
      const qos0 = await mqttFleet((await qos0Hub.getClientAccessToken({ clientProtocol: "mqtt", roles })).url, 0);
      fleets.push(qos0);
      const json = await jsonFleet((await jsonHub.getClientAccessToken({ groups: [GROUP] })).url);
      fleets.push(json);
      const round = async (service: WebPubSubServiceClient, clients: Fleet) => {
        const target = clients.delivered + CLIENTS * messages;
        const start = performance.now();
        for (let i = 0; i < messages; i++) await service.group(GROUP).sendToAll(body);
        await clients.waitFor(target, DELIVERY_TIMEOUT_MS);
        return (CLIENTS * messages * 1000) / (performance.now() - start);
      };
      const samples = await interleave(
        ctx.rounds,
        {
          "mqtt qos 1": () => round(qos1Hub, qos1),
          "mqtt qos 0": () => round(qos0Hub, qos0),
          "json ws": () => round(jsonHub, json),
        },
        ctx.log,
      );
      const baseline = { unit: "msg/s", better: "higher" as const, baseline: samples["json ws"] };
      const baselineName = "JSON WebSocket clients, same emulator";
      return [
        {
          metric: `QoS 1 group deliveries/s to ${CLIENTS} mqtt.js clients`,
          ...baseline,
          ours: samples["mqtt qos 1"],
          baselineName,
        },
        {
          metric: `QoS 0 group deliveries/s to ${CLIENTS} mqtt.js clients`,
          ...baseline,
          ours: samples["mqtt qos 0"],
          baselineName,
        },
      ];
    } finally {
      for (const f of fleets) await f.closeAll();
      await emulator.stop();
    }
  },
};
