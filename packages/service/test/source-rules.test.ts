// Rules about this package's source files, which review alone does not keep: the REST client keeps its generated
// route types (no double cast), rules shared with @webpubsub/rest and @webpubsub/async are used from there rather than
// copied, every file says what it holds, file names are kebab-case, and the operation table names each operation once.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { OPERATIONS } from "../src/operation-table.ts";

const root = fileURLToPath(new URL("..", import.meta.url));
const files = (dir: string): string[] =>
  readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p) : p.endsWith(".ts") ? [p] : [];
  });
const sources = files(join(root, "src"));
const matching = (pattern: RegExp, within = sources) =>
  within.filter((f) => pattern.test(readFileSync(f, "utf8"))).map((f) => relative(root, f));

describe("source rules", () => {
  it("keeps the REST client's generated types: no `as unknown as` anywhere in src", () => {
    expect(matching(/as unknown as/)).toEqual([]);
  });

  it("builds RestErrors through @webpubsub/rest (responseError, toRestError), not by hand", () => {
    expect(matching(/new RestError\(|createHttpHeaders/)).toEqual([]);
  });

  it("takes the timer limit from @webpubsub/async instead of a copy of 2^31 - 1", () => {
    // the one other 2^31 - 1 is not a timer: the int32 bound of the service's minutesToExpire, defined once
    const int32Bound = /^export const MAX_TOKEN_MINUTES = 2 \*\* 31 - 1;$/m;
    const copies = sources.filter((f) =>
      /2_?147_?483_?647|0x7fffffff|2 \*\* 31/i.test(readFileSync(f, "utf8").replace(int32Bound, "")),
    );
    expect(copies.map((f) => relative(root, f))).toEqual([]);
    expect(matching(int32Bound)).toEqual(["src/validation.ts"]);
  });

  it("starts every source and test file with a header comment", () => {
    const all = [...sources, ...files(join(root, "test"))];
    expect(all.filter((f) => !readFileSync(f, "utf8").startsWith("//")).map((f) => relative(root, f))).toEqual([]);
  });

  it("names every source and test file in kebab-case", () => {
    const names = [...sources, ...files(join(root, "test"))].map((f) => relative(root, f));
    expect(names.filter((n) => !/^[a-z0-9/.-]+$/.test(n))).toEqual([]);
  });

  it("names each operation of the table by its key, once", () => {
    const entries = Object.entries(OPERATIONS);
    expect(entries.filter(([key, op]) => key !== op.name).map(([key]) => key)).toEqual([]);
    const routes = entries.map(([, op]) => `${op.method.toUpperCase()} ${op.path}`);
    expect(new Set(routes).size).toBe(routes.length);
  });
});
