// Managing groups from the server: by user (all of a user's connections), by connection, by OData filter, and
// removing a connection or user from every group.
import { odata } from "@webpubsub/service";
import { uniqueName } from "../support/environment.ts";
import { expectEqual, runSample } from "../support/sample.ts";

await runSample("manage group membership", async ({ service, connect }) => {
  const news = uniqueName("news");
  const sports = uniqueName("sports");
  const user = uniqueName("bob");
  const laptop = await connect({ userId: user });
  const phone = await connect({ userId: user });
  const carol = await connect({ userId: uniqueName("carol") });

  const members = async (group: string) => {
    const ids: string[] = [];
    for await (const member of service.listConnectionsInGroup(group)) ids.push(member.connectionId);
    return ids.sort();
  };
  const ids = (...peers: { connectionId: string }[]) => peers.map((p) => p.connectionId).sort();

  await service.addUserToGroup(news, user);
  expectEqual(await members(news), ids(laptop, phone), "addUserToGroup added both of the user's connections");

  await service.addConnectionToGroup(news, carol.connectionId);
  expectEqual(await members(news), ids(laptop, phone, carol), "addConnectionToGroup added carol's connection");

  await service.removeConnectionFromGroup(news, phone.connectionId);
  expectEqual(await members(news), ids(laptop, carol), "removeConnectionFromGroup removed only the phone");

  await service.removeUserFromGroup(news, user);
  expectEqual(await members(news), ids(carol), "removeUserFromGroup removed the user's remaining connection");

  // by filter: every connection of the user joins both groups
  await service.addConnectionsToGroups([news, sports], odata`userId eq ${user}`);
  expectEqual(await members(sports), ids(laptop, phone), "addConnectionsToGroups added the matching connections");
  await service.removeConnectionsFromGroups([sports], odata`connectionId eq ${laptop.connectionId}`);
  expectEqual(await members(sports), ids(phone), "removeConnectionsFromGroups removed the matching connection");

  // the same operations through a group client
  const sportsGroup = service.group(sports);
  await sportsGroup.addConnection(carol.connectionId);
  await sportsGroup.addUser(user);
  expectEqual(await members(sports), ids(laptop, phone, carol), "group(name).addConnection / addUser");

  await service.removeConnectionFromAllGroups(carol.connectionId);
  expectEqual(
    [await members(news), await members(sports)],
    [ids(laptop, phone), ids(laptop, phone)],
    "removeConnectionFromAllGroups took carol out of both",
  );
  await service.removeUserFromAllGroups(user);
  expectEqual(
    [await service.groupExists(news), await service.groupExists(sports)],
    [false, false],
    "removeUserFromAllGroups emptied both groups",
  );
});
