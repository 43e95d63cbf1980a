// Bounds on JSON text received from a peer (frames and json_data of the subprotocols in both directions, REST bodies,
// event handler replies), checked by a linear scan BEFORE JSON.parse. JSON.parse copes with any input, but not cheaply: a MiB of
// `[{},{},...]` or one object with 100,000 keys costs it 100-300 ms, and a value nested 500,000 levels deep ~200 ms and
// a stack overflow later in JSON.stringify or any code that walks it; 3,000,000 numbers in an array (a 6 MiB frame)
// cost it 75-130 ms. Within these bounds parsing a MiB costs a few tens of milliseconds at most.

/** Deepest nesting of arrays and objects accepted in a JSON value (`[]` and `{}` are depth 1). */
export const MAX_JSON_DEPTH = 64;
/** Most objects, arrays and object members in one JSON text. */
export const MAX_JSON_NODES = 65_536;
/**
 * Nodes a service's frame may hold beyond MAX_JSON_NODES (the bound its data was held to when a client or a REST call
 * sent it): the message object and its members, metadata, a stream's fields.
 */
export const MAX_JSON_ENVELOPE_NODES = 2048;
/** Most members of one object. */
export const MAX_JSON_OBJECT_MEMBERS = 10_000;
/**
 * Most array elements in one JSON text, scalars included (an empty array counts as one). Every element takes at least
 * two characters (`1,`), so no text under 2 MiB breaks it: twice what the service's 1 MiB messages can hold. Parsing a
 * million numbers or `true`s takes JSON.parse 30-80 ms here.
 */
export const MAX_JSON_ARRAY_ELEMENTS = 1_048_576;

/** A bound of the above that a JSON text breaks. */
export type JsonBound = "depth" | "nodes" | "members" | "elements";

/**
 * The bound of the above that `text` (expected to be JSON) breaks first, allowing `maxDepth` levels of nesting and
 * `maxNodes` objects, arrays and members (and MAX_JSON_OBJECT_MEMBERS, MAX_JSON_ARRAY_ELEMENTS), or undefined: the
 * rule itself, without building anything. Linear in the
 * length of `text` and ends at the first bound broken; strings are skipped with indexOf. Invalid JSON is not detected
 * (JSON.parse does that after); the figures are then meaningless but the scan still ends.
 */
export function jsonBoundExceeded(text: string, maxDepth: number, maxNodes: number): JsonBound | undefined {
  let nodes = 0;
  /** array elements so far: one per array opened (its first element, or itself if empty), one per comma in an array */
  let elements = 0;
  /**
   * members so far of each open object, ARRAY for an open array (a ':' in one, invalid JSON, leaves it so); its length
   * is the depth
   */
  const members: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 34 /* " */) {
      i = stringEnd(text, i) - 1;
    } else if (c === 44 /* , */) {
      if (members[members.length - 1] === ARRAY && ++elements > MAX_JSON_ARRAY_ELEMENTS) return "elements";
    } else if (c === 123 /* { */) {
      if (members.push(0) > maxDepth) return "depth";
      if (++nodes > maxNodes) return "nodes";
    } else if (c === 91 /* [ */) {
      if (members.push(ARRAY) > maxDepth) return "depth";
      if (++nodes > maxNodes) return "nodes";
      if (++elements > MAX_JSON_ARRAY_ELEMENTS) return "elements";
    } else if (c === 125 /* } */ || c === 93 /* ] */) {
      members.pop();
    } else if (c === 58 /* : */) {
      // outside any container (invalid JSON) the count is NaN, which breaks no bound
      if (++members[members.length - 1]! > MAX_JSON_OBJECT_MEMBERS) return "members";
      if (++nodes > maxNodes) return "nodes";
    }
  }
  return undefined;
}

/** What `members` holds for an open array: a count no ':' changes. */
const ARRAY = Number.NEGATIVE_INFINITY;

/** Index just after the string that starts with the quote at `start` (or the end of `text` if it never closes). */
export function stringEnd(text: string, start: number): number {
  let q = text.indexOf('"', start + 1);
  while (q !== -1) {
    // a quote ends the string unless an odd number of backslashes precede it (the quote at `start` stops the count)
    let escaped = false;
    for (let k = q - 1; text.charCodeAt(k) === 92 /* \ */; k--) escaped = !escaped;
    if (!escaped) return q + 1;
    q = text.indexOf('"', q + 1);
  }
  return text.length;
}
