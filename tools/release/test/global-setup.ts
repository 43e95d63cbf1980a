// Packs every public package once per test run (through the release tool's own pack function) and hands the
// tarballs to every test file; the scratch folder is removed at the end.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestProject } from "vitest/node";
import { packPublicPackages } from "../src/pack.ts";

declare module "vitest" {
  export interface ProvidedContext {
    /** A scratch folder outside the workspace, removed after the run. */
    releaseScratch: string;
    /** Package name -> absolute path of its tarball. */
    tarballs: Record<string, string>;
  }
}

export default async function setup(project: TestProject): Promise<() => void> {
  const scratch = mkdtempSync(join(tmpdir(), "webpubsub-release-"));
  const tarballs = await packPublicPackages(join(scratch, "tarballs"));
  project.provide("releaseScratch", scratch);
  project.provide("tarballs", Object.fromEntries(tarballs));
  return () => rmSync(scratch, { recursive: true, force: true });
}
