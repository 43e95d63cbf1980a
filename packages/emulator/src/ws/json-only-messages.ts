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
  switch (m.type) {
    case "invoke":
      checkId(m.invocationId, "invocationId");
      Invocations.of(conn, service).invoke(m);
      return undefined;
    case "cancelInvocation":
      checkId(m.invocationId, "invocationId");
      Invocations.of(conn, service).cancel(m.invocationId);
      return undefined;
    case "sendToGroup":
      checkId(m.stream.streamId, "streamId");
      StreamRegistry.of(conn, service).start(m);
      return undefined;
    case "streamData":
      checkId(m.streamId, "streamId");
      StreamRegistry.of(conn, service).data(m);
      return undefined;
    case "streamEnd":
      checkId(m.streamId, "streamId");
      StreamRegistry.of(conn, service).end(m);
      return undefined;
  }
}

function checkId(id: string, field: string): void {
  if (id.length > ID_LIMIT) {
    throw new FrameRejected(1007, `Invalid message: "${field}" is longer than ${ID_LIMIT} characters.`);
  }
}
