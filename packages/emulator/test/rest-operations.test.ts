// Every REST operation driven over HTTP with real WebSocket clients attached, asserting what each client received.
import { describe, expect, it } from "vitest";
import { connect, rest, type TestClient } from "./helpers/clients.ts";
import { useEmulator } from "./helpers/use-emulator.ts";

const emu = useEmulator();

const text = (body: string) => ({ body, contentType: "text/plain" });
let hubSeq = 0;
const newHub = () => `ops${++hubSeq}`;

/** Sends a marker to every client and waits for it, proving nothing else is still in flight before it. */
async function settle(hub: string, clients: TestClient[]): Promise<void> {
  const marker = `marker-${Math.random()}`;
  expect((await rest(emu, "POST", `/api/hubs/${hub}/:send`, text(marker))).status).toBe(202);
  for (const c of clients)
    await c.until(() => c.frames.some((f) => f.data === marker || String(f.data).includes(marker)));
}

function dataOf(c: TestClient): unknown[] {
  return c.messages.filter((m) => m.type === "message" && !String(m.data).startsWith("marker-")).map((m) => m.data);
}

describe("sends", () => {
  it("sendToAll reaches every connection of the hub only, with excluded and filter applied", async () => {
    const hub = newHub();
    const a = await connect(emu, hub, { claims: { sub: "a" } });
    const b = await connect(emu, hub, { claims: { sub: "b" } });
    const c = await connect(emu, hub, { claims: { sub: "c" } });
    const other = await connect(emu, newHub());
    expect((await rest(emu, "POST", `/api/hubs/${hub}/:send`, text("all"))).status).toBe(202);
    expect(
      (
        await rest(
          emu,
          "POST",
          `/api/hubs/${hub}/:send?excluded=${a.connectionId}&excluded=${b.connectionId}`,
          text("ex"),
        )
      ).status,
    ).toBe(202);
    const filter = encodeURIComponent("userId ne 'b'");
    expect((await rest(emu, "POST", `/api/hubs/${hub}/:send?filter=${filter}`, text("f"))).status).toBe(202);
    await settle(hub, [a, b, c]);
    expect(dataOf(a)).toEqual(["all", "f"]);
    expect(dataOf(b)).toEqual(["all"]);
    expect(dataOf(c)).toEqual(["all", "ex", "f"]);
    expect(dataOf(other)).toEqual([]);
  });

  it("derives the data type from the content type, for subprotocol and simple clients", async () => {
    const hub = newHub();
    const json = await connect(emu, hub);
    const simple = await connect(emu, hub, { protocol: null });
    await rest(emu, "POST", `/api/hubs/${hub}/:send`, text("plain"));
    await rest(emu, "POST", `/api/hubs/${hub}/:send`, { body: '{"a":[1,2]}', contentType: "application/json" });
    await rest(emu, "POST", `/api/hubs/${hub}/:send`, { body: '"quoted"', contentType: "application/json" });
    await rest(emu, "POST", `/api/hubs/${hub}/:send`, {
      body: new Uint8Array([0, 255]),
      contentType: "application/octet-stream",
    });
    await json.until(() => json.messages.length >= 5);
    expect(json.messages.slice(1)).toEqual([
      { type: "message", from: "server", dataType: "text", data: "plain" },
      { type: "message", from: "server", dataType: "json", data: { a: [1, 2] } },
      { type: "message", from: "server", dataType: "json", data: "quoted" },
      { type: "message", from: "server", dataType: "binary", data: "AP8=" },
    ]);
    await simple.until(() => simple.frames.length >= 4);
    expect(simple.frames[0]).toEqual({ data: "plain", binary: false });
    expect(simple.frames[1]).toEqual({ data: '{"a":[1,2]}', binary: false });
    expect(simple.frames[2]).toEqual({ data: '"quoted"', binary: false });
    expect(simple.frames[3]!.binary).toBe(true);
    expect(Buffer.from(simple.frames[3]!.data as Buffer)).toEqual(Buffer.from([0, 255]));
  });

  it("sendToUser, sendToConnection and sendToGroup reach exactly their targets", async () => {
    const hub = newHub();
    const u1a = await connect(emu, hub, { claims: { sub: "u1", "webpubsub.group": ["g"] } });
    const u1b = await connect(emu, hub, { claims: { sub: "u1" } });
    const u2 = await connect(emu, hub, { claims: { sub: "u2", "webpubsub.group": "g" } });
    await rest(emu, "POST", `/api/hubs/${hub}/users/u1/:send`, text("to-u1"));
    await rest(
      emu,
      "POST",
      `/api/hubs/${hub}/users/u1/:send?filter=${encodeURIComponent(`connectionId eq '${u1b.connectionId}'`)}`,
      text("to-u1b"),
    );
    await rest(emu, "POST", `/api/hubs/${hub}/connections/${u2.connectionId}/:send`, text("to-u2"));
    await rest(emu, "POST", `/api/hubs/${hub}/groups/g/:send`, text("to-g"));
    await rest(emu, "POST", `/api/hubs/${hub}/groups/g/:send?excluded=${u2.connectionId}`, text("to-g-ex"));
    await settle(hub, [u1a, u1b, u2]);
    expect(dataOf(u1a)).toEqual(["to-u1", "to-g", "to-g-ex"]);
    expect(dataOf(u1b)).toEqual(["to-u1", "to-u1b"]);
    expect(dataOf(u2)).toEqual(["to-u2", "to-g"]);
    const g = u1a.messages.find((m) => m.data === "to-g");
    expect(g).toEqual({ type: "message", from: "group", group: "g", dataType: "text", data: "to-g" });
  });

  it("answers 202 for targets that do not exist", async () => {
    const hub = newHub();
    for (const path of ["users/nobody/:send", "connections/nothing/:send", "groups/empty/:send", ":send"]) {
      expect((await rest(emu, "POST", `/api/hubs/${hub}/${path}`, text("x"))).status).toBe(202);
    }
  });

  it("forwards X-WebPubSub-Metadata-* headers to JSON clients as metadata", async () => {
    const hub = newHub();
    const c = await connect(emu, hub);
    await rest(emu, "POST", `/api/hubs/${hub}/:send`, {
      ...text("m"),
      headers: { "X-WebPubSub-Metadata-Trace": "t1" },
    });
    const m = await c.message((x) => x.data === "m");
    expect(m.metadata).toEqual({ Trace: "t1" });
  });

  it("keeps per-sender order for a stream of sends", async () => {
    const hub = newHub();
    const c = await connect(emu, hub);
    for (let i = 0; i < 50; i++) await rest(emu, "POST", `/api/hubs/${hub}/:send`, text(String(i)));
    await c.until(() => c.messages.length >= 51);
    expect(c.messages.slice(1).map((m) => m.data)).toEqual(Array.from({ length: 50 }, (_, i) => String(i)));
  });
});

