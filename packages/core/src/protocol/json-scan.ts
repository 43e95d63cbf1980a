// What a JSON text from a peer breaks of the bounds in json-bounds.ts, said in words for an error message, and what
// can be read of it without parsing (top-level members): what a receiver tells about a text it refuses. Apart from
// json-bounds.ts, whose rule a client checks on every frame, so that a client's bundle loads this only with the
// features that read refused frames (invokeEvent).
import {
  type JsonBound,
  jsonBoundExceeded,
  MAX_JSON_ARRAY_ELEMENTS,
  MAX_JSON_DEPTH,
  MAX_JSON_NODES,
  MAX_JSON_OBJECT_MEMBERS,
  stringEnd,
} from "./json-bounds.ts";

export interface JsonScan {
  /** which bound the text breaks, if any */
  exceeded: JsonBound | undefined;
  /** what `exceeded` means, for an error message ("nested more than 64 levels deep", ...) */
  problem: string | undefined;
  /** raw text of the top-level object's scalar members named in `want` (the last one of each name) */
  top: Map<string, string>;
}

/**
 * Scans `text` for the bounds above (jsonBoundExceeded) and says which one it breaks and how, for an error message;
 * also reads the raw top-level members named in `want` (see topMembers).
 */
export function scanJsonText(
  text: string,
  maxDepth: number = MAX_JSON_DEPTH,
  want: readonly string[] = [],
  maxNodes: number = MAX_JSON_NODES,
): JsonScan {
  const exceeded = jsonBoundExceeded(text, maxDepth, maxNodes);
  const problem =
    exceeded === "depth"
      ? `nested more than ${maxDepth} levels deep`
      : exceeded === "nodes"
        ? `made of more than ${maxNodes} objects, arrays and members`
        : exceeded === "members"
          ? `holding an object with more than ${MAX_JSON_OBJECT_MEMBERS} members`
          : exceeded === "elements"
            ? `holding more than ${MAX_JSON_ARRAY_ELEMENTS} array elements`
            : undefined;
  return { exceeded, problem, top: want.length > 0 ? topMembers(text, want) : new Map() };
}

/**
 * The raw text of the top-level object's scalar members of `text` named in `want` (the last one of each name), read
 * without parsing: what a refused message still tells about itself (its type, its ackId). Linear in the length of
 * `text`, whatever it holds.
 */
export function topMembers(text: string, want: readonly string[]): Map<string, string> {
  const top = new Map<string, string>();
  let depth = 0;
  /** the last string (a member's name when a ':' at depth 1 follows) */
  let keyStart = 0;
  let keyEnd = 0;
  /** a wanted top-level member whose value starts at `pendingStart`; only ever set at depth 1 (see capture) */
  let pendingName: string | undefined;
  let pendingStart = 0;
  const n = text.length;
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 34 /* " */) {
      const end = stringEnd(text, i);
      keyStart = i + 1;
      keyEnd = end - 1;
      i = end;
      continue;
    }
    if (c === 123 /* { */ || c === 91 /* [ */) {
      pendingName = undefined; // a container value is never captured
      depth++;
    } else if (c === 125 /* } */ || c === 93 /* ] */) {
      capture(i);
      depth--;
    } else if (c === 58 /* : */) {
      if (depth === 1) {
        const name = text.slice(keyStart, keyEnd);
        if (want.includes(name)) {
          pendingName = name;
          pendingStart = i + 1;
        }
      }
    } else if (c === 44 /* , */) {
      capture(i);
    }
    i++;
  }
  return top;

  /**
   * Ends the pending member's value at `end`. A pending member exists only at depth 1: it is set there, and the next
   * bracket or comma at that depth ends it (so deeper brackets and commas find none).
   */
  function capture(end: number): void {
    if (pendingName !== undefined) top.set(pendingName, text.slice(pendingStart, end).trim());
    pendingName = undefined;
  }
}
