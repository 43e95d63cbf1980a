// What the service does with the messages only the JSON subprotocols have (client-spec 3.6 and the JSON subprotocol
// reference): `invoke` and `cancelInvocation` go to the session's Invocations, a stream start (a sendToGroup with
// `stream`), `streamData` and `streamEnd` to its StreamRegistry. None of them holds the connection's later frames:
// an invocation waits for its event handler beside them. An id beyond ID_LIMIT cannot be answered without echoing it
// unbounded, so such a frame is refused like an invalid message without an id (close 1007).
import type { JsonOnlyUpstreamMessage } from "@webpubsub/core";
import type { Connection } from "../connection.ts";
import { Invocations } from "../invocations/invocations.ts";
import { FrameRejected } from "../protocols/protocol.ts";
import type { Service } from "../service.ts";
import { ID_LIMIT } from "../session-limits.ts";
import { StreamRegistry } from "../streams/stream-registry.ts";

export function handleJsonOnlyMessage(m: JsonOnlyUpstreamMessage, conn: Connection, service: Service): undefined {
  checkId(m);
  if (m.type === "invoke") Invocations.of(conn, service).invoke(m);
  else if (m.type === "cancelInvocation") Invocations.of(conn, service).cancel(m.invocationId);
  else if (m.type === "sendToGroup") StreamRegistry.of(conn, service).start(m);
  else if (m.type === "streamData") StreamRegistry.of(conn, service).data(m);
  else StreamRegistry.of(conn, service).end(m);
  return undefined;
}

/** The id an answer to `m` echoes: refused (close 1007) when longer than ID_LIMIT. */
function checkId(m: JsonOnlyUpstreamMessage): void {
  const [field, id] =
    m.type === "invoke" || m.type === "cancelInvocation"
      ? ["invocationId", m.invocationId]
      : ["streamId", m.type === "sendToGroup" ? m.stream.streamId : m.streamId];
  if (id.length > ID_LIMIT) {
    throw new FrameRejected(1007, `Invalid message: "${field}" is longer than ${ID_LIMIT} characters.`);
  }
}
