// Sends every operation through this client and through the official @azure/web-pubsub 1.2.0 against the same
// capturing server, and compares what went over the wire: method, path, query (order aside), content type and body.
// The one documented difference: a bare string is text/plain here and a JSON string there, so the official client is
// called with { contentType: "text/plain" } for bare strings (and a separate test shows the raw difference).
import { Readable } from "node:stream";
import { type AccessToken, AzureKeyCredential, type TokenCredential } from "@azure/core-auth";
import {
  createHttpHeaders,
  type HttpClient,
  type PipelineRequest,
  type PipelineResponse,
} from "@azure/core-rest-pipeline";
import { WebPubSubServiceClient as OfficialClient } from "@azure/web-pubsub";
import { decodeJwt, verifyJwt } from "@webpubsub/core";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { WebPubSubServiceClient } from "../src/index.ts";
import { type CapturedRequest, type CaptureServer, startCaptureServer } from "./helpers/capture-server.ts";
import { KEY } from "./helpers/key-client.ts";

const HUB = "chat_hub";

interface Wire {
  method: string;
  path: string;
  query: string[];
  contentType: string | undefined;
  body: string;
}

function wire(req: CapturedRequest): Wire {
  return {
    method: req.method,
    path: req.path,
    query: [...req.query].sort(),
    contentType: req.headers["content-type"],
    body: req.body.toString("base64"),
  };
}

let server: CaptureServer;
let ours: WebPubSubServiceClient;
let official: OfficialClient;

beforeAll(async () => {
  server = await startCaptureServer();
  const cs = `Endpoint=${server.endpoint};AccessKey=${KEY};Version=1.0;`;
  ours = WebPubSubServiceClient.fromConnectionString(cs, HUB, { retryOptions: { maxRetries: 0 } });
  official = new OfficialClient(cs, HUB, { retryOptions: { maxRetries: 0 }, allowInsecureConnection: true });
});
afterAll(() => server.close());
beforeEach(() => {
  server.requests.length = 0;
});

/** Runs both calls, each must send exactly one request; returns the two wire views. */
async function both(oursCall: () => Promise<unknown>, officialCall: () => Promise<unknown>): Promise<[Wire, Wire]> {
  const start = server.requests.length;
  await oursCall();
  expect(server.requests).toHaveLength(start + 1);
  const a = wire(server.requests[start]!);
  await officialCall();
  expect(server.requests).toHaveLength(start + 2);
  const b = wire(server.requests[start + 1]!);
  return [a, b];
}

async function expectSameWire(oursCall: () => Promise<unknown>, officialCall: () => Promise<unknown>): Promise<Wire> {
  const [a, b] = await both(oursCall, officialCall);
  expect(a).toEqual(b);
  return a;
}

const bytes = new Uint8Array([0, 1, 2, 3, 250, 251]);