describe("groups, users and connections", () => {
  it("adds and removes connections and users to and from groups; existence checks follow", async () => {
    const hub = newHub();
    const a = await connect(emu, hub, { claims: { sub: "alice" } });
    const b = await connect(emu, hub, { claims: { sub: "bob" } });
    const exists = async (path: string) => (await rest(emu, "HEAD", `/api/hubs/${hub}/${path}`)).status;
    expect(await exists("groups/g")).toBe(404);
    expect((await rest(emu, "PUT", `/api/hubs/${hub}/groups/g/connections/${a.connectionId}`)).status).toBe(200);
    expect(await exists("groups/g")).toBe(200);
    expect((await rest(emu, "PUT", `/api/hubs/${hub}/users/bob/groups/g`)).status).toBe(200);
    await rest(emu, "POST", `/api/hubs/${hub}/groups/g/:send`, text("both"));
    await a.message((m) => m.data === "both");
    await b.message((m) => m.data === "both");
    expect((await rest(emu, "DELETE", `/api/hubs/${hub}/groups/g/connections/${a.connectionId}`)).status).toBe(204);
    expect((await rest(emu, "DELETE", `/api/hubs/${hub}/users/bob/groups/g`)).status).toBe(204);
    expect(await exists("groups/g")).toBe(404);
    await rest(emu, "PUT", `/api/hubs/${hub}/users/alice/groups/x`);
    await rest(emu, "PUT", `/api/hubs/${hub}/users/alice/groups/y`);
    expect((await rest(emu, "DELETE", `/api/hubs/${hub}/users/alice/groups`)).status).toBe(204);
    expect(await exists("groups/x")).toBe(404);
    await rest(emu, "PUT", `/api/hubs/${hub}/groups/z/connections/${b.connectionId}`);
    expect((await rest(emu, "DELETE", `/api/hubs/${hub}/connections/${b.connectionId}/groups`)).status).toBe(204);
    expect(await exists("groups/z")).toBe(404);
    expect(await exists(`connections/${a.connectionId}`)).toBe(200);
    expect(await exists("users/alice")).toBe(200);
  });

  it("answers the recorded error codes for missing connections, users and groups", async () => {
    const hub = newHub();
    const head = async (path: string) => rest(emu, "HEAD", `/api/hubs/${hub}/${path}`);
    expect((await head("connections/xxxx")).headers.get("x-ms-error-code")).toBe("Warning.Connection.NotExisted");
    expect((await head("users/foo")).headers.get("x-ms-error-code")).toBe("Warning.User.NotExisted");
    expect((await head("groups/foo")).headers.get("x-ms-error-code")).toBe("Warning.Group.NotExisted");
    const put = await rest(emu, "PUT", `/api/hubs/${hub}/groups/group/connections/xxxx`);
    expect(put.status).toBe(404);
    expect(put.headers.get("x-ms-error-code")).toBe("Error.Connection.NotExisted");
    expect(put.json()).toMatchObject({
      code: "Error.Connection.NotExisted",
      message: "Connection `xxxx` is not found.",
    });
    expect((await rest(emu, "DELETE", `/api/hubs/${hub}/groups/group/connections/xxxx`)).status).toBe(204);
    expect((await rest(emu, "DELETE", `/api/hubs/${hub}/connections/xxxx/groups`)).status).toBe(204);
    expect((await rest(emu, "DELETE", `/api/hubs/${hub}/users/foo/groups`)).status).toBe(204);
    expect((await rest(emu, "PUT", `/api/hubs/${hub}/users/nobody/groups/g`)).status).toBe(200);
    const grant = await rest(emu, "PUT", `/api/hubs/${hub}/permissions/joinLeaveGroup/connections/xxx?targetName=x`);
    expect(grant.status).toBe(404);
    expect(grant.headers.get("x-ms-error-code")).toBe("Info.Connection.NotExisted");
    const check = await head("permissions/joinLeaveGroup/connections/xxxx?targetName=x");
    expect(check.status).toBe(404);
    expect(check.headers.get("x-ms-error-code")).toBe("Info.Connection.NotExisted");
    const revoke = await rest(emu, "DELETE", `/api/hubs/${hub}/permissions/joinLeaveGroup/connections/xxxx`);
    expect(revoke.status).toBe(400);
    expect(revoke.json()).toMatchObject({
      code: "Error.BadRequest",
      message: expect.stringContaining("Invalid group name"),
    });
  });

  it("adds and removes connections matching a filter with :addToGroups / :removeFromGroups", async () => {
    const hub = newHub();
    const a = await connect(emu, hub, { claims: { sub: "user 1" } });
    const b = await connect(emu, hub, { claims: { sub: "user 2" } });
    const add = await rest(emu, "POST", `/api/hubs/${hub}/:addToGroups`, {
      body: JSON.stringify({ groups: ["group1", "group2"], filter: "userId eq 'user 1'" }),
      contentType: "application/json",
    });
    expect(add.status).toBe(200);
    await rest(emu, "POST", `/api/hubs/${hub}/groups/group2/:send`, text("g2"));
    await settle(hub, [a, b]);
    expect(dataOf(a)).toEqual(["g2"]);
    expect(dataOf(b)).toEqual([]);
    // no filter: every connection of the hub
    await rest(emu, "POST", `/api/hubs/${hub}/:addToGroups`, {
      body: '{"groups":["all"]}',
      contentType: "application/json",
    });
    expect((await rest(emu, "HEAD", `/api/hubs/${hub}/groups/all`)).status).toBe(200);
    const remove = await rest(emu, "POST", `/api/hubs/${hub}/:removeFromGroups`, {
      body: JSON.stringify({ groups: ["group1", "group2", "all"] }),
      contentType: "application/json",
    });
    expect(remove.status).toBe(200);
    for (const g of ["group1", "group2", "all"]) {
      expect((await rest(emu, "HEAD", `/api/hubs/${hub}/groups/${g}`)).status).toBe(404);
    }
    const bad = await rest(emu, "POST", `/api/hubs/${hub}/:addToGroups`, {
      body: JSON.stringify({ groups: ["group1"], filter: "invalid filter" }),
      contentType: "application/json",
    });
    expect(bad.status).toBe(400);
    expect(bad.headers.get("content-type")).toBe("application/problem+json; charset=utf-8");
    expect(bad.json()).toMatchObject({
      code: "Error.BadRequest",
      target: "Filter",
      message:
        "Invalid syntax for 'invalid filter': Syntax error at position 14 in 'invalid filter'. (Parameter 'filter')",
    });
    for (const body of ['{"groups":[]}', "{}", "not json", '{"groups":["  "]}', '{"groups":[1]}']) {
      const r = await rest(emu, "POST", `/api/hubs/${hub}/:addToGroups`, { body, contentType: "application/json" });
      expect(r.status, body).toBe(400);
    }
  });

  it("closes connections: one, a user's, a group's, the hub's, honoring excluded and reason", async () => {
    const hub = newHub();
    const cs = [];
    for (const sub of ["a", "a", "b", "c", "d"])
      cs.push(await connect(emu, hub, { claims: { sub, "webpubsub.group": sub === "c" ? "gc" : [] } }));
    type C = TestClient & { connectionId: string };
    const [a1, a2, b, c, d] = cs as unknown as [C, C, C, C, C];
    const id = (x: C) => x.connectionId;
    expect((await rest(emu, "DELETE", `/api/hubs/${hub}/connections/${id(b)}?reason=bye%20b`)).status).toBe(204);
    expect(await b.closed).toBe(1000);
    expect(b.messages.at(-1)).toEqual({ type: "system", event: "disconnected", message: "bye b" });
    expect((await rest(emu, "POST", `/api/hubs/${hub}/users/a/:closeConnections?excluded=${id(a2)}`)).status).toBe(204);
    await a1.closed;
    expect((await rest(emu, "POST", `/api/hubs/${hub}/groups/gc/:closeConnections?reason=group`)).status).toBe(204);
    await c.closed;
    expect(c.messages.at(-1)).toMatchObject({ event: "disconnected", message: "group" });
    expect((await rest(emu, "POST", `/api/hubs/${hub}/:closeConnections?excluded=${id(d)}`)).status).toBe(204);
    await a2.closed;
    expect(d.closeCode).toBeUndefined();
    expect((await rest(emu, "HEAD", `/api/hubs/${hub}/connections/${id(d)}`)).status).toBe(200);
    expect((await rest(emu, "HEAD", `/api/hubs/${hub}/users/a`)).status).toBe(404);
    expect((await rest(emu, "DELETE", `/api/hubs/${hub}/connections/not-there`)).status).toBe(204);
  });
});

