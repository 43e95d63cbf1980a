// The emulator's source keeps its shape: no private copies of rules that @webpubsub/core owns, sessions that own their
// state (no Connection field written from another file), no integer protocol kinds, no import cycles, one way of
// naming errors and validators, and a header comment in every file. Source scans: each rule names the pattern it
// refuses, and each scan is shown to find what it looks for (the `finds` cases), so none can pass by matching nothing.
import { readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { sourceFiles, withoutComments } from "@webpubsub/test-kit";
import { describe, expect, it } from "vitest";

const SRC = fileURLToPath(new URL("../src", import.meta.url));

const files = sourceFiles(SRC);
const name = (file: string) => relative(SRC, file).replaceAll("\\", "/");
const text = (file: string) => readFileSync(file, "utf8");
const code = withoutComments;

/** Files (other than `except`) whose code matches `pattern`. */
function offenders(pattern: RegExp, except: string[] = []): string[] {
  return files.filter((f) => !except.includes(name(f)) && pattern.test(code(text(f)))).map(name);
}

it("finds the sources", () => {
  expect(files.map(name)).toEqual(expect.arrayContaining(["connection.ts", "ws/handshake.ts", "protocols/index.ts"]));
});

describe("no private copies of core logic", () => {
  const rules: [string, RegExp, string[], string][] = [
    [
      "signs and verifies JWTs only through core (no HMAC of its own)",
      /createHmac|timingSafeEqual\s*\}\s*from\s*"node:crypto"/,
      [],
      'import { createHmac } from "node:crypto";',
    ],
    [
      "checks group names only with core's isValidGroupName (no length-and-blank test of its own)",
      /(1024|MAX_GROUP_NAME_LENGTH)[^\n]*\.trim\(\)|function isValidGroupName/,
      [],
      'return g.length >= 1 && g.length <= 1024 && g.trim() !== "";',
    ],
    [
      "parses media types only with core's mediaType / isJsonMediaType",
      /split\(\s*["'];["']\s*\)\s*\[0\]|endsWith\(\s*["']\+json["']\s*\)/,
      [],
      'const mime = (contentType ?? "").split(";")[0]!.trim();',
    ],
    [
      "reads bodies only with core's readLimited (no chunk loop of its own)",
      /\.getReader\(\)|for\s+await\s*\(/,
      [],
      "for await (const chunk of req) size += chunk.length;",
    ],
    [
      "takes the timer limit from core (no 2^31 - 1 literal)",
      /2_?147_?483_?647|MAX_TIMER_MS\s*=/,
      [],
      "const MAX_TIMER_MS = 2_147_483_647;",
    ],
    [
      "lists the system events once (upstream/system-events.ts)",
      /["']connect["']\s*[,|]\s*["']connected["']|===\s*["']connect["']\s*\|\|/,
      ["upstream/system-events.ts"],
      'export type SystemEventName = "connect" | "connected" | "disconnected";',
    ],
    [
      "decodes client frames only through core's codecs (no JSON.parse where frames are read)",
      /JSON\.parse/,
      // encoders and the upstream/REST readers parse JSON that is not a client frame
      files.map(name).filter((f) => !f.startsWith("ws/") && !/^protocols\/(?!.*-encoding\.ts$)/.test(f)),
      "const m = JSON.parse(data.toString());",
    ],
  ];

  it.each(rules)("%s", (_rule, pattern, except) => {
    expect(offenders(pattern, except)).toEqual([]);
  });

  it.each(rules)("finds what it looks for: %s", (_rule, pattern, _except, sample) => {
    expect(pattern.test(code(sample))).toBe(true);
  });

  it("decodes with core's codecs in the protocol files", () => {
    expect(text(join(SRC, "protocols", "json.ts"))).toMatch(/jsonCodec\.decodeUpstream/);
    expect(text(join(SRC, "protocols", "protobuf.ts"))).toMatch(/protobufCodec\.decodeUpstream/);
  });
});

describe("sessions own their state", () => {
  /** Property declarations of class Connection that are neither `readonly` nor `#private`. */
  function writableFields(source: string): string[] {
    const body = source.slice(source.indexOf("export class Connection"));
    const decls = [
      ...code(body).matchAll(/^ {2}(?!readonly\b|#|get\b|set\b|static\b|constructor\b)(\w+)\s*[?!]?\s*[:=]/gm),
    ];
    return decls.map((m) => m[1]!).filter((n) => !/^\w+\(/.test(n));
  }

  it("Connection has no writable public field, so TypeScript refuses writes from other files", () => {
    expect(writableFields(text(join(SRC, "connection.ts")))).toEqual([]);
  });

  it("finds a writable field", () => {
    expect(writableFields("export class Connection {\n  readonly id: string;\n  socket: X | null = null;\n}")).toEqual([
      "socket",
    ]);
  });

  /** Assignments to a property of a variable that holds a connection in this code base. */
  const WRITE = /\b(conn|c|connection|sender|member)\.\w+\s*(=(?![=>])|\+=|-=|\+\+|--|\?\?=)/;

  it("no other file assigns to a connection's properties", () => {
    expect(offenders(WRITE, ["connection.ts"])).toEqual([]);
    expect(WRITE.test("conn.alive = true;")).toBe(true);
    expect(WRITE.test("conn.queuedFrames++;")).toBe(true);
    expect(WRITE.test("conn.groups ??= new Set();")).toBe(true);
    expect(WRITE.test("if (conn.busy === p) return;")).toBe(false);
  });

  it("no integer protocol kinds: protocols are objects keyed by subprotocol name", () => {
    expect(offenders(/\bKIND_[A-Z_]+\b|ClientKind/)).toEqual([]);
  });
});

describe("module structure", () => {
  /** Relative imports of a file (type-only ones too), resolved to source files. */
  function importsOf(file: string): string[] {
    const out: string[] = [];
    for (const m of code(text(file)).matchAll(/^\s*(?:import|export)\b[^;]*?\bfrom\s+["'](\.[^"']+)["']/gm)) {
      out.push(resolve(dirname(file), m[1]!));
    }
    return out;
  }

  /** Every import cycle among `nodes` (each reported once, from its smallest file name). */
  function cycles(graph: Map<string, string[]>): string[][] {
    const found: string[][] = [];
    const seen = new Set<string>();
    for (const start of [...graph.keys()].sort()) {
      const path: string[] = [];
      const visit = (n: string) => {
        if (path.includes(n)) {
          const cycle = path.slice(path.indexOf(n));
          const key = [...cycle].sort().join(" ");
          if (!seen.has(key) && cycle[0] === [...cycle].sort()[0]) {
            seen.add(key);
            found.push(cycle);
          }
          return;
        }
        if (path.length > 40) return;
        path.push(n);
        for (const next of graph.get(n) ?? []) visit(next);
        path.pop();
      };
      visit(start);
    }
    return found;
  }

  it("has no import cycles, type-only imports included", () => {
    const graph = new Map(files.map((f) => [f, importsOf(f).filter((i) => files.includes(i))]));
    expect(cycles(graph).map((c) => c.map(name).join(" -> "))).toEqual([]);
  });

  it("finds a cycle", () => {
    const graph = new Map([
      ["a", ["b"]],
      ["b", ["c"]],
      ["c", ["a"]],
      ["d", ["a"]],
    ]);
    expect(cycles(graph)).toEqual([["a", "b", "c"]]);
  });

  it("every source file starts with a header comment", () => {
    const missing = files.filter((f) => !/^(#!.*\n)?\/\/ \S/.test(text(f))).map(name);
    expect(missing).toEqual([]);
  });

  it("error classes name themselves with a class field (override name = ...), not in the constructor", () => {
    expect(offenders(/this\.name\s*=\s*["'`]/)).toEqual([]);
    const errorClasses = files.flatMap((f) =>
      [...text(f).matchAll(/class (\w+) extends (?:\w*Error)\b[^{]*\{\s*(?:\/\*\*[\s\S]*?\*\/\s*)?([^\n]*)/g)].map(
        (m) => ({
          file: name(f),
          cls: m[1]!,
          first: m[2]!,
        }),
      ),
    );
    expect(errorClasses.length).toBeGreaterThan(3);
    for (const { file, cls, first } of errorClasses) {
      expect(`${file}: ${first}`).toBe(`${file}: override name = "${cls}";`);
    }
  });

  it("validators are check* functions (no validate*)", () => {
    expect(offenders(/export function validate\w*/)).toEqual([]);
  });
});
