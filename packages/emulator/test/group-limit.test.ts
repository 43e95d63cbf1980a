// Rule: one client cannot grow the group indexes without bound. A connection is in at most MAX_GROUPS_PER_CONNECTION
// groups (hub.ts): a joinGroup beyond is acked BadRequest, and a REST call that would take any of its connections
// beyond is refused with 400 before it joins anything. Before, a client joining 300,000 groups one frame at a time held
// the emulator for ~0.15 s of CPU when its session ended (every group unindexed in one turn), and its memory grew with
// every name it sent.
import { describe, expect, it } from "vitest";
import { GROUP_LIMIT_MESSAGE, Hub, MAX_GROUPS_PER_CONNECTION } from "../src/hub.ts";
import { ServiceEvents } from "../src/service-events.ts";
import { connect, rest } from "./helpers/clients.ts";
import { useEmulator } from "./helpers/use-emulator.ts";

const emu = useEmulator();
const MAX = MAX_GROUPS_PER_CONNECTION;
const names = (n: number, prefix = "g") => Array.from({ length: n }, (_, i) => `${prefix}${i}`);

/** Joins `groups` for the connections the filter selects; the REST status and body. */
async function addToGroups(hub: string, groups: string[], filter: string) {
  const body = JSON.stringify({ groups, filter });
  return rest(emu, "POST", `/api/hubs/${hub}/:addToGroups`, { body, contentType: "application/json" });
}

async function groupExists(hub: string, group: string): Promise<boolean> {
  return (await rest(emu, "HEAD", `/api/hubs/${hub}/groups/${group}`)).status === 200;
}

describe("the groups of one connection", () => {
  it(`are at most ${MAX}: counting only groups it is not in`, () => {
    const hub = new Hub("h", new ServiceEvents());
    const c = { id: "c", userId: null, hub };
    hub.add(c);
    for (const g of names(MAX - 1)) hub.join(c, g);
    const room = (...groups: string[]) => hub.hasRoom(c, new Set(groups));
    expect(room("new", "g0", "g1")).toBe(true);
    expect(room("new", "other")).toBe(false);
    hub.join(c, "new");
    expect(room("g5")).toBe(true);
    expect(room("other")).toBe(false);
    expect(() => hub.join(c, "other")).toThrow(GROUP_LIMIT_MESSAGE);
    expect(hub.groupsOf(c)?.has("other")).toBe(false);
    expect(hub.groups.has("other")).toBe(false);
    expect(hub.join(c, "g5")).toBe(false); // already a member: no change, no error
  });

  it("a client's joinGroup beyond the limit is acked BadRequest and joins nothing; one it is in, or after a leave, works", async () => {
    const c = await connect(emu, "glimit", { claims: { role: ["webpubsub.joinLeaveGroup"] } });
    expect((await addToGroups("glimit", names(MAX), `connectionId eq '${c.connectionId}'`)).status).toBe(200);
    c.send({ type: "joinGroup", group: "over", ackId: 1 });
    c.send({ type: "joinGroup", group: "g7", ackId: 2 });
    c.send({ type: "leaveGroup", group: "g7", ackId: 3 });
    c.send({ type: "joinGroup", group: "over", ackId: 4 });
    const ack = (id: number) => c.message((m) => m.type === "ack" && m.ackId === id, `ack ${id}`);
    expect(await ack(1)).toEqual({
      type: "ack",
      ackId: 1,
      success: false,
      error: { name: "BadRequest", message: GROUP_LIMIT_MESSAGE },
    });
    expect(await ack(2)).toMatchObject({ success: true });
    expect(await ack(3)).toMatchObject({ success: true });
    expect(await ack(4)).toMatchObject({ success: true });
    expect(await groupExists("glimit", "over")).toBe(true);
    await c.close();
  });

  it("REST: a call that would take a connection beyond the limit is 400 and joins nothing", async () => {
    const c = await connect(emu, "grest", { claims: { sub: "full" } });
    const other = await connect(emu, "grest", { claims: { sub: "other" } });
    const both = `connectionId eq '${c.connectionId}' or connectionId eq '${other.connectionId}'`;
    expect((await addToGroups("grest", names(MAX - 1), `connectionId eq '${c.connectionId}'`)).status).toBe(200);

    const bulk = await addToGroups("grest", ["x1", "x2"], both);
    expect(bulk.status).toBe(400);
    expect(bulk.json()).toMatchObject({ code: "Error.BadRequest", message: GROUP_LIMIT_MESSAGE });
    const one = await rest(emu, "PUT", `/api/hubs/grest/groups/x1/connections/${c.connectionId}`);
    expect(one.status).toBe(200); // the last group it may join
    const user = await rest(emu, "PUT", "/api/hubs/grest/users/full/groups/x2");
    expect(user.status).toBe(400);
    const conn = await rest(emu, "PUT", `/api/hubs/grest/groups/x2/connections/${c.connectionId}`);
    expect(conn.status).toBe(400);
    expect(conn.json()).toMatchObject({ message: GROUP_LIMIT_MESSAGE });
    expect(await groupExists("grest", "x2")).toBe(false);
    // nothing of the refused bulk call happened, for the connection with room either
    const members = (await rest(emu, "GET", "/api/hubs/grest/groups/x1/connections")).json() as { value: unknown[] };
    expect(members.value).toHaveLength(1);
    // within the limit, the same calls work
    expect((await addToGroups("grest", ["x1", "x2"], `connectionId eq '${other.connectionId}'`)).status).toBe(200);
    expect((await rest(emu, "PUT", "/api/hubs/grest/users/other/groups/x3")).status).toBe(200);
    await c.close();
    await other.close();
  });
});
