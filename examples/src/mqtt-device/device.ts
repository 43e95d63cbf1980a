// An MQTT device as any MQTT library would write it (here mqtt.js): it connects over WebSocket to the client URL the
// app minted for it with `clientProtocol: "mqtt"`, signs in with username and password, and uses topics, which Web
// PubSub maps to groups.
import mqtt, { type IClientOptions, type MqttClient } from "mqtt";

/** What the device received: topic, payload as text, and the MQTT 5.0 content type. */
export interface DeviceMessage {
  topic: string;
  text: string;
  contentType: string | undefined;
}

export interface Device {
  client: MqttClient;
  received: DeviceMessage[];
  /** Resolves once `count` messages have arrived. */
  waitForCount(count: number): Promise<void>;
}

/** Connects; resolves once the CONNACK accepted the device, rejects with the CONNACK's error (its `code`) otherwise. */
export function connectDevice(url: string, options: IClientOptions): Promise<Device> {
  return new Promise((resolve, reject) => {
    const client = mqtt.connect(url, { reconnectPeriod: 0, ...options });
    const received: DeviceMessage[] = [];
    const waiters = new Set<() => void>();
    client.on("message", (topic, payload, packet) => {
      received.push({ topic, text: payload.toString("utf8"), contentType: packet.properties?.contentType });
      for (const w of [...waiters]) w();
    });
    const refused = (error: Error) => {
      client.end(true);
      reject(error);
    };
    client.once("error", refused);
    client.once("connect", () => {
      client.off("error", refused);
      client.on("error", (error) => console.error(`  device error: ${error.message}`));
      resolve({
        client,
        received,
        waitForCount: (count) =>
          new Promise<void>((done) => {
            const check = () => {
              if (received.length < count) return;
              waiters.delete(check);
              done();
            };
            waiters.add(check);
            check();
          }),
      });
    });
  });
}
