// The app's event handler for the "home" hub, written with @webpubsub/handler: it admits MQTT devices by the
// username and password of their CONNECT (a refusal is an MQTT code that the device sees in its CONNACK), lets chat
// clients in as their token says, and reports every connected / disconnected event with its MQTT details.
import {
  type ConnectionContext,
  type DisconnectedRequest,
  MqttV311ConnectReturnCode,
  MqttV500ConnectReasonCode,
  WebPubSubEventHandler,
} from "@webpubsub/handler";

/** The password every device of this example knows (a real app would look the device up). */
export const DEVICE_PASSWORD = "let-me-in";
/** Devices with this username are refused with a plain 403, which the handler turns into the version's code. */
export const BANNED_DEVICE = "stolen-device";

/** One connected / disconnected event as the handler saw it. */
export interface SeenEvent {
  event: "connected" | "disconnected";
  userId: string | undefined;
  clientProtocol: ConnectionContext["clientProtocol"];
  /** ce-physicalConnectionId and ce-sessionId (MQTT clients only) */
  mqtt: ConnectionContext["mqtt"];
  /** initiatedByClient and the DISCONNECT packet (MQTT disconnected events only) */
  disconnect: DisconnectedRequest["mqtt"];
}

/** The events the handler saw, in order; pass `add` as homeHandler's `onEvent`. */
export class SeenEvents {
  readonly #seen: SeenEvent[] = [];
  readonly #waiters = new Set<() => void>();

  readonly add = (e: SeenEvent): void => {
    this.#seen.push(e);
    for (const w of [...this.#waiters]) w();
  };

  /** Resolves with the first event, already seen or arriving later, that `match` accepts. */
  saw(match: (e: SeenEvent) => boolean): Promise<SeenEvent> {
    return new Promise((resolve) => {
      const check = () => {
        const hit = this.#seen.find(match);
        if (hit === undefined) return;
        this.#waiters.delete(check);
        resolve(hit);
      };
      this.#waiters.add(check);
      check();
    });
  }
}

export function homeHandler(accessKey: string, onEvent: (e: SeenEvent) => void): WebPubSubEventHandler {
  return new WebPubSubEventHandler("home", {
    accessKeys: [accessKey], // verify the service's signature on every call
    handleConnect(req, res) {
      if (req.mqtt === undefined) return res.success(); // chat clients: the token decides
      const { protocolVersion, username, password } = req.mqtt;
      if (username === BANNED_DEVICE) return res.fail(403, "this device is banned");
      const secret = password === undefined ? "" : Buffer.from(password, "base64").toString("utf8");
      if (username === undefined || secret !== DEVICE_PASSWORD) {
        const code =
          protocolVersion === 5
            ? MqttV500ConnectReasonCode.BadUserNameOrPassword
            : MqttV311ConnectReturnCode.BadUsernameOrPassword;
        return res.failWith({ mqtt: { code, reason: "unknown device or wrong password" } });
      }
      // the device's username becomes its user id; a 5.0 device gets a user property in its CONNACK
      res.success({ userId: username, mqtt: { userProperties: [{ name: "welcome", value: username }] } });
    },
    onConnected(req) {
      onEvent(seen("connected", req.context, undefined));
    },
    onDisconnected(req) {
      onEvent(seen("disconnected", req.context, req.mqtt));
    },
  });
}

function seen(event: SeenEvent["event"], context: ConnectionContext, disconnect: SeenEvent["disconnect"]): SeenEvent {
  return { event, userId: context.userId, clientProtocol: context.clientProtocol, mqtt: context.mqtt, disconnect };
}