describe("ListConnectionsInGroup", () => {
  it("pages with maxpagesize, top and an absolute nextLink carrying continuationToken and api-version", async () => {
    const hub = newHub();
    const clients = [];
    for (let i = 0; i < 6; i++)
      clients.push(
        await connect(emu, hub, { claims: { "webpubsub.group": "group1", ...(i === 0 ? { sub: "first" } : {}) } }),
      );
    const first = await rest(emu, "GET", `/api/hubs/${hub}/groups/group1/connections?maxpagesize=2&top=5`);
    expect(first.status).toBe(200);
    expect(first.headers.get("content-type")).toBe("application/json; charset=utf-8");
    const page1 = first.json() as { value: { connectionId: string; userId: string | null }[]; nextLink: string };
    expect(page1.value).toEqual([
      { connectionId: clients[0]!.connectionId, userId: "first" },
      { connectionId: clients[1]!.connectionId, userId: null },
    ]);
    const next = new URL(page1.nextLink);
    expect(`${next.protocol}//${next.host}`).toBe(emu.endpoint);
    expect(next.pathname).toBe(`/api/hubs/${hub}/groups/group1/connections`);
    expect(next.searchParams.get("top")).toBe("3");
    expect(next.searchParams.get("maxpagesize")).toBe("2");
    expect(next.searchParams.get("api-version")).toBe("2024-12-01");
    expect(next.searchParams.get("continuationToken")).toBeTruthy();
    const seen = page1.value.map((v) => v.connectionId);
    let link: string | undefined = page1.nextLink;
    while (link) {
      const r = await rest(emu, "GET", link.slice(emu.endpoint.length));
      const body = r.json() as { value: { connectionId: string }[]; nextLink?: string };
      seen.push(...body.value.map((v) => v.connectionId));
      link = body.nextLink;
    }
    expect(seen).toEqual(clients.slice(0, 5).map((c) => c.connectionId));
    const all = (await rest(emu, "GET", `/api/hubs/${hub}/groups/group1/connections`)).json() as {
      value: unknown[];
      nextLink?: string;
    };
    expect(all.value).toHaveLength(6);
    expect(all.nextLink).toBeUndefined();
    const none = (await rest(emu, "GET", `/api/hubs/${hub}/groups/empty/connections`)).json();
    expect(none).toEqual({ value: [] });
  });

  it.each(["maxpagesize=0", "maxpagesize=201", "top=0", "maxpagesize=x", "continuationToken=bogus"])(
    "rejects %s with 400",
    async (q) => {
      const r = await rest(emu, "GET", `/api/hubs/h/groups/g/connections?${q}`);
      expect(r.status).toBe(400);
      expect(r.headers.get("x-ms-error-code")).toBe("Error.BadRequest");
    },
  );
});

