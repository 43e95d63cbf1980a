// A small JSONPath subset for sanitizers: $, .name, ['name'], [0], [*], .*, ..name (recursive descent).

import { shown, shownValue } from "@webpubsub/core/shown";
import type { JsonValue } from "./recording-format.ts";

type Selector = { kind: "key"; key: string } | { kind: "index"; index: number } | { kind: "wildcard" };
interface Segment {
  descendant: boolean;
  selector: Selector;
}

/** A compiled JSON path. */
export interface JsonPath {
  readonly source: string;
  readonly segments: readonly Segment[];
}

/** Compiles a JSON path; throws a TypeError naming the position of any syntax error. */
export function compileJsonPath(path: string): JsonPath {
  if (typeof path !== "string" || !path.startsWith("$")) {
    throw new TypeError(`jsonPath must be a string starting with "$" (got ${shownValue(path)})`);
  }
  const segments: Segment[] = [];
  let i = 1;
  const fail = (why: string): never => {
    throw new TypeError(`jsonPath ${shown(path)}: ${why} at position ${i}`);
  };
  while (i < path.length) {
    let descendant = false;
    if (path.startsWith("..", i)) {
      descendant = true;
      i += 2;
    } else if (path[i] === ".") {
      i += 1;
    } else if (path[i] !== "[") {
      fail('expected ".", ".." or "["');
    }
    if (path[i] === "[") {
      const end = path.indexOf("]", i);
      if (end < 0) fail('missing "]"');
      const inner = path.slice(i + 1, end).trim();
      i = end + 1;
      if (inner === "*") segments.push({ descendant, selector: { kind: "wildcard" } });
      else if (/^\d+$/.test(inner)) segments.push({ descendant, selector: { kind: "index", index: Number(inner) } });
      else if (/^'.*'$|^".*"$/.test(inner))
        segments.push({ descendant, selector: { kind: "key", key: inner.slice(1, -1) } });
      else fail(`unsupported selector ${shown(`[${inner}]`)}`);
      continue;
    }
    const match = /^[^.[\]]+/.exec(path.slice(i));
    if (!match) fail("expected a property name");
    const name = match![0];
    i += name.length;
    segments.push({ descendant, selector: name === "*" ? { kind: "wildcard" } : { kind: "key", key: name } });
  }
  return { source: path, segments };
}

type Container = JsonValue[] | { [key: string]: JsonValue };

function children(node: JsonValue): [Container, string | number][] {
  if (Array.isArray(node)) return node.map((_, index) => [node, index]);
  if (node !== null && typeof node === "object") return Object.keys(node).map((key) => [node, key]);
  return [];
}

function select(node: JsonValue, selector: Selector): [Container, string | number][] {
  if (selector.kind === "wildcard") return children(node);
  if (selector.kind === "index") {
    return Array.isArray(node) && selector.index < node.length ? [[node, selector.index]] : [];
  }
  if (node !== null && typeof node === "object" && !Array.isArray(node) && Object.hasOwn(node, selector.key)) {
    return [[node, selector.key]];
  }
  return [];
}

function descendantsAndSelf(node: JsonValue): JsonValue[] {
  const out: JsonValue[] = [node];
  for (const [parent, key] of children(node)) out.push(...descendantsAndSelf(getChild(parent, key)));
  return out;
}

function getChild(parent: Container, key: string | number): JsonValue {
  return (parent as Record<string | number, JsonValue>)[key] as JsonValue;
}

/**
 * Replaces every value `path` selects inside `root` (in place) with `replacement`; returns how many were replaced.
 * A path of just "$" cannot be replaced in place and selects nothing.
 */
export function replaceAtJsonPath(root: JsonValue, path: JsonPath, replacement: JsonValue): number {
  if (path.segments.length === 0) return 0;
  let current: [Container | null, string | number | null, JsonValue][] = [[null, null, root]];
  for (const segment of path.segments) {
    const next: [Container | null, string | number | null, JsonValue][] = [];
    for (const [, , node] of current) {
      const starts = segment.descendant ? descendantsAndSelf(node) : [node];
      for (const start of starts) {
        for (const [parent, key] of select(start, segment.selector)) next.push([parent, key, getChild(parent, key)]);
      }
    }
    current = next;
  }
  let count = 0;
  for (const [parent, key] of current) {
    if (parent === null || key === null) continue;
    (parent as Record<string | number, JsonValue>)[key] = replacement;
    count++;
  }
  return count;
}
