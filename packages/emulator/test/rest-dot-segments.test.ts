// Rule: a REST request is routed by exactly the path it is authenticated for. A URL parser removes `.` and `..`
// segments, so a token signed for `/api/hubs/h1/users/../../h2/:send` (what a service client signs for the user id
// "../../h2") once broadcast in hub h2. Dot segments, also percent-encoded, are now refused with 400 naming the path
// parameter, before anything is sent; ids that merely contain dots are ordinary ids.
import { request } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningEmulator, startEmulator } from "../src/index.ts";
import { connect, hubNames, sign } from "./helpers/clients.ts";

let emu: RunningEmulator;
const hub = hubNames("dots");
beforeAll(async () => {
  emu = await startEmulator();
});
afterAll(async () => {
  await emu.close();
});

/** A REST call with the path sent byte for byte (node:http does not normalize it), signed for that raw URL. */
function rawRest(method: string, path: string, body = "x"): Promise<{ status: number; json: Record<string, unknown> }> {
  const full = `${path}${path.includes("?") ? "&" : "?"}api-version=2024-12-01`;
  const now = Math.floor(Date.now() / 1000);
  const token = sign({ aud: `${emu.endpoint}${full}`, exp: now + 300 }, emu.accessKey);
  return new Promise((resolve, reject) => {
    const req = request(`${emu.endpoint}/`, {
      method,
      path: full,
      headers: { authorization: `Bearer ${token}`, "content-type": "text/plain" },
    });
    req.on("response", (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (d) => {
        text += d;
      });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, json: text ? JSON.parse(text) : {} }));
    });
    req.on("error", reject);
    req.end(body);
  });
}

describe("dot segments in REST paths", () => {
  it("a token for users/../../h2/:send in h1 cannot broadcast in h2: 400 naming userId, nothing sent", async () => {
    const h1 = hub();
    const h2 = hub();
    const victim = await connect(emu, h2);
    for (const path of [
      `/api/hubs/${h1}/users/../../${h2}/:send`,
      `/api/hubs/${h1}/users/%2e%2e/%2E%2e/${h2}/:send`,
      `/api/hubs/${h1}/users/.%2e/..%2F..%2F${h2}/:send`,
    ]) {
      const r = await rawRest("POST", path, "stolen");
      expect(r.status, path).toBe(400);
      expect(r.json.target, path).toBe("userId");
      expect(String(r.json.message)).toMatch(/userId .* must not be '\.' or '\.\.'/);
    }
    // the first message the victim gets is the marker sent after the attempts
    const marker = await rawRest("POST", `/api/hubs/${h2}/:send`, "marker");
    expect(marker.status).toBe(202);
    const m = await victim.message((x) => x.type === "message");
    expect(m.data).toBe("marker");
    await victim.close();
  });

  it("names the parameter that holds the dot segment: hub, group, connectionId, permission", async () => {
    const h = hub();
    const cases: [string, string, string][] = [
      ["POST", `/api/hubs/../hubs/${h}/:send`, "hub"],
      ["POST", `/api/hubs/${h}/groups/./:send`, "group"],
      ["POST", `/api/hubs/${h}/groups/%2E/:send`, "group"],
      ["DELETE", `/api/hubs/${h}/connections/..`, "connectionId"],
      ["PUT", `/api/hubs/${h}/groups/g/connections/%2e`, "connectionId"],
      ["PUT", `/api/hubs/${h}/permissions/../connections/c?targetName=g`, "permission"],
      // a dot segment that is no parameter (here after the user id) is named as "path"
      ["POST", `/api/hubs/${h}/users/u/../:send`, "path"],
    ];
    for (const [method, path, name] of cases) {
      const r = await rawRest(method, path);
      expect(r.status, path).toBe(400);
      expect(r.json.target, path).toBe(name);
    }
  });

  it("ids that only contain dots are ordinary ids: '...', '.a', 'a..b' reach their user", async () => {
    const h = hub();
    for (const user of ["...", ".a", "a..b", "a/../b"]) {
      const c = await connect(emu, h, { claims: { sub: user } });
      const r = await rawRest("POST", `/api/hubs/${h}/users/${encodeURIComponent(user)}/:send`, `to ${user}`);
      expect(r.status, user).toBe(202);
      expect((await c.message((x) => x.type === "message")).data).toBe(`to ${user}`);
      await c.close();
    }
  });
});