describe("permissions", () => {
  it("grant, check and revoke take effect on the live connection immediately", async () => {
    const hub = newHub();
    const c = await connect(emu, hub, { claims: { role: ["webpubsub.sendToGroup"] } });
    const path = (p: string, t: string) =>
      `/api/hubs/${hub}/permissions/${p}/connections/${c.connectionId}?targetName=${t}`;
    expect((await rest(emu, "HEAD", path("sendToGroup", "any"))).status).toBe(200);
    expect((await rest(emu, "HEAD", path("joinLeaveGroup", "g1"))).status).toBe(404);
    c.send({ type: "joinGroup", group: "g1", ackId: 1 });
    expect(await c.message((m) => m.ackId === 1)).toMatchObject({ success: false, error: { name: "Forbidden" } });
    expect((await rest(emu, "PUT", path("joinLeaveGroup", "g1"))).status).toBe(200);
    expect((await rest(emu, "HEAD", path("joinLeaveGroup", "g1"))).status).toBe(200);
    c.send({ type: "joinGroup", group: "g1", ackId: 2 });
    expect(await c.message((m) => m.ackId === 2)).toMatchObject({ success: true });
    c.send({ type: "joinGroup", group: "g2", ackId: 3 });
    expect(await c.message((m) => m.ackId === 3)).toMatchObject({ success: false });
    // revoking one group of a broader role removes exactly that group
    expect((await rest(emu, "DELETE", path("sendToGroup", "g1"))).status).toBe(204);
    expect((await rest(emu, "HEAD", path("sendToGroup", "g1"))).status).toBe(404);
    expect((await rest(emu, "HEAD", path("sendToGroup", "g2"))).status).toBe(200);
    c.send({ type: "sendToGroup", group: "g1", ackId: 4, dataType: "text", data: "x" });
    expect(await c.message((m) => m.ackId === 4)).toMatchObject({ success: false, error: { name: "Forbidden" } });
    expect((await rest(emu, "PUT", path("sendToGroup", "g1"))).status).toBe(200);
    c.send({ type: "sendToGroup", group: "g1", ackId: 5, dataType: "text", data: "x" });
    expect(await c.message((m) => m.ackId === 5)).toMatchObject({ success: true });
  });

  it("validates the permission name and targetName", async () => {
    const c = await connect(emu, "perm2");
    const base = `/api/hubs/perm2/permissions`;
    expect((await rest(emu, "PUT", `${base}/admin/connections/${c.connectionId}?targetName=g`)).status).toBe(400);
    expect((await rest(emu, "PUT", `${base}/sendToGroup/connections/${c.connectionId}`)).status).toBe(400);
    expect((await rest(emu, "PUT", `${base}/sendToGroup/connections/${c.connectionId}?targetName=%20%20`)).status).toBe(
      400,
    );
  });
});

