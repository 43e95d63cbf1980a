// Listing the connections in a group: a lazy async iterator (fetching page by page), byPage() for pages, and a
// `top` limit on the total.
import { uniqueName } from "../support/environment.ts";
import { expectEqual, log, runSample } from "../support/sample.ts";

await runSample("list the members of a group", async ({ service, connect }) => {
  const group = uniqueName("room");
  const peers = [];
  for (const user of ["ann", "ben", "cat", "dan", "eve"]) peers.push(await connect({ userId: user, groups: [group] }));

  // every member, one by one
  const members: { connectionId: string; userId?: string }[] = [];
  for await (const member of service.listConnectionsInGroup(group)) members.push(member);
  log(`members: ${members.map((m) => m.userId).join(", ")}`);
  expectEqual(
    members.map((m) => m.userId).sort(),
    ["ann", "ben", "cat", "dan", "eve"],
    "all five members, with user ids",
  );
  expectEqual(
    members.map((m) => m.connectionId).sort(),
    peers.map((p) => p.connectionId).sort(),
    "their connection ids",
  );

  // page by page, two per page
  const pageSizes: number[] = [];
  for await (const page of service.group(group).listConnections().byPage({ maxPageSize: 2 }))
    pageSizes.push(page.length);
  log(`page sizes with maxPageSize 2: ${pageSizes.join(", ")}`);
  expectEqual(pageSizes, [2, 2, 1], "byPage({ maxPageSize: 2 }) gives pages of 2, 2 and 1");

  // at most three in total
  let counted = 0;
  for await (const _ of service.listConnectionsInGroup(group, { top: 3 })) counted++;
  expectEqual(counted, 3, "top: 3 stops after three members");
});