describe("wire compatibility with @azure/web-pubsub 1.2.0", () => {
  it("sendToAll: text, JSON, binary, with excluded, filter and TTL", async () => {
    const text = await expectSameWire(
      () =>
        ours.sendToAll("hello", { excludedConnections: ["c1", "c 2"], filter: "userId ne 'a'", messageTtlSeconds: 30 }),
      () =>
        official.sendToAll("hello", {
          contentType: "text/plain",
          excludedConnections: ["c1", "c 2"],
          filter: "userId ne 'a'",
          messageTtlSeconds: 30,
        }),
    );
    expect(text).toMatchObject({ method: "POST", path: `/api/hubs/${HUB}/:send`, contentType: "text/plain" });
    expect(text.query).toContain("excluded=c1");
    const json = await expectSameWire(
      () => ours.sendToAll({ x: 1, y: [true, null] }),
      () => official.sendToAll({ x: 1, y: [true, null] }),
    );
    expect(json.contentType).toBe("application/json");
    const bin = await expectSameWire(
      () => ours.sendToAll(bytes),
      () => official.sendToAll(bytes),
    );
    expect(bin.contentType).toBe("application/octet-stream");
    await expectSameWire(
      () => ours.sendToAll(42),
      () => official.sendToAll(42),
    );
    await expectSameWire(
      () => ours.sendToAll("a JSON string", { contentType: "application/json" }),
      () => official.sendToAll("a JSON string"),
    );
  });

  it("documents the one difference: a bare string is text/plain here, a JSON string in the official package", async () => {
    const [a, b] = await both(
      () => ours.sendToAll("hi"),
      () => official.sendToAll("hi"),
    );
    expect([a.contentType, Buffer.from(a.body, "base64").toString()]).toEqual(["text/plain", "hi"]);
    expect([b.contentType, Buffer.from(b.body, "base64").toString()]).toEqual(["application/json", '"hi"']);
    expect({ ...a, contentType: "", body: "" }).toEqual({ ...b, contentType: "", body: "" });
  });

  it("streams Node Readable bodies byte for byte (the official package JSON-encodes the stream object)", async () => {
    await ours.sendToAll(Readable.from([Buffer.from([1, 2]), Buffer.from([3])]));
    expect(server.requests[0]!.headers["content-type"]).toBe("application/octet-stream");
    expect([...server.requests[0]!.body]).toEqual([1, 2, 3]);
  });

  it("sendToUser, sendToConnection and group sendToAll", async () => {
    await expectSameWire(
      () => ours.sendToUser("user 1/ä", "hi", { filter: "connectionId ne 'x'", messageTtlSeconds: 0 }),
      () =>
        official.sendToUser("user 1/ä", "hi", {
          contentType: "text/plain",
          filter: "connectionId ne 'x'",
          messageTtlSeconds: 0,
        }),
    );
    await expectSameWire(
      () => ours.sendToUser("u", { a: 1 }),
      () => official.sendToUser("u", { a: 1 }),
    );
    await expectSameWire(
      () => ours.sendToConnection("conn#1", bytes, { messageTtlSeconds: 300 }),
      () => official.sendToConnection("conn#1", bytes, { messageTtlSeconds: 300 }),
    );
    await expectSameWire(
      () => ours.sendToGroup("group one", "hi", { excludedConnections: ["c1"], filter: "userId eq 'u'" }),
      () =>
        official
          .group("group one")
          .sendToAll("hi", { contentType: "text/plain", excludedConnections: ["c1"], filter: "userId eq 'u'" }),
    );
    await expectSameWire(
      () => ours.group("g").sendToAll([1, 2]),
      () => official.group("g").sendToAll([1, 2]),
    );
  });

  it("group membership operations", async () => {
    await expectSameWire(
      () => ours.addUserToGroup("g 1", "u/1"),
      () => official.group("g 1").addUser("u/1"),
    );
    await expectSameWire(
      () => ours.group("g 1").removeUser("u/1"),
      () => official.group("g 1").removeUser("u/1"),
    );
    await expectSameWire(
      () => ours.addConnectionToGroup("g", "c1"),
      () => official.group("g").addConnection("c1"),
    );
    await expectSameWire(
      () => ours.group("g").removeConnection("c1"),
      () => official.group("g").removeConnection("c1"),
    );
    const add = await expectSameWire(
      () => ours.addConnectionsToGroups(["g1", "g2"], "userId eq 'user 1'"),
      () => official.addConnectionsToGroups(["g1", "g2"], "userId eq 'user 1'"),
    );
    expect(JSON.parse(Buffer.from(add.body, "base64").toString())).toEqual({
      groups: ["g1", "g2"],
      filter: "userId eq 'user 1'",
    });
    await expectSameWire(
      () => ours.removeConnectionsFromGroups(["g1"], "'g1' in groups"),
      () => official.removeConnectionsFromGroups(["g1"], "'g1' in groups"),
    );
    await expectSameWire(
      () => ours.removeConnectionFromAllGroups("c1"),
      () => official.removeConnectionFromAllGroups("c1"),
    );
    await expectSameWire(
      () => ours.removeUserFromAllGroups("u1"),
      () => official.removeUserFromAllGroups("u1"),
    );
  });

  it("existence checks", async () => {
    await expectSameWire(
      () => ours.connectionExists("c1"),
      () => official.connectionExists("c1"),
    );
    await expectSameWire(
      () => ours.userExists("u1"),
      () => official.userExists("u1"),
    );
    await expectSameWire(
      () => ours.groupExists("g1"),
      () => official.groupExists("g1"),
    );
  });

  it("closes with reasons and exclusions", async () => {
    await expectSameWire(
      () => ours.closeConnection("c1", { reason: "bye now" }),
      () => official.closeConnection("c1", { reason: "bye now" }),
    );
    await expectSameWire(
      () => ours.closeAllConnections({ reason: "maintenance", excluded: ["c1", "c2"] }),
      () => official.closeAllConnections({ reason: "maintenance", excluded: ["c1", "c2"] } as never),
    );
    await expectSameWire(
      () => ours.closeUserConnections("u1", { reason: "r" }),
      () => official.closeUserConnections("u1", { reason: "r" }),
    );
    await expectSameWire(
      () => ours.closeGroupConnections("g1", { reason: "r", excluded: ["c9"] }),
      () => official.group("g1").closeAllConnections({ reason: "r", excluded: ["c9"] } as never),
    );
    await expectSameWire(
      () => ours.group("g1").closeAllConnections({ reason: "r" }),
      () => official.group("g1").closeAllConnections({ reason: "r" }),
    );
  });

  it("permissions", async () => {
    await expectSameWire(
      () => ours.grantPermission("c1", "sendToGroup", { targetName: "g1" }),
      () => official.grantPermission("c1", "sendToGroup", { targetName: "g1" }),
    );
    await expectSameWire(
      () => ours.revokePermission("c1", "joinLeaveGroup"),
      () => official.revokePermission("c1", "joinLeaveGroup"),
    );
    await expectSameWire(
      () => ours.checkPermission("c1", "joinLeaveGroup", { targetName: "g1" }),
      () => official.hasPermission("c1", "joinLeaveGroup", { targetName: "g1" }),
    );
  });

  it("listConnectionsInGroup with top and maxPageSize", async () => {
    const w = await expectSameWire(
      async () => {
        for await (const _ of ours.listConnectionsInGroup("g1", { maxPageSize: 2, top: 5 })) {
          // the page is empty
        }
      },
      async () => {
        for await (const _ of await official.group("g1").listConnections({ maxPageSize: 2, top: 5 })) {
          // the page is empty
        }
      },
    );
    expect(w.method).toBe("GET");
  });

  it("getClientAccessToken: identical claims and URLs (key credential)", async () => {
    const cases = [
      {},
      { userId: "alice" },
      { userId: "bob", roles: ["webpubsub.joinLeaveGroup.chat", "webpubsub.sendToGroup"], groups: ["chat"] },
      { expirationTimeInMinutes: 5, clientProtocol: "mqtt" as const },
      { userId: "u", clientProtocol: "socketio" as const },
    ];
    for (const options of cases) {
      const a = await ours.getClientAccessToken(options);
      const b = await official.getClientAccessToken(options);
      expect(server.requests).toHaveLength(0);
      expect(a.baseUrl).toBe(b.baseUrl);
      expect(a.url).toBe(`${a.baseUrl}?access_token=${a.token}`);
      const pa = decodeJwt(a.token).payload;
      const pb = decodeJwt(b.token).payload;
      const { iat: ia, exp: ea, ...restA } = pa;
      const { iat: ib, exp: eb, ...restB } = pb;
      expect(restA).toEqual(restB);
      expect(ea! - ia!).toBe(eb! - ib!);
      expect(Math.abs(ia! - ib!)).toBeLessThanOrEqual(1);
      expect(decodeJwt(a.token).header).toEqual(decodeJwt(b.token).header);
      await verifyJwt(a.token, KEY, { audience: pb.aud as string });
    }
  });

  it("getClientAccessToken with a token credential calls :generateToken the same way", async () => {
    // Bearer tokens need https, so this case captures in an HttpClient instead of the http server.
    const captured: CapturedRequest[] = [];
    const httpClient: HttpClient = {
      sendRequest: async (request: PipelineRequest): Promise<PipelineResponse> => {
        const url = new URL(request.url);
        captured.push({
          method: request.method,
          path: url.pathname,
          query: url.search.slice(1).split("&").filter(Boolean),
          headers: {
            "content-type": request.headers.get("content-type"),
            authorization: request.headers.get("authorization"),
          },
          body: Buffer.alloc(0),
        });
        return {
          request,
          status: 200,
          headers: createHttpHeaders({ "content-type": "application/json" }),
          bodyAsText: JSON.stringify({ token: "service.signed.token" }),
        };
      },
    };
    const credential: TokenCredential = {
      getToken: async (): Promise<AccessToken> => ({ token: "entra-token", expiresOnTimestamp: Date.now() + 3600_000 }),
    };
    const endpoint = "https://wire.example.com";
    const oursEntra = new WebPubSubServiceClient(endpoint, credential, HUB, { httpClient });
    const officialEntra = new OfficialClient(endpoint, credential, HUB, { httpClient });
    const cases = [
      { userId: "brian", groups: ["group1", "g2"], roles: ["r1", "r 2"], expirationTimeInMinutes: 30 },
      { clientProtocol: "mqtt" as const },
      { clientProtocol: "socketio" as const, userId: "u" },
      {},
    ];
    for (const options of cases) {
      captured.length = 0;
      const a = await oursEntra.getClientAccessToken(options);
      const b = await officialEntra.getClientAccessToken(options);
      expect(captured).toHaveLength(2);
      expect(wire(captured[0]!)).toEqual(wire(captured[1]!));
      expect(captured[0]!.path).toBe(`/api/hubs/${HUB}/:generateToken`);
      expect(captured.map((r) => r.headers.authorization)).toEqual(["Bearer entra-token", "Bearer entra-token"]);
      expect(a).toEqual(b);
    }
  });

  it("signs REST requests with a JWT whose audience is the request URL", async () => {
    const keyClient = new WebPubSubServiceClient(server.endpoint, new AzureKeyCredential(KEY), HUB);
    await keyClient.sendToAll("x", { excludedConnections: ["c1"] });
    const req = server.requests[0]!;
    const token = String(req.headers.authorization).replace(/^Bearer /, "");
    const url = `${server.endpoint}${req.path}?${req.query.join("&")}`;
    const payload = await verifyJwt(token, KEY);
    expect(String(payload.aud).toLowerCase()).toBe(url.toLowerCase());
  });
});
