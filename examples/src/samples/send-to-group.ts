// sendToGroup: a message to every connection in a group; `service.group(name)` gives a client for one group.
import { uniqueName } from "../support/environment.ts";
import { expectEqual, runSample } from "../support/sample.ts";

await runSample("send to a group", async ({ service, connect, settle }) => {
  const group = uniqueName("team");
  const member1 = await connect({ groups: [group] });
  const member2 = await connect({ groups: [group] });
  const outsider = await connect();

  await service.sendToGroup(group, "hello team");
  // the same through a group client, excluding one member
  await service.group(group).sendToAll({ standup: "10:00" }, { excludedConnections: [member2.connectionId] });
  await settle(member1, member2, outsider);

  expectEqual(member1.inbox.data(), ["hello team", { standup: "10:00" }], "member 1 got both group messages");
  expectEqual(member2.inbox.data(), ["hello team"], "member 2 was excluded from the second one");
  expectEqual(member1.inbox.messages[0]?.group, group, "they arrive as group messages naming the group");
  expectEqual(outsider.inbox.data(), [], "a connection outside the group got nothing");
});
