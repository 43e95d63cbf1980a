// Where the rest tests find the repository's files: our swagger document and the vendored reference fixtures
// (fixtures/reference at the repository root: real service recordings and the upstream spec facts).
import { fileURLToPath } from "node:url";

export const repoRoot = fileURLToPath(new URL("../../../../", import.meta.url));
export const swaggerPath = `${repoRoot}swagger/webpubsub.json`;
export const recordingsDir = `${repoRoot}fixtures/reference/recordings`;
export const upstreamSpecFactsPath = `${repoRoot}fixtures/reference/upstream-spec-facts.json`;
