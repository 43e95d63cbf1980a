// The upstream events of MQTT clients: the connect event gets the CONNECT fields and its MQTT code becomes the CONNACK;
// events carry ce-physicalConnectionId / ce-sessionId; disconnected carries the MQTT details.
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import mqtt from "mqtt";
import { afterAll, beforeAll, expect, it } from "vitest";
import { type RunningEmulator, startEmulator } from "../src/index.ts";
import { sign } from "./helpers/clients.ts";

interface Seen {
  event: string;
  headers: IncomingHttpHeaders;
  body: string;
}
const seen: Seen[] = [];
const waiters: (() => void)[] = [];
const handler = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on("data", (c: Buffer) => chunks.push(c));
  req.on("end", () => {
    if (req.method === "OPTIONS") {
      res.writeHead(200, { "WebHook-Allowed-Origin": "*" }).end();
      return;
    }
    const e = {
      event: String(req.headers["ce-eventname"]),
      headers: req.headers,
      body: Buffer.concat(chunks).toString(),
    };
    seen.push(e);
    for (const f of waiters.splice(0)) f();
    if (e.event === "connect" && JSON.parse(e.body).mqtt?.username === "blocked") {
      res.writeHead(401, { "content-type": "application/json" });
      res.end(JSON.stringify({ mqtt: { code: 0x8a, reason: "banned device" } }));
      return;
    }
    res.writeHead(204).end();
  });
});

async function event(name: string): Promise<Seen> {
  for (;;) {
    const hit = seen.find((s) => s.event === name);
    if (hit) return hit;
    await new Promise<void>((r) => waiters.push(r));
  }
}

let emu: RunningEmulator;
beforeAll(async () => {
  await new Promise<void>((r) => handler.listen(0, "127.0.0.1", r));
  const port = (handler.address() as AddressInfo).port;
  emu = await startEmulator({
    hubs: {
      iot: {
        eventHandlers: [
          {
            urlTemplate: `http://127.0.0.1:${port}/events/{event}`,
            systemEvents: ["connect", "connected", "disconnected"],
          },
        ],
      },
    },
  });
});
afterAll(async () => {
  await emu.close();
  await new Promise<void>((r) => handler.close(() => r()));
});

function url(): string {
  const now = Math.floor(Date.now() / 1000);
  const tok = sign({ aud: `${emu.endpoint}/clients/mqtt/hubs/iot`, iat: now, exp: now + 3600 }, emu.accessKey);
  return `${emu.endpoint.replace("http", "ws")}/clients/mqtt/hubs/iot?access_token=${tok}`;
}

it("a connect handler's MQTT code reaches the 5.0 CONNACK", async () => {
  const c = mqtt.connect(url(), { protocolVersion: 5, reconnectPeriod: 0, username: "blocked", password: "pw" });
  const err = await new Promise<{ code?: number }>((r) => c.once("error", (e) => r(e as { code?: number })));
  expect(err.code).toBe(0x8a);
  c.end(true);
});

it("connect, connected and disconnected carry the MQTT fields and headers", async () => {
  seen.length = 0;
  const c = mqtt.connect(url(), {
    protocolVersion: 5,
    reconnectPeriod: 0,
    clientId: "sensor-9",
    username: "dev",
    password: "pw",
    properties: { userProperties: { site: "lab" } },
  });
  await new Promise((r) => c.once("connect", r));
  const connect = await event("connect");
  expect(JSON.parse(connect.body).mqtt).toEqual({
    protocolVersion: 5,
    username: "dev",
    password: Buffer.from("pw").toString("base64"),
    userProperties: [{ name: "site", value: "lab" }],
  });
  const connected = await event("connected");
  expect(connected.headers["ce-physicalconnectionid"]).toBeTruthy();
  expect(connected.headers["ce-sessionid"]).toBe("sensor-9");
  expect(connected.headers["ce-subprotocol"]).toBe("mqtt");
  await c.endAsync();
  const disconnected = await event("disconnected");
  expect(JSON.parse(disconnected.body).mqtt).toEqual({ initiatedByClient: true, disconnectPacket: { code: 0 } });
});
