// What a client's message can make the service do, shared by the protocols: publish to a group, raise a user event
// upstream (and send its reply back), and the error that answers a message with an ack error.
import type { Connection } from "../connection.ts";
import { Outgoing, type Payload } from "../outgoing.ts";
import type { Service } from "../service.ts";
import type { MessagePayload, UserEventResult } from "../upstream-port.ts";

/** A message that cannot be executed: answered with the ack error `ackError` when it has an ackId. */
export class Rejected extends Error {
  override name = "Rejected";
  /** The `error` of the ack that answers the message: an ack error name and this error's message. */
  readonly ackError: { name: string; message: string };
  constructor(errorName: string, message: string) {
    super(message);
    this.ackError = { name: errorName, message };
  }
}

/** A group message from `sender` to the group's members (without the sender itself when `noEcho`). */
export function publish(service: Service, sender: Connection, group: string, msg: Outgoing, noEcho: boolean): void {
  const members = sender.hub.groups.get(group);
  const route = { hub: sender.hub.name, from: sender.id, to: `group ${group}`, sender };
  service.send(route, members ?? [], msg, noEcho ? (c) => c !== sender : undefined);
}

/** The payload of an upstream message (or an event handler's reply) as a payload to send to clients. */
export function fromUpstream(p: MessagePayload): Payload {
  if (p.dataType === "text") return { kind: "text", text: p.data };
  if (p.dataType === "json") return { kind: "json", text: JSON.stringify(p.data) ?? "null" };
  return { kind: p.dataType, bytes: Buffer.from(p.data.buffer, p.data.byteOffset, p.data.byteLength) };
}

/**
 * Raises user event `event` upstream for `conn`. When the handler succeeds, its connection state is applied and its
 * reply goes back to the calling connection only. Resolves with the handler's result.
 */
export function raiseUserEvent(
  service: Service,
  conn: Connection,
  event: string,
  payload: MessagePayload,
): Promise<UserEventResult> {
  return service.upstream.userEvent(conn.upstreamContext(), event, payload).then((result) => {
    if (result.kind === "ok") {
      conn.setConnectionState(result.connectionState);
      if (result.reply !== undefined) {
        const msg = new Outgoing({ payload: fromUpstream(result.reply), from: "server" });
        const route = { hub: conn.hub.name, from: "server (event reply)", to: `connection ${conn.id}` };
        service.send(route, [conn], msg);
      }
    }
    return result;
  });
}
