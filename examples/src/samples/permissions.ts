// Permissions of one connection: grant, check and revoke joinLeaveGroup / sendToGroup for a group (targetName).
// Always pass targetName: the API description calls it optional, but the live service answers
// 400 "Invalid group name" to a revoke without it, and the emulator does the same for grant and check.
import { uniqueName } from "../support/environment.ts";
import { expectEqual, expectRejects, runSample } from "../support/sample.ts";

await runSample("grant, check and revoke permissions", async ({ service, connect }) => {
  const stage = uniqueName("stage");
  const other = uniqueName("other");
  const carol = await connect({ userId: "carol" }); // a token without roles: no group permissions
  const id = carol.connectionId;

  expectEqual(
    await service.checkPermission(id, "joinLeaveGroup", { targetName: stage }),
    false,
    "no joinLeaveGroup at first",
  );
  await expectRejects(carol.client.joinGroup(stage), "carol cannot join the group yet");

  await service.grantPermission(id, "joinLeaveGroup", { targetName: stage });
  await service.grantPermission(id, "sendToGroup", { targetName: stage });
  expectEqual(
    await service.checkPermission(id, "joinLeaveGroup", { targetName: stage }),
    true,
    "granted for the group",
  );
  expectEqual(
    await service.hasPermission(id, "joinLeaveGroup", { targetName: other }),
    false,
    "not granted for another group",
  );

  await carol.client.joinGroup(stage);
  await carol.client.sendToGroup(stage, "carol on stage", "text");
  await carol.inbox.waitForCount(1);
  expectEqual(carol.inbox.data(), ["carol on stage"], "carol joined and sent to the group");

  await service.revokePermission(id, "joinLeaveGroup", { targetName: stage });
  expectEqual(await service.checkPermission(id, "joinLeaveGroup", { targetName: stage }), false, "revoked");
  await expectRejects(carol.client.leaveGroup(stage), "carol cannot leave the group any more");
});
