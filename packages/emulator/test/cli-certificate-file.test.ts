// The file `--tls` writes its generated certificate to, which clients are told to trust (NODE_EXTRA_CA_CERTS).
// Rule: the trust anchor the CLI prints is in a directory no other user could have prepared or can write to, and is
// a file the CLI created: a file, a symlink or a directory someone left at the old shared path changes nothing.
import { lstatSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { removeCertificateFile, writeCertificateFile } from "../src/cli/certificate-file.ts";

const PEM = "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n";
const bases: string[] = [];
afterEach(() => {
  for (const base of bases.splice(0)) rmSync(base, { recursive: true, force: true });
});

function scratch(): string {
  const base = mkdtempSync(join(tmpdir(), "emu-cert-file-"));
  bases.push(base);
  return base;
}

describe("the certificate file of --tls", () => {
  it("is written in a new directory only its owner can enter, as a file of its own", () => {
    const base = scratch();
    const file = writeCertificateFile(PEM, 8080, base);
    expect(readFileSync(file, "utf8")).toBe(PEM);
    expect(file.endsWith("localhost-8080.pem")).toBe(true);
    expect(lstatSync(file).isFile()).toBe(true);
    if (process.platform !== "win32") expect(lstatSync(dirname(file)).mode & 0o777).toBe(0o700);
    // the other side: a second start gets a directory of its own, the first file stays as it was
    const again = writeCertificateFile(`${PEM}\n`, 8080, base);
    expect(dirname(again)).not.toBe(dirname(file));
    expect(readFileSync(file, "utf8")).toBe(PEM);
  });

  it.skipIf(process.platform === "win32")(
    "does not write through a symlink another user left at the shared path, nor into their directory",
    () => {
      const base = scratch();
      const victim = join(base, "victim.txt");
      writeFileSync(victim, "not yours");
      const shared = join(base, "webpubsub-emulator");
      mkdirSync(shared, { mode: 0o777 });
      symlinkSync(victim, join(shared, "localhost-8080.pem"));
      const file = writeCertificateFile(PEM, 8080, base);
      expect(readFileSync(victim, "utf8")).toBe("not yours");
      expect(dirname(file)).not.toBe(shared);
      expect(readFileSync(file, "utf8")).toBe(PEM);
    },
  );

  it("is removed with its directory, and only that directory", () => {
    const base = scratch();
    const first = writeCertificateFile(PEM, 8080, base);
    const second = writeCertificateFile(PEM, 8080, base);
    removeCertificateFile(first);
    expect(lstatSync(dirname(first), { throwIfNoEntry: false })).toBeUndefined();
    expect(readFileSync(second, "utf8")).toBe(PEM);
    removeCertificateFile(first); // already gone: no error
  });
});
