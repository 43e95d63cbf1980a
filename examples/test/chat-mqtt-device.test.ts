// An MQTT device and the browser chat in one group: an mqtt.js 5.0 client, given a URL minted by @webpubsub/service
// with `clientProtocol: "mqtt"`, subscribes to the chat's group as a topic. What a page in Chromium says reaches the
// device as text/plain, what the device publishes appears on the page under its user id, and the chat server's
// connected handler announces the device like any other member.
import { WebPubSubServiceClient } from "@webpubsub/service";
import { hasChromium } from "@webpubsub/test-kit";
import { describe, expect, test } from "vitest";
import { CHAT_GROUP } from "../src/chat/server.ts";
import { connectDevice, type Device, type DeviceMessage } from "../src/mqtt-device/device.ts";
import { chatInChromium, say } from "./chat-in-chromium.ts";

const WAIT = { timeout: 60_000 };

/** Resolves with the first message (already received or arriving later) that `match` accepts. */
function received(device: Device, match: (m: DeviceMessage) => boolean): Promise<DeviceMessage> {
  return new Promise((resolve) => {
    const check = () => {
      const found = device.received.find(match);
      if (found === undefined) return false;
      device.client.off("message", check);
      resolve(found);
      return true;
    };
    if (!check()) device.client.on("message", check);
  });
}

describe.skipIf(!hasChromium("the MQTT device in the browser chat"))("an MQTT device in the browser chat", () => {
  const app = chatInChromium();

  const join = (name: string) => app.join(name);

  test("the page and the device exchange messages through the group, both ways", async () => {
    const alice = await join("alice");
    const service = new WebPubSubServiceClient(app.chat.emulator.connectionString, "chat");
    const { url } = await service.getClientAccessToken({
      clientProtocol: "mqtt",
      userId: "thermostat",
      roles: [`webpubsub.joinLeaveGroup.${CHAT_GROUP}`, `webpubsub.sendToGroup.${CHAT_GROUP}`],
    });
    expect(new URL(url).pathname).toBe("/clients/mqtt/hubs/chat");
    const device = await connectDevice(url, { protocolVersion: 5, clientId: "thermostat-1" });
    try {
      await alice.waitForSelector("#messages li.system >> text=thermostat joined", WAIT);
      await device.client.subscribeAsync(CHAT_GROUP, { qos: 1, nl: true });

      // the server's announcement (REST sendToAll) reaches the device on the server-messages topic
      expect(await received(device, (m) => m.text.includes('"user":"thermostat"'))).toEqual({
        topic: "$webpubsub/server/messages",
        text: '{"event":"joined","user":"thermostat"}',
        contentType: "application/json",
      });

      await say(alice, "hello thermostat");
      expect(await received(device, (m) => m.topic === CHAT_GROUP)).toEqual({
        topic: CHAT_GROUP,
        text: "hello thermostat",
        contentType: "text/plain",
      });

      await device.client.publishAsync(CHAT_GROUP, "21.5 °C", { qos: 1, properties: { contentType: "text/plain" } });
      await alice.waitForSelector("#messages li >> text=21.5 °C", WAIT);
      const lines = await alice.$$eval("#messages li:not(.system)", (items) => items.map((li) => li.textContent));
      expect(lines).toEqual(["alice:hello thermostat", "thermostat:21.5 °C"]);
      // nl (no local): the device does not get its own reading back; a fence from the page proves nothing was pending
      await say(alice, "fence");
      await received(device, (m) => m.text === "fence");
      expect(device.received.filter((m) => m.topic === CHAT_GROUP).map((m) => m.text)).toEqual([
        "hello thermostat",
        "fence",
      ]);
    } finally {
      await device.client.endAsync();
      await alice.close();
    }
  });
});
