// The certificate of `pnpm start -- --tls`: one self-signed certificate for localhost, 127.0.0.1 and ::1, generated in
// memory at start-up (the `selfsigned` package; no openssl needed) and served by both the chat page and the emulator,
// so that trusting it once covers the page (https) and the WebSocket connection to the emulator (wss).
import { createHash, X509Certificate } from "node:crypto";
import { generate } from "selfsigned";

export interface PemPair {
  cert: string;
  key: string;
}

/** A fresh certificate valid for 7 days, its own trust anchor (basicConstraints CA), for the loopback names. */
export async function loopbackCertificate(now = Date.now()): Promise<PemPair> {
  const pems = await generate([{ name: "commonName", value: "localhost" }], {
    keyType: "ec",
    curve: "P-256",
    algorithm: "sha256",
    notBeforeDate: new Date(now - 60_000),
    notAfterDate: new Date(now + 7 * 24 * 60 * 60 * 1000),
    extensions: [
      { name: "basicConstraints", cA: true, critical: true },
      { name: "keyUsage", digitalSignature: true, keyCertSign: true, critical: true },
      { name: "extKeyUsage", serverAuth: true },
      {
        name: "subjectAltName",
        altNames: [
          { type: 2, value: "localhost" },
          { type: 7, ip: "127.0.0.1" },
          { type: 7, ip: "::1" },
        ],
      },
    ],
  });
  return { cert: pems.cert, key: pems.private };
}

/** The base64 SHA-256 of the certificate's public key, as Chromium's --ignore-certificate-errors-spki-list takes it. */
export function spkiHash(certPem: string): string {
  const spki = new X509Certificate(certPem).publicKey.export({ type: "spki", format: "der" });
  return createHash("sha256").update(spki).digest("base64");
}
