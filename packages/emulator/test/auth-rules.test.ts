// The emulator's token rules, called directly (no server): which URLs a REST token's audience may name (the request
// URL under either scheme, since TLS may end in front of the emulator), how the bearer header is read, the client
// audience of a hub, and Entra dev mode (audience, tenant and issuer checks of an unsigned-looking token).
import { JwtError, signJwtSync } from "@webpubsub/core";
import { describe, expect, it } from "vitest";
import {
  bearerToken,
  clientAudienceMatcher,
  ENTRA_AUDIENCE,
  restAudienceMatcher,
  verifyRestToken,
} from "../src/auth.ts";

const KEY = "k".repeat(43);
const URL_ = "http://localhost:8080/api/hubs/h/:send?api-version=2024-01-01";
const now = () => Math.floor(Date.now() / 1000);
const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString("base64url");
/** A token shaped like an Entra access token (RS256, a signature that cannot be checked offline). */
const entraToken = (claims: Record<string, unknown>, alg = "RS256") =>
  `${b64({ alg, typ: "JWT" })}.${b64({ exp: now() + 600, ...claims })}.c2ln`;
const hs256 = (claims: Record<string, unknown>) => signJwtSync({ exp: now() + 600, ...claims }, KEY);

function refusal(fn: () => unknown): JwtError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(JwtError);
    return e as JwtError;
  }
  throw new Error("expected a JwtError");
}

describe("restAudienceMatcher: the request URL under either scheme", () => {
  it("accepts the http and the https spelling of a plain-HTTP request URL", () => {
    const m = restAudienceMatcher(URL_);
    expect(m(URL_)).toBe(true);
    expect(m(URL_.replace("http://", "https://"))).toBe(true);
    expect(m("http://localhost:8080/api/hubs/h/:send")).toBe(true);
  });

  it("accepts both spellings when the request URL has the https scheme, written in any case", () => {
    const m = restAudienceMatcher("HTTPS://localhost:8080/api/hubs/h/:send");
    expect(m("http://localhost:8080/api/hubs/h/:send")).toBe(true);
    expect(m("https://localhost:8080/api/hubs/h/:send")).toBe(true);
  });

  it("replaces only a leading scheme: a URL-looking path segment is kept", () => {
    const m = restAudienceMatcher("http://h/x/ftp://y");
    expect(m("https://h/x/ftp://y")).toBe(true);
    expect(m("https://h/x/y")).toBe(false);
    expect(m("http://y")).toBe(false);
  });

  it("refuses other schemes, hosts and paths", () => {
    const m = restAudienceMatcher(URL_);
    expect(m("ws://localhost:8080/api/hubs/h/:send")).toBe(false);
    expect(m("http://localhost:8081/api/hubs/h/:send")).toBe(false);
    expect(m("http://localhost:8080/api/hubs/other/:send")).toBe(false);
    expect(m("localhost:8080/api/hubs/h/:send")).toBe(false);
  });
});

describe("bearerToken: the token of an `Authorization: Bearer` header", () => {
  it("reads the token, with any case of the scheme and spaces around", () => {
    expect(bearerToken("Bearer abc.def.ghi")).toBe("abc.def.ghi");
    expect(bearerToken("bearer abc")).toBe("abc");
    expect(bearerToken("  BEARER \t abc  ")).toBe("abc");
  });

  it("gives nothing for a missing header, another scheme, no token or two words", () => {
    expect(bearerToken(undefined)).toBeUndefined();
    expect(bearerToken("Basic abc")).toBeUndefined();
    expect(bearerToken("XBearer abc")).toBeUndefined();
    expect(bearerToken("Bearer")).toBeUndefined();
    expect(bearerToken("Bearer ")).toBeUndefined();
    expect(bearerToken("Bearerabc")).toBeUndefined();
    expect(bearerToken("Bearer abc def")).toBeUndefined();
  });
});

describe("verifyRestToken with access keys", () => {
  it("refuses a missing token as malformed, naming the header", () => {
    const e = refusal(() => verifyRestToken(undefined, URL_, [KEY], false));
    expect(e.code).toBe("malformed");
    expect(e.message).toBe("Missing 'Authorization: Bearer <token>' header.");
  });

  it("accepts a token signed with any of the keys for the request URL, and refuses a wrong audience", () => {
    const token = hs256({ aud: URL_ });
    expect(verifyRestToken(token, URL_, ["other", KEY], false).aud).toBe(URL_);
    expect(refusal(() => verifyRestToken(token, URL_, ["other"], false)).code).toBe("invalid_signature");
    const wrong = hs256({ aud: "http://localhost:8080/api/hubs/other" });
    expect(refusal(() => verifyRestToken(wrong, URL_, [KEY], false)).code).toBe("invalid_audience");
  });

  it("with Entra mode off, refuses an Entra-shaped token (its algorithm)", () => {
    const e = refusal(() => verifyRestToken(entraToken({ aud: ENTRA_AUDIENCE }), URL_, [KEY], false));
    expect(e.code).toBe("unsupported_algorithm");
  });

  it("with Entra mode on, still checks the signature of an HS256 token for this endpoint", () => {
    const token = hs256({ aud: URL_ });
    expect(verifyRestToken(token, URL_, [KEY], {}).aud).toBe(URL_);
    expect(refusal(() => verifyRestToken(token, URL_, ["other"], {})).code).toBe("invalid_signature");
    // a forged HS256 token for the request URL is not read as an Entra token
    const forged = entraToken({ aud: URL_ }, "HS256");
    expect(refusal(() => verifyRestToken(forged, URL_, [KEY], {})).code).toBe("invalid_signature");
  });
});

