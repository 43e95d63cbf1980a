// The last will of an MQTT session: published once, as a sendToGroup of the session's connection (with its
// permission), when the network connection closes without the client's normal DISCONNECT, which clears it: a drop
// (LiveSession.closed) or a service-side end of the session (a REST close, a takeover by a new CONNECT of the client
// id; MQTT 5.0 section 3.1.2.5), but not the emulator's shutdown. A 5.0 will with a Will Delay Interval waits for it
// while the session is kept for its client, and is dropped when the client comes back before ([MQTT-3.1.3-9]); the end
// of the session publishes it at once. It is the session's extension, told of its resume and its end.
import type { Connection } from "../connection.ts";
import type { Service } from "../service.ts";
import type { SessionExtension } from "../session-extension.ts";
import { shown } from "./deps.ts";
import { sendToTopic } from "./group-publish.ts";
import type { MqttSession } from "./session.ts";

export class LastWill implements SessionExtension {
  readonly #service: Service;
  readonly #conn: Connection;
  readonly #session: MqttSession;
  /** a delayed will's timer, while the session waits for its client */
  #delay: NodeJS.Timeout | undefined;

  private constructor(service: Service, conn: Connection, session: MqttSession) {
    this.#service = service;
    this.#conn = conn;
    this.#session = session;
  }

  /** The last will of `conn`'s `session` (registered when the session opens, so that its end publishes the will). */
  static of(service: Service, conn: Connection, session: MqttSession): LastWill {
    return conn.extension(LastWill, () => new LastWill(service, conn, session));
  }

  /** The client is back before a delayed will went out: it is never sent (the new connection's will replaced it). */
  resumed(): void {
    clearTimeout(this.#delay);
  }

  ended(): void {
    clearTimeout(this.#delay);
    if (!this.#service.closing) this.publish();
  }

  /**
   * The network connection closed without a normal DISCONNECT: the will goes now, or after its Will Delay Interval when
   * the session is `kept` for its client (a resume before then cancels it, the session's end sends it at once).
   */
  dropped(kept: boolean): void {
    const delaySeconds = this.#session.will?.delaySeconds ?? 0;
    if (!kept || delaySeconds === 0) {
      this.publish();
      return;
    }
    // no later than the session's end, which sends it anyway (and a timer of over 2^31 - 1 ms would fire at once)
    this.#delay = setTimeout(() => this.publish(), Math.min(delaySeconds * 1000, this.#session.keepMs));
    this.#delay.unref();
  }

  /** Publishes the session's will, if it still has one (then it has none). */
  publish(): void {
    const service = this.#service;
    const conn = this.#conn;
    const will = this.#session.will;
    this.#session.will = undefined;
    if (will === undefined) return;
    if (!conn.allowed("sendToGroup", will.topic)) {
      service.log(
        `mqtt connection ${conn.id}: last will not sent: no sendToGroup permission for topic ${shown(will.topic)}`,
      );
      return;
    }
    try {
      sendToTopic(service, conn, will, false);
    } catch (e) {
      service.log(`mqtt connection ${conn.id}: last will not sent: ${String(e)}`);
    }
  }
}
