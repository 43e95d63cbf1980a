// Client access tokens signed with the access key: URLs and claims as the shared vectors give them, lifetimes, and
// verification with the right key only.
import { readFileSync } from "node:fs";
import { decodeJwt, parseConnectionString, signJwt, verifyJwt } from "@webpubsub/core";
import { describe, expect, it } from "vitest";
import { WebPubSubServiceClient } from "../src/index.ts";
import { clientTokenClaims, signClientToken, signToken } from "../src/token.ts";
import { fixturePath } from "./helpers/fixtures.ts";

interface UrlVector {
  conn: string;
  hub: string;
  protocol?: "mqtt" | "socketio";
  baseUrl: string;
  aud: string;
}

describe("client access tokens (key credential)", () => {
  const file = fixturePath("vectors.json");
  it("builds baseUrl, url and aud exactly as the vectors say", async () => {
    const vectors = JSON.parse(readFileSync(file, "utf8")).clientAccessUrl.urls as UrlVector[];
    expect(vectors.length).toBeGreaterThanOrEqual(5);
    for (const v of vectors) {
      const { endpoint, accessKey } = parseConnectionString(v.conn);
      const res = await signClientToken(endpoint, v.hub, accessKey, {
        clientProtocol: v.protocol,
        expirationTimeInMinutes: 60,
      });
      expect(Object.keys(res).sort()).toEqual(["baseUrl", "token", "url"]);
      expect(res.baseUrl).toBe(v.baseUrl);
      expect(res.url).toBe(`${v.baseUrl}?access_token=${res.token}`);
      const payload = await verifyJwt(res.token, accessKey, { audience: v.aud });
      expect(payload.aud).toBe(v.aud);
    }
  });

  it("gives the vectors' clientAccessUrl results through WebPubSubServiceClient.getClientAccessToken", async () => {
    const vectors = JSON.parse(readFileSync(file, "utf8")).clientAccessUrl.urls as UrlVector[];
    expect(vectors.length).toBeGreaterThanOrEqual(5);
    for (const v of vectors) {
      const client = WebPubSubServiceClient.fromConnectionString(v.conn, v.hub);
      const { accessKey } = parseConnectionString(v.conn);
      const res = await client.getClientAccessToken(v.protocol ? { clientProtocol: v.protocol } : {});
      // Result keys exactly {baseUrl, url, token}; url = baseUrl + "?access_token=" + token.
      expect(Object.keys(res).sort(), v.conn).toEqual(["baseUrl", "token", "url"]);
      expect(res.baseUrl, v.conn).toBe(v.baseUrl);
      expect(res.url).toBe(`${v.baseUrl}?access_token=${res.token}`);
      // HS256 with the access key; aud is the http(s) form of baseUrl; with no user/roles/groups exactly aud, iat, exp.
      const payload = await verifyJwt(res.token, accessKey, { audience: v.aud });
      expect(decodeJwt(res.token).header.alg).toBe("HS256");
      expect(Object.keys(payload).sort()).toEqual(["aud", "exp", "iat"]);
      expect(payload.exp! - payload.iat!).toBe(3600); // JS default: 1 hour
      // sub, role and webpubsub.group appear when given, and empty roles/groups stay absent.
      const withClaims = await client.getClientAccessToken({
        userId: "u1",
        roles: ["webpubsub.sendToGroup"],
        groups: [],
        expirationTimeInMinutes: 5,
        ...(v.protocol ? { clientProtocol: v.protocol } : {}),
      });
      const claims = decodeJwt(withClaims.token).payload;
      expect(claims).toMatchObject({ aud: v.aud, sub: "u1", role: ["webpubsub.sendToGroup"] });
      expect(claims).not.toHaveProperty("webpubsub.group");
      expect(claims.exp! - claims.iat!).toBeGreaterThanOrEqual(295);
      expect(claims.exp! - claims.iat!).toBeLessThanOrEqual(305);
    }
  });

  it("accepts a lifetime of exactly one second (1/60 minute)", async () => {
    const client = WebPubSubServiceClient.fromConnectionString(`Endpoint=https://a;AccessKey=key-key-key`, "hub");
    const { token } = await client.getClientAccessToken({ expirationTimeInMinutes: 1 / 60 });
    const { payload } = decodeJwt(token);
    expect(payload.exp! - payload.iat!).toBe(1);
  });

  it("has exactly aud, iat and exp without user, roles or groups", async () => {
    const res = await signClientToken("https://a.example", "hub", "key-key-key", { expirationTimeInMinutes: 60 });
    const { header, payload } = decodeJwt(res.token);
    expect(header).toEqual({ alg: "HS256", typ: "JWT" });
    expect(Object.keys(payload).sort()).toEqual(["aud", "exp", "iat"]);
    expect(payload.exp! - payload.iat!).toBe(3600);
  });

  it("adds sub, role and webpubsub.group when given, omits empty arrays", async () => {
    const res = await signClientToken("https://a.example", "hub", "key-key-key", {
      userId: "alice",
      roles: ["webpubsub.joinLeaveGroup.chat"],
      groups: ["chat", "news"],
      expirationTimeInMinutes: 5,
    });
    const { payload } = decodeJwt(res.token);
    expect(payload).toMatchObject({
      sub: "alice",
      role: ["webpubsub.joinLeaveGroup.chat"],
      "webpubsub.group": ["chat", "news"],
      aud: "https://a.example/client/hubs/hub",
    });
    expect(payload.exp! - payload.iat!).toBe(300);
    const empty = await signClientToken("https://a.example", "hub", "key-key-key", {
      roles: [],
      groups: [],
      expirationTimeInMinutes: 1,
    });
    expect(Object.keys(decodeJwt(empty.token).payload).sort()).toEqual(["aud", "exp", "iat"]);
  });

  it("signs with the access key: another key fails verification", async () => {
    const res = await signClientToken("https://a.example", "hub", "right-key", { expirationTimeInMinutes: 1 });
    await expect(verifyJwt(res.token, "wrong-key")).rejects.toThrow();
    await expect(verifyJwt(res.token, "right-key")).resolves.toBeTruthy();
  });
});

describe("signToken", () => {
  it("signs exactly what @webpubsub/core's signJwt signs, with iat and exp", async () => {
    const payload = clientTokenClaims("https://a.example:8443", "hub", {
      userId: "ünïcode user",
      roles: ["webpubsub.sendToGroup.chat"],
      groups: ["chat", "g'2"],
    });
    const now = 1_730_000_000;
    const token = await signToken(payload, "the-key-é", 3600, now);
    expect(token).toBe(await signJwt(payload, "the-key-é", { expiresInSeconds: 3600, now }));
    expect(decodeJwt(token).payload).toMatchObject({ iat: now, exp: now + 3600, sub: "ünïcode user" });
  });
});
