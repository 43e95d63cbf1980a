// The certificate startEmulator({ tls: true }) serves: generated in memory at start-up for the loopback names
// (localhost, 127.0.0.1, ::1) with the `selfsigned` package (no openssl binary needed; see
// docs/decisions/0002-emulator-tls-certificate.md). Valid 30 days, an ECDSA P-256 key, usable as its own trust anchor.
import { generate } from "selfsigned";

export interface PemPair {
  cert: string;
  key: string;
}

export async function generateLoopbackCertificate(now = new Date()): Promise<PemPair> {
  const notAfter = new Date(now.getTime() + 30 * 24 * 60 * 60 * 1000);
  const pems = await generate([{ name: "commonName", value: "localhost" }], {
    keyType: "ec",
    curve: "P-256",
    algorithm: "sha256",
    notBeforeDate: new Date(now.getTime() - 60_000),
    notAfterDate: notAfter,
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
