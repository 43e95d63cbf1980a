// OData filters select connections by userId, connectionId and groups. Build them with the `odata` template: values
// are quoted and escaped, so user input cannot change the filter (a name like o'brien just works).
import { odata } from "@webpubsub/service";
import { uniqueName } from "../support/environment.ts";
import { expectEqual, log, runSample } from "../support/sample.ts";

await runSample("filter recipients with OData", async ({ service, connect, settle }) => {
  const vip = uniqueName("vip");
  const alice = await connect({ userId: "alice", groups: [vip] });
  const bob = await connect({ userId: "bob" });
  const obrien = await connect({ userId: "o'brien", groups: [vip] });

  const notBob = odata`userId ne ${"bob"}`;
  log(`sendToAll with filter: ${notBob}`);
  await service.sendToAll("everyone but bob", { filter: notBob });

  const vipsButAlice = odata`${vip} in groups and not(userId eq ${"alice"})`;
  log(`sendToAll with filter: ${vipsButAlice}`);
  await service.sendToAll("vips except alice", { filter: vipsButAlice });

  const quoted = odata`userId eq ${"o'brien"}`;
  log(`sendToGroup with filter: ${quoted}`);
  await service.sendToGroup(vip, "just o'brien, within the group", { filter: quoted });

  const byConnection = odata`connectionId in ${[alice.connectionId, bob.connectionId]}`;
  log(`sendToAll with filter: connectionId in (…2 ids…)`);
  await service.sendToAll("alice and bob by connection id", { filter: byConnection });

  await settle(alice, bob, obrien);
  expectEqual(quoted, "userId eq 'o''brien'", "the odata template doubled the quote");
  expectEqual(alice.inbox.data(), ["everyone but bob", "alice and bob by connection id"], "alice got what matched her");
  expectEqual(bob.inbox.data(), ["alice and bob by connection id"], "bob got only the connection-id message");
  expectEqual(
    obrien.inbox.data(),
    ["everyone but bob", "vips except alice", "just o'brien, within the group"],
    "o'brien got the three messages that matched him",
  );
});