describe(":generateToken", () => {
  it("mints tokens with userId, roles, groups and lifetime that clients can connect with", async () => {
    const r = await rest(
      emu,
      "POST",
      "/api/hubs/Tok/:generateToken?userId=u9&role=webpubsub.sendToGroup&role=webpubsub.joinLeaveGroup.g&group=g1&group=g2&minutesToExpire=5",
    );
    expect(r.status).toBe(200);
    expect(r.headers.get("content-type")).toBe("application/json; charset=utf-8");
    const { token } = r.json() as { token: string };
    const claims = JSON.parse(Buffer.from(token.split(".")[1]!, "base64url").toString());
    expect(claims).toMatchObject({
      aud: `${emu.endpoint}/client/hubs/Tok`,
      sub: "u9",
      role: ["webpubsub.sendToGroup", "webpubsub.joinLeaveGroup.g"],
      "webpubsub.group": ["g1", "g2"],
    });
    expect(claims.exp - claims.iat).toBe(300);
    const { TestClient, JSON_PROTOCOL } = await import("./helpers/clients.ts");
    const c = new TestClient(
      `${emu.endpoint.replace("http", "ws")}/client/hubs/Tok?access_token=${token}`,
      JSON_PROTOCOL,
    );
    expect(await c.message((m) => m.event === "connected")).toMatchObject({ userId: "u9" });
    expect((await rest(emu, "HEAD", "/api/hubs/tok/groups/g2")).status).toBe(200);
    await c.close();
  });

  it("supports clientType MQTT and validates its parameters", async () => {
    const r = await rest(emu, "POST", "/api/hubs/tok/:generateToken?clientType=mqtt");
    const claims = JSON.parse(
      Buffer.from((r.json() as { token: string }).token.split(".")[1]!, "base64url").toString(),
    );
    expect(claims.aud).toBe(`${emu.endpoint}/clients/mqtt/hubs/tok`);
    expect(claims.exp - claims.iat).toBe(3600);
    for (const q of ["minutesToExpire=0", "minutesToExpire=abc", "clientType=carrier-pigeon", "group=%20"]) {
      const bad = await rest(emu, "POST", `/api/hubs/tok/:generateToken?${q}`);
      expect(bad.status, q).toBe(400);
    }
  });
});

