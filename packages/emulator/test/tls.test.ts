// The emulator over TLS: `tls: true` serves a generated self-signed certificate for the loopback names, `tls: { cert,
// key }` serves the caller's; either way the endpoint is https:// and client URLs wss://, and independent peers (the
// official @azure/web-pubsub 1.2.0 with an Entra-shaped credential, the `ws` package) work once the certificate is
// trusted, without allowInsecureConnection.
import { createHash, createPrivateKey, X509Certificate } from "node:crypto";
import { WebPubSubServiceClient } from "@azure/web-pubsub";
import { describe, expect, it } from "vitest";
import WebSocket from "ws";
import { generateLoopbackCertificate, spkiHash, startEmulator } from "../src/index.ts";
import { useEmulator } from "./helpers/use-emulator.ts";

const emu = useEmulator({ tls: true, allowEntraTokens: true });

/** An unsigned token with the shape and claims of a Microsoft Entra access token for Web PubSub. */
function entraShapedToken(): string {
  const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString("base64url");
  const now = Math.floor(Date.now() / 1000);
  const header = { alg: "RS256", typ: "JWT", kid: "test" };
  const payload = {
    aud: "https://webpubsub.azure.com",
    iss: "https://sts.windows.net/00000000-0000-0000-0000-000000000000/",
    iat: now,
    nbf: now - 60,
    exp: now + 3600,
    oid: "11111111-1111-1111-1111-111111111111",
  };
  return `${b64(header)}.${b64(payload)}.${Buffer.from("not-a-real-signature").toString("base64url")}`;
}
const credential = {
  getToken: async () => ({ token: entraShapedToken(), expiresOnTimestamp: Date.now() + 3_600_000 }),
};

describe("the emulator over TLS", () => {
  it("serves https with a certificate for localhost, 127.0.0.1 and ::1", () => {
    expect(emu.endpoint).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(emu.connectionString.startsWith(`Endpoint=${emu.endpoint};`)).toBe(true);
    const cert = new X509Certificate(emu.certificate!);
    expect(cert.subjectAltName).toContain("DNS:localhost");
    expect(cert.subjectAltName).toContain("IP Address:127.0.0.1");
    expect(cert.checkHost("localhost")).toBe("localhost");
    expect(cert.checkIP("127.0.0.1")).toBe("127.0.0.1");
    expect(cert.checkHost("example.com")).toBeUndefined();
    expect(new Date(cert.validTo).getTime()).toBeGreaterThan(Date.now());
  });

  it("is used by the official SDK (Entra credential, certificate trusted) and hands out wss:// URLs that connect", async () => {
    const service = new WebPubSubServiceClient(emu.endpoint, credential, "tlsHub", {
      tlsOptions: { ca: emu.certificate! },
    });
    const { url } = await service.getClientAccessToken({ userId: "alice" });
    expect(url).toMatch(new RegExp(`^wss://127\\.0\\.0\\.1:${emu.port}/client/hubs/tlshub\\?access_token=`, "i"));
    const ws = new WebSocket(url, "json.webpubsub.azure.v1", { ca: emu.certificate! });
    const messages: { type?: string; event?: string; data?: unknown }[] = [];
    const next = (pred: (m: (typeof messages)[number]) => boolean) =>
      new Promise<(typeof messages)[number]>((resolve) => {
        const hit = messages.find(pred);
        if (hit !== undefined) return resolve(hit);
        const on = () => {
          const m = messages.find(pred);
          if (m === undefined) return;
          ws.off("message", on);
          resolve(m);
        };
        ws.on("message", on);
      });
    ws.on("message", (d) => messages.push(JSON.parse(String(d))));
    await next((m) => m.event === "connected");
    await service.group("g").addUser("alice");
    expect(await service.userExists("alice")).toBe(true);
    await service.group("g").sendToAll("over tls", { contentType: "text/plain" });
    await next((m) => m.data === "over tls");
    await service.sendToUser("alice", "to alice", { contentType: "text/plain" });
    await next((m) => m.data === "to alice");
    ws.close();
  });

  it("is refused by a peer that does not trust the certificate", async () => {
    const service = new WebPubSubServiceClient(emu.endpoint, credential, "tlsHub");
    await expect(service.sendToAll("x", { contentType: "text/plain" })).rejects.toThrow(/certificate/i);
  });

  it("serves the caller's certificate with tls: { cert, key } and refuses non-PEM values before starting", async () => {
    const pems = await generateLoopbackCertificate();
    const own = await startEmulator({ tls: pems });
    try {
      expect(own.certificate).toBe(pems.cert);
      const service = new WebPubSubServiceClient(own.connectionString, "tlsHub", { tlsOptions: { ca: pems.cert } });
      expect(await service.userExists("nobody")).toBe(false);
    } finally {
      await own.close();
    }
    await expect(startEmulator({ tls: { cert: "x", key: "y" } })).rejects.toThrow(/tls\.cert must be a PEM string/);
    await expect(startEmulator({ tls: "yes" as never })).rejects.toThrow(/tls must be/);
  });
});

