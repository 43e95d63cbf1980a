// Where a test's recording lives, derived from its vitest file, suites and test name.
import { createHash } from "node:crypto";
import { basename, dirname, join } from "node:path";

/** The parts of a vitest `TestContext` the recorder reads (structural, so vitest is not a dependency). */
export interface TestContextLike {
  task: TaskLike;
}

/** A vitest task: a test, a suite or a file. */
export interface TaskLike {
  name: string;
  suite?: TaskLike | undefined;
  file?: { filepath?: string | undefined; name?: string } | undefined;
  filepath?: string | undefined;
}

/** Where a test lives: its file and its name chain (outermost describe first, test name last). */
export interface TestIdentity {
  testFile: string;
  titlePath: string[];
}

/** Reads the test file and the describe/test title chain from a vitest context. */
export function identityFromContext(ctx: TestContextLike): TestIdentity {
  // vitest hands out its context as a function object in recent versions, an object in older ones.
  if (
    (typeof ctx !== "object" && typeof ctx !== "function") ||
    ctx === null ||
    typeof ctx.task !== "object" ||
    ctx.task === null
  ) {
    throw new TypeError("ctx must be a vitest test context (an object with a `task`)");
  }
  const task = ctx.task;
  if (typeof task.name !== "string" || task.name === "")
    throw new TypeError("ctx.task.name must be a non-empty string");
  const testFile = task.file?.filepath;
  if (typeof testFile !== "string" || testFile === "") {
    throw new TypeError("ctx.task.file.filepath must be set; pass `recordingPath` when not running under vitest");
  }
  const titlePath = [task.name];
  for (let suite = task.suite; suite; suite = suite.suite) {
    // The file itself is the root suite; it is already represented by testFile.
    if (suite.filepath !== undefined || suite.name === "") break;
    titlePath.unshift(suite.name);
  }
  return { testFile, titlePath };
}

/** Lowercase ASCII slug, `_` between words, at most `max` characters, never empty. */
export function slugify(text: string, max = 60): string {
  const slug = text
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "_")
    .replace(/^_+|_+$/g, "")
    .slice(0, max)
    .replace(/_+$/g, "");
  return slug === "" ? "test" : slug;
}

/** The test file name without directory and without `.test.ts` / `.spec.mjs` style suffixes. */
export function testFileBase(testFile: string): string {
  return basename(testFile).replace(/(\.(test|spec))?\.[cm]?[jt]sx?$/i, "");
}

/**
 * The recording path for a test: `<recordingsDir>/<file>/<describe slugs...>/<test slug>.<hash>.json`, where
 * `recordingsDir` defaults to `recordings/` next to the test file. Slugs are lowercase ASCII, so the path is safe on
 * every filesystem; the hash covers the exact file name and title chain, so two tests whose slugs coincide
 * (different punctuation or casing, or long names cut short) still get different files. Stable across runs.
 */
export function recordingPathFor(identity: TestIdentity, recordingsDir?: string): string {
  if (typeof identity.testFile !== "string" || identity.testFile === "") {
    throw new TypeError("testFile must be a non-empty string");
  }
  if (!Array.isArray(identity.titlePath) || identity.titlePath.length === 0) {
    throw new TypeError("titlePath must hold at least the test name");
  }
  const fileBase = testFileBase(identity.testFile);
  const hash = createHash("sha256")
    .update([basename(identity.testFile), ...identity.titlePath].join("\u0000"))
    .digest("hex")
    .slice(0, 10);
  const suites = identity.titlePath.slice(0, -1).map((s) => slugify(s));
  const testName = identity.titlePath[identity.titlePath.length - 1]!;
  const dir = recordingsDir ?? join(dirname(identity.testFile), "recordings");
  return join(dir, slugify(fileBase), ...suites, `${slugify(testName)}.${hash}.json`);
}
