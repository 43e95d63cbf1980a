// Connections, users and groups: existence checks, and closing connections (one, a user's, a group's, all) with a
// reason the clients receive.
import { uniqueName } from "../support/environment.ts";
import { expectEqual, log, runSample } from "../support/sample.ts";

await runSample("check and close connections", async ({ service, connect, emulator }) => {
  const user = uniqueName("bob");
  const group = uniqueName("room");
  // autoReconnect off: a closed client stays closed, so the checks below see it gone
  const options = { autoReconnect: false };
  const alice = await connect({ userId: uniqueName("alice") }, options);
  const laptop = await connect({ userId: user, groups: [group] }, options);
  const phone = await connect({ userId: user }, options);
  const carol = await connect({ userId: uniqueName("carol"), groups: [group] }, options);
  const dave = await connect({ userId: uniqueName("dave") }, options);

  expectEqual(await service.connectionExists(alice.connectionId), true, "connectionExists: alice's connection");
  expectEqual(await service.connectionExists("no-such-connection"), false, "connectionExists: an unknown id");
  expectEqual(await service.userExists(user), true, "userExists: a connected user");
  expectEqual(await service.userExists(uniqueName("nobody")), false, "userExists: a user with no connection");
  expectEqual(await service.groupExists(group), true, "groupExists: a group with members");
  expectEqual(await service.groupExists(uniqueName("empty")), false, "groupExists: an empty group");

  await service.closeConnection(alice.connectionId, { reason: "idle for too long" });
  await alice.inbox.waitForDisconnect();
  expectEqual(alice.inbox.disconnects[0]?.message, "idle for too long", "closeConnection: the client got the reason");
  expectEqual(await service.connectionExists(alice.connectionId), false, "closeConnection: the connection is gone");

  await service.closeUserConnections(user, { reason: "signed out everywhere" });
  await Promise.all([laptop.inbox.waitForDisconnect(), phone.inbox.waitForDisconnect()]);
  expectEqual(await service.userExists(user), false, "closeUserConnections: both of the user's connections closed");

  await service.closeGroupConnections(group, { reason: "room closed" });
  await carol.inbox.waitForDisconnect();
  expectEqual(
    carol.inbox.disconnects[0]?.message,
    "room closed",
    "closeGroupConnections: carol (in the group) got the reason",
  );

  if (emulator) {
    // closeAllConnections closes the whole hub: only against the emulator, never against a shared resource
    const eve = await connect({ userId: uniqueName("eve") }, options);
    await service.closeAllConnections({ reason: "maintenance", excluded: [eve.connectionId] });
    await dave.inbox.waitForDisconnect();
    expectEqual(dave.inbox.disconnects[0]?.message, "maintenance", "closeAllConnections: dave got the reason");
    expectEqual(await service.connectionExists(eve.connectionId), true, "closeAllConnections: eve was excluded");
  } else {
    log("closeAllConnections skipped: it would close every connection of the hub on a shared resource");
  }
});
