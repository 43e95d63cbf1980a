// The MQTT endpoint `/clients/mqtt/hubs/{hub}` (subprotocol `mqtt`): the WebSocket upgrade is accepted once the
// request names a hub and offers `mqtt`; the token (access_token or Authorization) is checked then, but its verdict is
// told in the CONNACK, in the version of the client's CONNECT, as is the upstream `connect` event's decision.
import { authenticate, type Identity } from "../ws/client-auth.ts";
import { UpgradeRefused } from "../ws/refusal.ts";
import type { Upgrade } from "../ws/upgrade.ts";
import { MqttNetworkConnection } from "./network-connection.ts";

/** Accepts the upgrade of an MQTT client (refusals before it throw UpgradeRefused); its network connection starts. */
export function upgradeMqtt(upgrade: Upgrade): void {
  const { service, req, target } = upgrade;
  if (!target.offered.includes("mqtt")) {
    throw new UpgradeRefused(400, "MQTT clients must offer the WebSocket subprotocol 'mqtt'.");
  }
  const identity = tokenVerdict(upgrade);
  upgrade.select("mqtt");
  upgrade.open((ws) => new MqttNetworkConnection({ service, ws, req, target, identity }));
}

/** Who the token names, or the refusal to tell in the CONNACK. */
function tokenVerdict({ service, req, target }: Upgrade): Identity | UpgradeRefused {
  try {
    return authenticate(target, req, service.opts.accessKey);
  } catch (e) {
    if (!(e instanceof UpgradeRefused)) throw e;
    return e;
  }
}
