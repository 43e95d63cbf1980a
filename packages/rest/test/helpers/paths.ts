import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

/** The repository root and the read-only reference folder next to it (`../shared`). */
export const repoRoot = fileURLToPath(new URL("../../../../", import.meta.url));
export const sharedDir = fileURLToPath(new URL("../../../../../shared/", import.meta.url));
export const recordingsDir = `${sharedDir}reference/recordings`;
export const specsDir = `${sharedDir}reference/specs`;
export const hasRecordings = existsSync(recordingsDir);
export const hasSpecs = existsSync(specsDir);
export const swaggerPath = `${repoRoot}swagger/webpubsub.json`;
