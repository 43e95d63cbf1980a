// The nesting bound for JSON received from a peer (message data of the JSON and protobuf subprotocols, REST bodies,
// event handler replies). JSON.parse itself copes with any depth, but JSON.stringify and most code that walks a value
// recurse, so a deeply nested value would later fail with a stack overflow far from where it came in.

/** Deepest nesting of arrays and objects accepted in a JSON value (`[]` and `{}` are depth 1). */
export const MAX_JSON_DEPTH = 64;

/** Whether `value` nests arrays/objects deeper than `max`. Iterative: safe and linear for any parsed JSON value. */
export function jsonDepthExceeds(value: unknown, max: number = MAX_JSON_DEPTH): boolean {
  if (value === null || typeof value !== "object") return false;
  const stack: unknown[] = [value];
  const depths: number[] = [1];
  while (stack.length > 0) {
    const v = stack.pop() as object;
    const depth = depths.pop()!;
    if (depth > max) return true;
    const children = Array.isArray(v) ? v : Object.values(v);
    for (const child of children) {
      if (child !== null && typeof child === "object") {
        stack.push(child);
        depths.push(depth + 1);
      }
    }
  }
  return false;
}
