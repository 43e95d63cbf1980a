// Lists the names a module exports by reading its declaration or source text: `export *` / `export type *` are
// followed, `export { a, type b as c }` lists and `export [declare] interface|class|type|const|function|enum X`
// declarations are read. (TypeScript 7 has no JavaScript compiler API to ask a checker; this covers the shapes the two
// entry points use, and the test checks that it finds a plausible number of names.)
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";

const STAR = /export\s+(?:type\s+)?\*\s+from\s+["']([^"']+)["']/g;
const LIST = /export\s+(?:type\s+)?\{([^}]*)\}/g;
const DECLARATION =
  /export\s+(?:declare\s+)?(?:abstract\s+)?(?:interface|class|type|const|let|function|enum)\s+([A-Za-z_$][\w$]*)/g;

function resolveRelative(from: string, specifier: string): string {
  const base = resolve(dirname(from), specifier);
  if (base.endsWith(".js")) return base.replace(/\.js$/, ".d.ts");
  return base;
}

export function exportedNames(file: string, seen = new Set<string>()): Set<string> {
  const names = new Set<string>();
  if (seen.has(file)) return names;
  seen.add(file);
  const text = readFileSync(file, "utf8")
    .replace(/\/\*[\s\S]*?\*\//g, "")
    .replace(/^\s*\/\/.*$/gm, "");
  for (const [, specifier] of text.matchAll(STAR)) {
    if (specifier?.startsWith(".")) {
      for (const name of exportedNames(resolveRelative(file, specifier), seen)) names.add(name);
    }
  }
  for (const [, list] of text.matchAll(LIST)) {
    for (const item of (list ?? "").split(",")) {
      const parts = item
        .trim()
        .replace(/^type\s+/, "")
        .split(/\s+as\s+/);
      const name = (parts[1] ?? parts[0])?.trim();
      if (name) names.add(name);
    }
  }
  for (const [, name] of text.matchAll(DECLARATION)) if (name) names.add(name);
  return names;
}
