// sendToConnection: a message to exactly one connection, by its id.
import { expectEqual, runSample } from "../support/sample.ts";

await runSample("send to one connection", async ({ service, connect, settle }) => {
  const target = await connect({ userId: "same-user" });
  const sibling = await connect({ userId: "same-user" });

  await service.sendToConnection(target.connectionId, "only for this connection");
  await settle(target, sibling);

  expectEqual(target.inbox.data(), ["only for this connection"], "the target connection got the message");
  expectEqual(sibling.inbox.data(), [], "another connection of the same user got nothing");
});
