// Every public package's package.json points to its source: repository (with its folder), homepage and bugs.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("../../..", import.meta.url));
const packages = readdirSync(join(ROOT, "packages"))
  .filter((d) => existsSync(join(ROOT, "packages", d, "package.json")))
  .map((d) => [d, JSON.parse(readFileSync(join(ROOT, "packages", d, "package.json"), "utf8"))] as const);

it("finds the packages", () => {
  expect(packages.map(([d]) => d)).toEqual(expect.arrayContaining(["core", "client"]));
});

it.each(packages)("packages/%s names its repository folder, homepage and bugs", (dir, pkg) => {
  expect(pkg.repository).toEqual({
    type: "git",
    url: "git+https://github.com/webpubsub-sdk/webpubsub-sdk.git",
    directory: `packages/${dir}`,
  });
  expect(pkg.homepage).toBe(`https://github.com/webpubsub-sdk/webpubsub-sdk/tree/main/packages/${dir}#readme`);
  expect(pkg.bugs).toEqual({ url: "https://github.com/webpubsub-sdk/webpubsub-sdk/issues" });
});
