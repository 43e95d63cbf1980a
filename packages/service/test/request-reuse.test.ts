// Per-request work a client keeps between calls (operations.ts keeps each route's REST resource by route and path
// arguments; the lean HTTP client of @webpubsub/rest keeps parsed URLs): whatever is reused, every request still goes
// to the path its own arguments make.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { WebPubSubServiceClient } from "../src/index.ts";
import { type CaptureServer, startCaptureServer } from "./helpers/capture-server.ts";
import { clientOf } from "./helpers/key-client.ts";

let server: CaptureServer;
let client: WebPubSubServiceClient;

beforeAll(async () => {
  server = await startCaptureServer();
  client = clientOf(server, {
    retryOptions: { maxRetries: 0 },
  });
});
afterAll(() => server.close());

describe("reused request state", () => {
  // Each case: calls made in turn, each with the request line it must send. Arguments that join to the same text
  // ("a|b" + "c" and "b" + "c|a") would be mixed up by a key made by joining them; a user or group named like the hub
  // must not be taken for the route of the hub alone.
  it.each<[string, [() => Promise<unknown>, string][]]>([
    [
      "arguments that join to the same text",
      [
        [() => client.addUserToGroup("a|b", "c"), "PUT /api/hubs/hub/users/c/groups/a%7Cb"],
        [() => client.addUserToGroup("b", "c|a"), "PUT /api/hubs/hub/users/c%7Ca/groups/b"],
        [() => client.addUserToGroup("a|b", "c"), "PUT /api/hubs/hub/users/c/groups/a%7Cb"],
        [() => client.sendToUser("u1", "x"), "POST /api/hubs/hub/users/u1/:send"],
        [() => client.sendToUser("u2", "x"), "POST /api/hubs/hub/users/u2/:send"],
        [() => client.sendToUser("u1", "x"), "POST /api/hubs/hub/users/u1/:send"],
      ],
    ],
    [
      "a route of the hub alone between routes whose other arguments are named like the hub",
      [
        [() => client.sendToAll("x"), "POST /api/hubs/hub/:send"],
        [() => client.sendToUser("hub", "x"), "POST /api/hubs/hub/users/hub/:send"],
        [() => client.closeAllConnections(), "POST /api/hubs/hub/:closeConnections"],
        [() => client.closeGroupConnections("hub"), "POST /api/hubs/hub/groups/hub/:closeConnections"],
        [() => client.sendToAll("x"), "POST /api/hubs/hub/:send"],
      ],
    ],
  ])("sends each call to the path of its own arguments: %s", async (_name, steps) => {
    server.requests.length = 0;
    for (const [call] of steps) await call();
    expect(server.requests.map((r) => `${r.method} ${r.path}`)).toEqual(steps.map(([, line]) => line));
  });

  it("keeps sending to the right paths past the number of routes it keeps (300 distinct users, then the first again)", async () => {
    server.requests.length = 0;
    for (let i = 0; i < 300; i++) await client.sendToUser(`user-${i}`, "x");
    await client.sendToUser("user-0", "x");
    const paths = server.requests.map((r) => r.path);
    expect(paths).toHaveLength(301);
    expect(paths.slice(0, 300)).toEqual(Array.from({ length: 300 }, (_, i) => `/api/hubs/hub/users/user-${i}/:send`));
    expect(paths[300]).toBe("/api/hubs/hub/users/user-0/:send");
  });

  it("sends the query of each call (query parameters are not part of what is reused)", async () => {
    server.requests.length = 0;
    await client.sendToAll("x", { filter: "userId eq 'a'" });
    await client.sendToAll("x");
    await client.sendToAll("x", { excludedConnections: ["c1"] });
    expect(server.requests.map((r) => r.query.filter((q) => !q.startsWith("api-version=")))).toEqual([
      ["filter=userId%20eq%20%27a%27"],
      [],
      ["excluded=c1"],
    ]);
  });
});
