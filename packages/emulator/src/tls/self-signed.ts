// The certificate startEmulator({ tls: true }) serves: generated in memory at start-up for the loopback names
// (localhost, 127.0.0.1, ::1) with the `selfsigned` package (no openssl binary needed; see
// docs/decisions/0002-emulator-tls-certificate.md). An ECDSA P-256 key, valid 30 days unless asked otherwise, usable
// as its own trust anchor. Exported, with the key's SPKI hash that Chromium takes, for apps that serve their own
// pages with the same certificate as the emulator (the chat example).
import { createHash, X509Certificate } from "node:crypto";
import { generate } from "selfsigned";

export interface PemPair {
  cert: string;
  key: string;
}

export interface LoopbackCertificateOptions {
  /** the start of its validity (less a minute for clock skew); default now */
  now?: Date;
  /** days it stays valid; default 30 */
  validDays?: number;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** A fresh self-signed certificate and key (PEM) for localhost, 127.0.0.1 and ::1, its own trust anchor. */
export async function generateLoopbackCertificate(options: LoopbackCertificateOptions = {}): Promise<PemPair> {
  const now = options.now ?? new Date();
  const validDays = options.validDays ?? 30;
  if (!(validDays > 0 && validDays <= 3650)) throw new RangeError("validDays must be more than 0 and at most 3650.");
  const pems = await generate([{ name: "commonName", value: "localhost" }], {
    keyType: "ec",
    curve: "P-256",
    algorithm: "sha256",
    notBeforeDate: new Date(now.getTime() - 60_000),
    notAfterDate: new Date(now.getTime() + validDays * DAY_MS),
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

/** The base64 SHA-256 of a certificate's public key (SPKI), as Chromium's --ignore-certificate-errors-spki-list takes it. */
export function spkiHash(certPem: string): string {
  const spki = new X509Certificate(certPem).publicKey.export({ type: "spki", format: "der" });
  return createHash("sha256").update(spki).digest("base64");
}
