// Where the CLI writes the certificate `--tls` generated, for clients to trust (NODE_EXTRA_CA_CERTS, a browser's
// authority store): a new directory of its own under the system's temporary directory, made by mkdtemp (mode 0700,
// so no other user can have put anything in it or replace the file), and the file created there, never written
// through something already at that path. The certificate is its own authority (cA), so whoever could swap the file
// would have their authority trusted by every client pointed at it.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";

/** Writes `pem` to `<base>/webpubsub-emulator-XXXXXX/localhost-<port>.pem` in a new private directory; the path. */
export function writeCertificateFile(pem: string, port: number, base: string = tmpdir()): string {
  const dir = mkdtempSync(join(base, "webpubsub-emulator-"));
  const file = join(dir, `localhost-${port}.pem`);
  writeFileSync(file, pem, { mode: 0o644, flag: "wx" });
  return file;
}

/**
 * Removes the directory writeCertificateFile made for `file` (the certificate is new on every start, so it is of no
 * use once the CLI is gone, and each start would otherwise leave a directory behind). Never throws.
 */
export function removeCertificateFile(file: string): void {
  rmSync(dirname(file), { recursive: true, force: true });
}
