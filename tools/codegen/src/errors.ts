// The code generator's errors: a problem in the input spec, located by JSON pointer, and pointer helpers.
/** A problem in the input spec, located by the JSON pointer of the offending node (RFC 6901, e.g. `/paths/~1a/get`). */
export class SpecError extends Error {
  override name = "SpecError";
  readonly pointer: string;
  constructor(pointer: string, message: string) {
    super(`${pointer || "/"}: ${message}`);
    this.pointer = pointer;
  }
}

/** Appends one reference token to a JSON pointer, escaping `~` and `/`. */
export function pointerJoin(pointer: string, ...tokens: (string | number)[]): string {
  let out = pointer;
  for (const t of tokens) out += `/${String(t).replaceAll("~", "~0").replaceAll("/", "~1")}`;
  return out;
}

/** Decodes a JSON pointer into its reference tokens. */
export function pointerTokens(pointer: string): string[] {
  if (pointer === "") return [];
  if (!pointer.startsWith("/")) throw new SpecError(pointer, "a JSON pointer must start with '/'");
  return pointer
    .slice(1)
    .split("/")
    .map((t) => t.replaceAll("~1", "/").replaceAll("~0", "~"));
}