describe("verifyRestToken in Entra mode: audience and lifetime", () => {
  const ok = (claims: Record<string, unknown>, alg?: string) =>
    verifyRestToken(entraToken(claims, alg), URL_, [KEY], {});
  const code = (claims: Record<string, unknown>, alg?: string) => refusal(() => ok(claims, alg)).code;

  it("accepts the Web PubSub resource as audience, with or without /.default or trailing slashes, in any case", () => {
    for (const aud of [
      "https://webpubsub.azure.com",
      "https://webpubsub.azure.com/",
      "https://webpubsub.azure.com//",
      "HTTPS://WebPubSub.Azure.com",
      "https://webpubsub.azure.com/.default",
      "https://webpubsub.azure.com/.default/",
    ]) {
      expect(ok({ aud }).aud).toBe(aud);
    }
  });

  it("refuses near misses of the resource audience", () => {
    for (const aud of [
      "http://webpubsub.azure.com",
      "https://webpubsub.azure.com.evil",
      "https://webpubsub.azure.com/x",
      "https://webpubsub.azure.com/.defaults",
      "https://webpubsub.azure.co",
      "/https://webpubsub.azure.com",
    ]) {
      expect(code({ aud })).toBe("invalid_audience");
    }
  });

  it("accepts the endpoint's origin under either scheme, trailing slashes and case aside", () => {
    for (const aud of [
      "http://localhost:8080",
      "https://localhost:8080",
      "HTTP://LOCALHOST:8080/",
      "https://localhost:8080//",
    ]) {
      expect(ok({ aud }).aud).toBe(aud);
    }
    for (const aud of [
      "http://localhost:8081",
      "http://localhost",
      "ws://localhost:8080",
      "http://localhost:8080/api",
    ]) {
      expect(code({ aud })).toBe("invalid_audience");
    }
  });

  it("reads an HS256 token as an Entra one when an audience in its list is the resource", () => {
    expect(ok({ aud: [7, ENTRA_AUDIENCE] }, "HS256").aud).toEqual([7, ENTRA_AUDIENCE]);
    // with no resource audience it stays an access-key token, whose signature fails
    expect(code({ aud: ["http://localhost:8080"] }, "HS256")).toBe("invalid_signature");
    expect(code({ aud: 7 }, "HS256")).toBe("invalid_signature");
    expect(code({}, "HS256")).toBe("invalid_signature");
  });

  it("checks the lifetime of an Entra token", () => {
    expect(code({ aud: ENTRA_AUDIENCE, exp: now() - 3600 })).toBe("expired");
    expect(code({ aud: ENTRA_AUDIENCE, nbf: now() + 3600 })).toBe("not_yet_valid");
  });
});