describe("request validation", () => {
  it("rejects invalid hub and group names with a JSON error naming the parameter", async () => {
    const badHub = await rest(emu, "POST", "/api/hubs/1hub/:send", text("x"));
    expect(badHub.status).toBe(400);
    expect(badHub.json()).toMatchObject({ code: "Error.BadRequest", target: "hub" });
    const long = "g".repeat(1025);
    const badGroup = await rest(emu, "POST", `/api/hubs/h/groups/${long}/:send`, text("x"));
    expect(badGroup.status).toBe(400);
    expect(badGroup.json()).toMatchObject({ target: "group" });
    expect((await rest(emu, "HEAD", "/api/hubs/h/groups/%20%20")).status).toBe(400);
    expect((await rest(emu, "POST", `/api/hubs/h/groups/${"g".repeat(1024)}/:send`, text("x"))).status).toBe(202);
  });

  it.each(["-1", "301", "1.5", "abc"])("rejects messageTtlSeconds=%s", async (ttl) => {
    const r = await rest(emu, "POST", `/api/hubs/h/:send?messageTtlSeconds=${ttl}`, text("x"));
    expect(r.status).toBe(400);
    expect(r.json()).toMatchObject({ target: "messageTtlSeconds" });
  });

  it("accepts messageTtlSeconds 0 and 300", async () => {
    for (const ttl of ["0", "300"]) {
      expect((await rest(emu, "POST", `/api/hubs/h/users/u/:send?messageTtlSeconds=${ttl}`, text("x"))).status).toBe(
        202,
      );
    }
  });

  it("rejects invalid JSON bodies, unsupported content types and oversized bodies", async () => {
    expect((await rest(emu, "POST", "/api/hubs/h/:send", { body: "{", contentType: "application/json" })).status).toBe(
      400,
    );
    expect((await rest(emu, "POST", "/api/hubs/h/:send", { body: "x", contentType: "image/png" })).status).toBe(415);
    const big = "x".repeat(1024 * 1024 + 1);
    expect((await rest(emu, "POST", "/api/hubs/h/:send", text(big))).status).toBe(413);
  });

  it("answers 404 for unknown paths and 405 for wrong methods", async () => {
    expect((await rest(emu, "GET", "/api/hubs/h/nothing-here")).status).toBe(404);
    const r = await rest(emu, "GET", "/api/hubs/h/:send");
    expect(r.status).toBe(405);
    expect(r.headers.get("allow")).toBe("POST");
    expect((await fetch(`${emu.endpoint}/elsewhere`)).status).toBe(404);
  });

  it("treats hub names case-insensitively", async () => {
    const c = await connect(emu, "CaseHub");
    await rest(emu, "POST", "/api/hubs/casehub/:send", text("lower"));
    await c.message((m) => m.data === "lower");
  });
});
