// Bounds on JSON text received from a peer (frames and json_data of the subprotocols, REST bodies, event handler
// replies), checked by a linear scan BEFORE JSON.parse. JSON.parse copes with any input, but not cheaply: a MiB of
// `[{},{},...]` or one object with 100,000 keys costs it 100-300 ms, and a value nested 500,000 levels deep ~200 ms and
// a stack overflow later in JSON.stringify or any code that walks it. Within these bounds parsing a MiB costs a few
// tens of milliseconds at most.

/** Deepest nesting of arrays and objects accepted in a JSON value (`[]` and `{}` are depth 1). */
export const MAX_JSON_DEPTH = 64;
/** Most objects, arrays and object members in one JSON text. */
export const MAX_JSON_NODES = 65_536;
/** Most members of one object. */
export const MAX_JSON_OBJECT_MEMBERS = 10_000;

export interface JsonScan {
  /** which bound the text breaks, if any */
  exceeded: "depth" | "nodes" | "members" | undefined;
  /** what `exceeded` means, for an error message ("nested more than 64 levels deep", ...) */
  problem: string | undefined;
  /** raw text of the top-level object's scalar members named in `want` (the last one of each name) */
  top: Map<string, string>;
}

/**
 * Scans `text` (expected to be JSON) for the bounds above, allowing `maxDepth` levels of nesting and `maxNodes`
 * objects, arrays and members, without building anything. Linear in the length of `text`; strings are skipped with
 * indexOf. Invalid JSON is not detected (JSON.parse does that after); the figures are then meaningless but the scan
 * still ends.
 */
export function scanJsonText(
  text: string,
  maxDepth: number = MAX_JSON_DEPTH,
  want: readonly string[] = [],
  maxNodes: number = MAX_JSON_NODES,
): JsonScan {
  const top = new Map<string, string>();
  let exceeded: JsonScan["exceeded"];
  let depth = 0;
  let nodes = 0;
  /** members so far of each open container up to maxDepth + 1 (arrays never see a ':' outside strings) */
  const members: number[] = [];
  /** the last string at depth 1 (a key when a ':' follows) */
  let keyStart = -1;
  let keyEnd = -1;
  /** a wanted top-level member whose value starts at `pendingStart` */
  let pendingName: string | undefined;
  let pendingStart = -1;
  const n = text.length;
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 34 /* " */) {
      const end = stringEnd(text, i);
      if (depth === 1) {
        keyStart = i + 1;
        keyEnd = end - 1;
      }
      i = end;
      continue;
    }
    if (c === 123 /* { */ || c === 91 /* [ */) {
      if (depth === 1) pendingName = undefined; // a container value is never captured
      depth++;
      nodes++;
      if (depth <= maxDepth + 1) members.push(0);
      if (exceeded === undefined) {
        if (depth > maxDepth) exceeded = "depth";
        else if (nodes > maxNodes) exceeded = "nodes";
      }
    } else if (c === 125 /* } */ || c === 93 /* ] */) {
      if (depth === 1) capture(i);
      if (depth <= maxDepth + 1) members.pop();
      depth--;
    } else if (c === 58 /* : */) {
      nodes++;
      const count = depth >= 1 && depth <= maxDepth + 1 ? ++members[depth - 1]! : 0;
      if (exceeded === undefined) {
        if (count > MAX_JSON_OBJECT_MEMBERS) exceeded = "members";
        else if (nodes > maxNodes) exceeded = "nodes";
      }
      if (depth === 1 && want.length > 0 && keyEnd >= keyStart) {
        const name = text.slice(keyStart, keyEnd);
        if (want.includes(name)) {
          pendingName = name;
          pendingStart = i + 1;
        }
      }
    } else if (c === 44 /* , */ && depth === 1) {
      capture(i);
    }
    i++;
  }
  const problem =
    exceeded === "depth"
      ? `nested more than ${maxDepth} levels deep`
      : exceeded === "nodes"
        ? `made of more than ${maxNodes} objects, arrays and members`
        : exceeded === "members"
          ? `holding an object with more than ${MAX_JSON_OBJECT_MEMBERS} members`
          : undefined;
  return { exceeded, problem, top };

  function capture(end: number): void {
    if (pendingName !== undefined) top.set(pendingName, text.slice(pendingStart, end).trim());
    pendingName = undefined;
  }
}

/** Index just after the string that starts with the quote at `start` (or the end of `text` if it never closes). */
function stringEnd(text: string, start: number): number {
  let q = text.indexOf('"', start + 1);
  while (q >= 0) {
    let backslashes = 0;
    for (let k = q - 1; k > start && text.charCodeAt(k) === 92; k--) backslashes++;
    if (backslashes % 2 === 0) return q + 1;
    q = text.indexOf('"', q + 1);
  }
  return text.length;
}
