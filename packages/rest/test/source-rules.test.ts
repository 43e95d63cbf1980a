// Rules about this package's own source files, which review alone does not keep: one place builds RestErrors from
// responses, every file says what it holds, and file names are kebab-case.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("..", import.meta.url));
const files = (dir: string): string[] =>
  readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p) : p.endsWith(".ts") ? [p] : [];
  });
const handWritten = files(join(root, "src")).filter((f) => !f.includes("/generated/"));

describe("source rules", () => {
  it("builds RestErrors only in rest-error.ts, and response headers only there and in the HTTP client", () => {
    const offenders = handWritten
      .filter((f) => !f.endsWith("/rest-error.ts"))
      .filter((f) => {
        const text = readFileSync(f, "utf8");
        // node-http-client.ts builds the headers of the answers it receives; every other response is the client's
        return /new RestError\(/.test(text) || (!f.endsWith("/node-http-client.ts") && /createHttpHeaders/.test(text));
      });
    expect(offenders.map((f) => relative(root, f))).toEqual([]);
  });

  it("starts every source and test file with a header comment", () => {
    const missing = [...files(join(root, "src")), ...files(join(root, "test"))].filter(
      (f) => !readFileSync(f, "utf8").startsWith("//"),
    );
    expect(missing.map((f) => relative(root, f))).toEqual([]);
  });

  it("names every source and test file in kebab-case", () => {
    const names = [...files(join(root, "src")), ...files(join(root, "test"))].map((f) => relative(root, f));
    expect(names.filter((n) => !/^[a-z0-9/.-]+$/.test(n))).toEqual([]);
  });
});
