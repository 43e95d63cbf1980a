// MQTT end to end across the packages: the mqtt-device example runs to completion, and mqtt.js clients (3.1.1 and
// 5.0) connect to the emulator with URLs minted by @webpubsub/service (`clientProtocol: "mqtt"`), are refused by a
// @webpubsub/handler connect handler with the MQTT code it chose (or the code its HTTP status stands for), and their
// connected / disconnected events reach that handler with the MQTT details.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { DEFAULT_ACCESS_KEY, type RunningEmulator, startEmulator } from "@webpubsub/emulator";
import { toNodeListener } from "@webpubsub/handler/node";
import { WebPubSubServiceClient } from "@webpubsub/service";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { connectDevice } from "../src/mqtt-device/device.ts";
import {
  BANNED_DEVICE,
  DEVICE_PASSWORD,
  homeHandler,
  type SeenEvent,
  SeenEvents,
} from "../src/mqtt-device/home-handler.ts";
import { runNode } from "./run-node.ts";

test("the mqtt-device example runs and passes its checks", async () => {
  const run = await runNode("src/mqtt-device/main.ts", 40_000);
  expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(0);
  expect(run.stdout).toContain("✔ an MQTT device and a chat client in one group: all checks passed");
});

describe("MQTT clients with @webpubsub/service tokens and a @webpubsub/handler app", () => {
  let emulator: RunningEmulator;
  let server: Server;
  let service: WebPubSubServiceClient;
  const seen = new SeenEvents();
  const handlerSaw = (match: (e: SeenEvent) => boolean) => seen.saw(match);

  beforeAll(async () => {
    const handler = homeHandler(DEFAULT_ACCESS_KEY, seen.add);
    server = createServer(toNodeListener(handler));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const urlTemplate = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/webpubsub/hubs/{hub}/`;
    emulator = await startEmulator({
      port: 0,
      hubs: { home: { eventHandlers: [{ urlTemplate, systemEvents: ["connect", "connected", "disconnected"] }] } },
    });
    service = new WebPubSubServiceClient(emulator.connectionString, "home");
  });
  afterAll(async () => {
    await emulator.close();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  async function deviceUrl(): Promise<string> {
    const { url } = await service.getClientAccessToken({
      clientProtocol: "mqtt",
      roles: ["webpubsub.joinLeaveGroup.home", "webpubsub.sendToGroup.home"],
    });
    return url;
  }

  describe.each([4, 5] as const)("MQTT level %i", (version) => {
    test("a service-minted MQTT URL connects; connected and disconnected reach the handler with MQTT details", async () => {
      const url = await deviceUrl();
      expect(new URL(url).pathname).toBe("/clients/mqtt/hubs/home");
      const clientId = `sensor-v${version}`;
      const device = await connectDevice(url, {
        protocolVersion: version,
        clientId,
        username: clientId,
        password: DEVICE_PASSWORD,
      });
      const connected = await handlerSaw((e) => e.event === "connected" && e.userId === clientId);
      expect(connected.clientProtocol).toBe("mqtt");
      expect(connected.mqtt?.sessionId).toBe(clientId);
      expect(connected.mqtt?.physicalConnectionId).toMatch(/\S/);
      // the token's roles hold: the device may use its topic
      await device.client.subscribeAsync("home", { qos: 1 });
      await service.sendToGroup("home", "hello device", { contentType: "text/plain" });
      await device.waitForCount(1);
      expect(device.received[0]?.text).toBe("hello device");

      await device.client.endAsync();
      const gone = await handlerSaw((e) => e.event === "disconnected" && e.userId === clientId);
      expect(gone.mqtt).toEqual(connected.mqtt);
      expect(gone.disconnect).toEqual({ initiatedByClient: true, disconnectPacket: { code: 0 } });
    });

    test("a service close is not initiated by the client", async () => {
      const clientId = `closed-v${version}`;
      const device = await connectDevice(await deviceUrl(), {
        protocolVersion: version,
        clientId,
        username: clientId,
        password: DEVICE_PASSWORD,
      });
      await handlerSaw((e) => e.event === "connected" && e.userId === clientId);
      await service.closeUserConnections(clientId, { reason: "maintenance" });
      const gone = await handlerSaw((e) => e.event === "disconnected" && e.userId === clientId);
      // 5.0 clients are sent a DISCONNECT with Administrative action (0x98); 3.1.1 has no server DISCONNECT
      expect(gone.disconnect).toEqual({
        initiatedByClient: false,
        disconnectPacket: { code: version === 5 ? 0x98 : 0 },
      });
      device.client.end(true);
    });

    test("the connect handler's refusal is the CONNACK code: its own MQTT code, or its HTTP status's", async () => {
      const url = await deviceUrl();
      const wrong = (await connectDevice(url, { protocolVersion: version, username: "x", password: "guess" }).catch(
        (e) => e,
      )) as { code?: number };
      expect(wrong.code).toBe(version === 5 ? 0x86 : 4); // failWith({ mqtt: { code } }): bad user name or password
      const banned = (await connectDevice(url, {
        protocolVersion: version,
        username: BANNED_DEVICE,
        password: DEVICE_PASSWORD,
      }).catch((e) => e)) as { code?: number };
      expect(banned.code).toBe(version === 5 ? 0x87 : 5); // fail(403): not authorized
      // the right password is what made the difference
      const ok = await connectDevice(url, { protocolVersion: version, username: "x", password: DEVICE_PASSWORD });
      await ok.client.endAsync();
    });
  });
});
