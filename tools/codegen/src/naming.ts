// Identifier helpers shared by the emitters.

const RESERVED = new Set(
  (
    "break case catch class const continue debugger default delete do else enum export extends false finally for " +
    "function if import in instanceof new null return super switch this throw true try typeof var void while with " +
    "as implements interface let package private protected public static yield await any boolean number string " +
    "symbol type from of"
  ).split(" "),
);

function words(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean);
}

/** `WebPubSub_SendToAll` -> `WebPubSubSendToAll`, `x-ms-foo` -> `XMsFoo`. Keeps inner capitals. */
export function pascalCase(name: string): string {
  const parts = name.split(/[^A-Za-z0-9]+/).filter(Boolean);
  let out = parts.map((p) => p[0]!.toUpperCase() + p.slice(1)).join("");
  if (/^[0-9]/.test(out)) out = `_${out}`;
  return out || "Unnamed";
}

/** `connection-id` -> `connectionId`; reserved words get a `Param` suffix. */
export function camelCase(name: string): string {
  const w = words(name);
  let out = w.map((p, i) => (i === 0 ? p[0]!.toLowerCase() + p.slice(1) : p[0]!.toUpperCase() + p.slice(1))).join("");
  if (/^[0-9]/.test(out)) out = `_${out}`;
  if (!out) out = "param";
  return RESERVED.has(out) ? `${out}Param` : out;
}

/** A property key as written in a type literal: bare when it is an identifier, quoted otherwise. */
export function propertyKey(name: string): string {
  return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(name) ? name : JSON.stringify(name);
}

/** `clientDefinitions` -> `client-definitions`, `WebPubSubClient` -> `web-pub-sub-client`: file names. */
export function kebabCase(name: string): string {
  return words(name)
    .map((w) => w.toLowerCase())
    .join("-");
}

/** A JSDoc block (or nothing) for a description; `*\/` inside the text is neutralised. Never re-wraps lines. */
export function docComment(text: string | undefined, indent = ""): string[] {
  if (!text?.trim()) return [];
  const lines = text
    .trim()
    .replaceAll("*/", "*\\/")
    .split(/\r?\n/)
    .map((l) => l.trimEnd());
  if (lines.length === 1) return [`${indent}/** ${lines[0]} */`];
  return [`${indent}/**`, ...lines.map((l) => (l ? `${indent} * ${l}` : `${indent} *`)), `${indent} */`];
}

/** A string literal type / value. */
export function literal(v: string | number | boolean | null): string {
  return typeof v === "string" ? JSON.stringify(v) : String(v);
}
