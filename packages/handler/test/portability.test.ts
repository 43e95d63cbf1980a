// The core entry must run outside Node: nothing reachable from src/index.ts may import node: modules or the adapters.
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const SRC = join(dirname(fileURLToPath(import.meta.url)), "..", "src");

function importsOf(file: string): string[] {
  const text = readFileSync(file, "utf8");
  return [...text.matchAll(/^\s*(?:import|export)[^'"]*?from\s+["']([^"']+)["']/gm)].map((m) => m[1]!);
}

function reachable(entry: string): { files: Set<string>; specifiers: Set<string> } {
  const files = new Set<string>();
  const specifiers = new Set<string>();
  const visit = (file: string) => {
    if (files.has(file)) return;
    files.add(file);
    for (const spec of importsOf(file)) {
      specifiers.add(spec);
      if (spec.startsWith(".")) visit(join(dirname(file), spec));
    }
  };
  visit(join(SRC, entry));
  return { files, specifiers };
}

describe("portability", () => {
  it("the core entry imports no node: module, no adapter, only @webpubsub/core", () => {
    const { files, specifiers } = reachable("index.ts");
    expect([...files].some((f) => f.endsWith("node.ts"))).toBe(false);
    const external = [...specifiers].filter((s) => !s.startsWith("."));
    expect(new Set(external)).toEqual(new Set(["@webpubsub/core"]));
    for (const file of files) expect(readFileSync(file, "utf8")).not.toMatch(/\bBuffer\.|\bprocess\./);
  });

  it("the node adapter imports node:http for types only", () => {
    const text = readFileSync(join(SRC, "node.ts"), "utf8");
    const nodeImports = [...text.matchAll(/^import.*from\s+"(node:[^"]+)"/gm)].map((m) => m[0]);
    expect(nodeImports.length).toBeGreaterThan(0);
    for (const line of nodeImports) expect(line).toMatch(/^import type /);
  });
});
