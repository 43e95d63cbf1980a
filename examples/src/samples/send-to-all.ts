// sendToAll: text, JSON and binary messages to every connection of the hub, optionally excluding connections.
import { expectEqual, runSample } from "../support/sample.ts";

await runSample("send to all connections", async ({ service, connect, settle }) => {
  const a = await connect({ userId: "a" });
  const b = await connect({ userId: "b" });

  await service.sendToAll("plain text"); // strings are sent as text/plain
  await service.sendToAll({ kind: "json", n: 1 }); // objects, numbers, booleans, null as application/json
  await service.sendToAll(new Uint8Array([1, 2, 3])); // bytes as application/octet-stream
  await service.sendToAll("not for b", { excludedConnections: [b.connectionId] });
  await settle(a, b);

  const kinds = (peer: typeof a) => peer.inbox.messages.map((m) => m.dataType);
  expectEqual(
    kinds(a),
    ["text", "json", "binary", "text"],
    "a got text, JSON, binary, and the message that excluded b",
  );
  expectEqual(
    a.inbox.data().slice(0, 3),
    ["plain text", { kind: "json", n: 1 }, new Uint8Array([1, 2, 3])],
    "payloads arrive intact",
  );
  expectEqual(kinds(b), ["text", "json", "binary"], "b got everything but the message that excluded it");
});
