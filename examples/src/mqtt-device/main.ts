// An MQTT device and a chat client in one group: the thermostat (mqtt.js, MQTT 5.0) publishes its readings to the
// topic "home", which is the Web PubSub group "home"; the chat client (@webpubsub/client with the JSON subprotocol,
// the same code a browser page runs) receives them as JSON and answers with text that reaches the device as
// text/plain. The app's event handler (@webpubsub/handler) admits devices by username and password, and sees their
// connected / disconnected events with the MQTT details. Always runs against the in-process emulator (the service
// must call the handler on this machine).
// Run: node --conditions=source examples/src/mqtt-device/main.ts
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { DEFAULT_ACCESS_KEY } from "@webpubsub/emulator";
import { toNodeListener } from "@webpubsub/handler/node";
import { expectEqual, expectRejects, expectTrue, log, runSample } from "../support/sample.ts";
import { connectDevice } from "./device.ts";
import { BANNED_DEVICE, DEVICE_PASSWORD, homeHandler, type SeenEvent, SeenEvents } from "./home-handler.ts";

const seen = new SeenEvents();
const handler = homeHandler(DEFAULT_ACCESS_KEY, seen.add);
const handlerSaw = (match: (e: SeenEvent) => boolean) => seen.saw(match);

const server = createServer(toNodeListener(handler));
await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
const handlerUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/webpubsub/hubs/{hub}/`;
delete process.env.AZURE_WEBPUBSUB_CONNECTION_STRING;
process.env.AZURE_WEBPUBSUB_HUB = "home";
const GROUP = "home";

await runSample(
  "an MQTT device and a chat client in one group",
  async ({ service, connect }) => {
    try {
      // the app mints the device's URL: /clients/mqtt/hubs/home with a token allowed to use the topic "home"
      const { url } = await service.getClientAccessToken({
        clientProtocol: "mqtt",
        roles: [`webpubsub.joinLeaveGroup.${GROUP}`, `webpubsub.sendToGroup.${GROUP}`],
      });
      expectTrue(new URL(url).pathname === "/clients/mqtt/hubs/home", "the device URL is the MQTT endpoint");

      const thermostat = await connectDevice(url, {
        protocolVersion: 5,
        clientId: "thermostat-1",
        username: "thermostat-1",
        password: DEVICE_PASSWORD,
      });
      const connected = await handlerSaw((e) => e.event === "connected" && e.userId === "thermostat-1");
      expectEqual(
        [connected.clientProtocol, connected.mqtt?.sessionId],
        ["mqtt", "thermostat-1"],
        "the handler admitted the device and saw it connect as an MQTT client (ce-sessionId = client id)",
      );
      log(`its physical connection: ${connected.mqtt?.physicalConnectionId}`);
      await thermostat.client.subscribeAsync(GROUP, { qos: 1, nl: true }); // no echo of its own readings

      const chat = await connect({ userId: "alice", groups: [GROUP], roles: [`webpubsub.sendToGroup.${GROUP}`] });
      await thermostat.client.publishAsync(GROUP, JSON.stringify({ celsius: 21.5 }), {
        qos: 1,
        properties: { contentType: "application/json" },
      });
      await chat.inbox.waitForCount(1);
      const reading = chat.inbox.messages[0];
      expectEqual(
        [reading?.group, reading?.fromUserId, reading?.dataType, reading?.data],
        [GROUP, "thermostat-1", "json", { celsius: 21.5 }],
        "the chat client got the device's reading as JSON in the group",
      );

      await chat.client.sendToGroup(GROUP, "set 19", "text");
      await thermostat.waitForCount(1);
      expectEqual(
        thermostat.received[0],
        { topic: GROUP, text: "set 19", contentType: "text/plain" },
        "the device got the chat message on its topic as text/plain",
      );

      const wrong = await expectRejects(
        connectDevice(url, { protocolVersion: 5, username: "thermostat-2", password: "guess" }),
        "a device with the wrong password is refused in its CONNACK",
      );
      expectEqual(
        (wrong as { code?: number }).code,
        0x86,
        "with the handler's MQTT 5.0 code (bad user name or password)",
      );
      const banned = await expectRejects(
        connectDevice(url, { protocolVersion: 4, username: BANNED_DEVICE, password: DEVICE_PASSWORD }),
        "a banned MQTT 3.1.1 device is refused",
      );
      expectEqual((banned as { code?: number }).code, 5, "with 3.1.1 code 5 (not authorized) for the handler's 403");

      await thermostat.client.endAsync();
      const gone = await handlerSaw((e) => e.event === "disconnected" && e.userId === "thermostat-1");
      expectEqual(
        gone.disconnect,
        { initiatedByClient: true, disconnectPacket: { code: 0 } },
        "the handler saw the device leave with its DISCONNECT",
      );
    } finally {
      server.close();
      server.closeAllConnections();
    }
  },
  {
    emulator: {
      hubs: {
        home: {
          eventHandlers: [{ urlTemplate: handlerUrl, systemEvents: ["connect", "connected", "disconnected"] }],
        },
      },
    },
  },
);