describe("verifyRestToken in Entra mode: tenant and issuer", () => {
  const TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47";
  const OTHER = "00000000-0000-0000-0000-000000000001";
  const tenantPolicy = { tenantId: TENANT };
  const verify = (claims: Record<string, unknown>, policy: { tenantId?: string; issuers?: string[] }) =>
    verifyRestToken(entraToken({ aud: ENTRA_AUDIENCE, ...claims }), URL_, [KEY], policy);
  const message = (claims: Record<string, unknown>, policy: { tenantId?: string; issuers?: string[] }) => {
    const e = refusal(() => verify(claims, policy));
    expect(e.code).toBe("invalid_audience");
    return e.message;
  };

  it("accepts the expected tenant in any case, with or without an issuer naming it", () => {
    expect(verify({ tid: TENANT.toUpperCase() }, tenantPolicy).tid).toBe(TENANT.toUpperCase());
    expect(verify({ tid: TENANT, iss: `https://sts.windows.net/${TENANT.toUpperCase()}/` }, tenantPolicy).tid).toBe(
      TENANT,
    );
    expect(verify({ tid: TENANT, iss: `https://login.microsoftonline.com/${TENANT}/v2.0` }, tenantPolicy).tid).toBe(
      TENANT,
    );
  });

  it("refuses another tenant, a missing or non-string tid, naming the tenant claim", () => {
    const said = "The token's tenant (tid) is not the tenant this emulator expects.";
    expect(message({ tid: OTHER }, tenantPolicy)).toBe(said);
    expect(message({}, tenantPolicy)).toBe(said);
    expect(message({ tid: 7 }, tenantPolicy)).toBe(said);
  });

  it("refuses an issuer naming another tenant, or none, naming the issuer claim", () => {
    const said = "The token's issuer (iss) does not name the tenant this emulator expects.";
    expect(message({ tid: TENANT, iss: `https://sts.windows.net/${OTHER}/` }, tenantPolicy)).toBe(said);
    expect(message({ tid: TENANT, iss: `https://sts.windows.net/x/${TENANT}/` }, tenantPolicy)).toBe(said);
    expect(message({ tid: TENANT, iss: "https://sts.windows.net" }, tenantPolicy)).toBe(said);
    expect(message({ tid: TENANT, iss: "not a url" }, tenantPolicy)).toBe(said);
    expect(message({ tid: TENANT, iss: TENANT }, tenantPolicy)).toBe(said);
  });

  it("does not read a non-string iss as an issuer", () => {
    expect(verify({ tid: TENANT, iss: 7 }, tenantPolicy).tid).toBe(TENANT);
    const said = "The token's issuer (iss) is not one this emulator expects.";
    expect(message({ iss: 7 }, { issuers: ["7"] })).toBe(said);
  });

  it("accepts an expected issuer exactly, a trailing slash on either side aside", () => {
    const issuers = ["https://sts.windows.net/t/", "https://login.example/t/v2.0"];
    expect(verify({ iss: "https://sts.windows.net/t/" }, { issuers }).iss).toBe("https://sts.windows.net/t/");
    expect(verify({ iss: "https://sts.windows.net/t" }, { issuers }).iss).toBe("https://sts.windows.net/t");
    expect(verify({ iss: "https://login.example/t/v2.0/" }, { issuers }).iss).toBe("https://login.example/t/v2.0/");
    expect(verify({ iss: "https://login.example/t/v2.0" }, { issuers }).iss).toBe("https://login.example/t/v2.0");
  });

  it("refuses another issuer, a longer or shorter one, or none", () => {
    const issuers = ["https://sts.windows.net/t/"];
    const said = "The token's issuer (iss) is not one this emulator expects.";
    expect(message({ iss: "https://sts.windows.net/u/" }, { issuers })).toBe(said);
    expect(message({ iss: "https://sts.windows.net/t//" }, { issuers })).toBe(said);
    expect(message({ iss: "https://sts.windows.net/" }, { issuers })).toBe(said);
    expect(message({ iss: "https://sts.windows.net/t/x" }, { issuers })).toBe(said);
    expect(message({}, { issuers })).toBe(said);
  });

  it("checks both the tenant and the issuer list when both are expected", () => {
    const policy = { tenantId: TENANT, issuers: [`https://sts.windows.net/${TENANT}/`] };
    expect(verify({ tid: TENANT, iss: `https://sts.windows.net/${TENANT}/` }, policy).tid).toBe(TENANT);
    expect(message({ tid: TENANT, iss: `https://login.microsoftonline.com/${TENANT}/v2.0` }, policy)).toBe(
      "The token's issuer (iss) is not one this emulator expects.",
    );
  });

  it("with no expectation, accepts any tenant and issuer", () => {
    expect(verify({ tid: OTHER, iss: "https://anything/" }, {}).tid).toBe(OTHER);
  });
});

describe("clientAudienceMatcher: the audience of a client token for a hub", () => {
  it("accepts the hub's client URL under either scheme, case-insensitively", () => {
    const m = clientAudienceMatcher("localhost:8080", "chat")!;
    expect(m("http://localhost:8080/client/hubs/chat")).toBe(true);
    expect(m("https://localhost:8080/client/hubs/chat")).toBe(true);
    expect(m("HTTP://LOCALHOST:8080/client/hubs/chat")).toBe(true);
    expect(m("http://localhost:8080/client/hubs/chat2")).toBe(false);
    expect(m("http://localhost:8080/clients/mqtt/hubs/chat")).toBe(false);
    expect(m("ws://localhost:8080/client/hubs/chat")).toBe(false);
  });

  it("uses the protocol's path (MQTT, Socket.IO)", () => {
    const m = clientAudienceMatcher("localhost:8080", "chat", "mqtt")!;
    expect(m("https://localhost:8080/clients/mqtt/hubs/chat")).toBe(true);
    expect(m("http://localhost:8080/clients/mqtt/hubs/chat")).toBe(true);
    expect(m("http://localhost:8080/client/hubs/chat")).toBe(false);
  });

  it("has no matcher for an unusable host or hub", () => {
    expect(clientAudienceMatcher("", "chat")).toBeUndefined();
    expect(clientAudienceMatcher("a b", "chat")).toBeUndefined();
    expect(clientAudienceMatcher("localhost", "bad hub!")).toBeUndefined();
  });
});