describe("tls: { cert, key } that cannot be served", () => {
  // Rule: bad input fails with a TypeError naming it before anything starts: a certificate and key that do not make
  // a TLS context are refused by the option check (which the CLI runs too), not by OpenSSL inside the server.
  it("refuses a key that is not the certificate's, and PEM blocks that are not a certificate and a key", async () => {
    const [a, b] = await Promise.all([generateLoopbackCertificate(), generateLoopbackCertificate()]);
    await expect(startEmulator({ tls: { cert: a.cert, key: b.key } })).rejects.toThrow(
      new TypeError("tls.key must be the private key of tls.cert."),
    );
    await expect(startEmulator({ tls: { cert: a.key, key: a.cert } })).rejects.toThrow(
      /^tls\.cert and tls\.key must be a PEM certificate and its private key/,
    );
    await expect(startEmulator({ tls: { cert: "-----BEGIN CERTIFICATE-----\nAAAA", key: a.key } })).rejects.toThrow(
      TypeError,
    );
    // the other side: the matching pair is served
    const own = await startEmulator({ tls: a });
    await own.close();
  });
});

describe("the exported certificate helpers (apps that serve their pages with the emulator's certificate)", () => {
  const DAY = 24 * 60 * 60 * 1000;
  const now = new Date("2026-01-10T00:00:00Z");

  it("is valid from a minute before `now` for validDays (default 30), so it can be short-lived", async () => {
    const [def, week] = await Promise.all([
      generateLoopbackCertificate({ now }),
      generateLoopbackCertificate({ now, validDays: 7 }),
    ]);
    const d = new X509Certificate(def.cert);
    expect(new Date(d.validFrom).getTime()).toBe(now.getTime() - 60_000);
    expect(new Date(d.validTo).getTime()).toBe(now.getTime() + 30 * DAY);
    expect(new Date(new X509Certificate(week.cert).validTo).getTime()).toBe(now.getTime() + 7 * DAY);
    expect(d.checkPrivateKey(createPrivateKey(def.key))).toBe(true);
  });

  it("refuses a validity of 0 days or over 10 years before generating anything", async () => {
    await expect(generateLoopbackCertificate({ validDays: 0 })).rejects.toThrow(RangeError);
    await expect(generateLoopbackCertificate({ validDays: 3651 })).rejects.toThrow(/validDays/);
    await expect(generateLoopbackCertificate({ validDays: 3650 })).resolves.toMatchObject({ cert: expect.any(String) });
  });

  it("spkiHash is the base64 SHA-256 of the certificate's DER public key (Chromium's spki-list form)", () => {
    const key = new X509Certificate(emu.certificate!).publicKey.export({ type: "spki", format: "der" });
    expect(spkiHash(emu.certificate!)).toBe(createHash("sha256").update(key).digest("base64"));
    expect(spkiHash(emu.certificate!)).toMatch(/^[A-Za-z0-9+/]{43}=$/);
  });
});
