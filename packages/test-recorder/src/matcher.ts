// Request matching: method, URI (path exact after decoding, query as an order-insensitive multiset minus ignored keys),
// body (JSON structurally, otherwise as text) and selected headers.

import { shownPart } from "./errors.ts";
import { getHeader, type JsonValue, type RecordEntry } from "./recording-format.ts";

/** How requests are matched against recorded entries. */
export interface MatcherOptions {
  /** Query keys left out of the comparison (case-insensitive), e.g. ["api-version"]. Default none. */
  ignoredQueryParameters?: string[];
  /** Compare bodies. Default true. */
  compareBodies?: boolean;
  /** Header names whose values must be equal (case-insensitive names). Default none. */
  headers?: string[];
}

/** The request-side fields of an entry. */
export type RequestPart = Pick<RecordEntry, "RequestUri" | "RequestMethod" | "RequestHeaders" | "RequestBody">;

interface ParsedUri {
  base: string;
  query: [string, string][];
}

/**
 * One path segment, decoded, with a "/" or "%" it held escaped again, so "a%2Fb" (one segment) never equals "a/b"
 * (two), nor "a%252Fb" (the text "%2F") "a%2Fb". A malformed escape is kept as written.
 */
function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment).replace(/%/g, "%25").replace(/\//g, "%2F");
  } catch {
    return segment;
  }
}

function parseUri(uri: string): ParsedUri {
  const hashless = uri.split("#")[0]!;
  const q = hashless.indexOf("?");
  const rawBase = q < 0 ? hashless : hashless.slice(0, q);
  const origin = /^[a-z][a-z0-9+.-]*:\/\/[^/]*/i.exec(rawBase)?.[0] ?? "";
  const path = rawBase.slice(origin.length) || "/";
  const base = origin.toLowerCase() + path.split("/").map(decodeSegment).join("/");
  const query = q < 0 ? [] : [...new URLSearchParams(hashless.slice(q + 1)).entries()];
  return { base, query };
}

type ComparableBody = { kind: "none" } | { kind: "json"; value: unknown } | { kind: "text"; value: string };

function comparableBody(body: JsonValue): ComparableBody {
  if (body === null || body === "") return { kind: "none" };
  if (typeof body !== "string") return { kind: "json", value: body };
  const trimmed = body.trim();
  if (trimmed.startsWith("{") || trimmed.startsWith("[")) {
    try {
      return { kind: "json", value: JSON.parse(trimmed) };
    } catch {
      // plain text
    }
  }
  return { kind: "text", value: body };
}

/** Structural equality of JSON values: object key order ignored, array order significant. */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== "object") return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    return a.length === bb.length && a.every((v, i) => jsonEqual(v, bb[i]));
  }
  const ao = a as Record<string, unknown>;
  const bo = b as Record<string, unknown>;
  const ak = Object.keys(ao);
  if (ak.length !== Object.keys(bo).length) return false;
  return ak.every((k) => Object.hasOwn(bo, k) && jsonEqual(ao[k], bo[k]));
}

function jsonDiff(a: unknown, b: unknown, path: string, out: string[]): void {
  if (out.length >= 5 || jsonEqual(a, b)) return;
  const bothObjects = a !== null && b !== null && typeof a === "object" && typeof b === "object";
  if (bothObjects && !Array.isArray(a) && !Array.isArray(b)) {
    const ao = a as Record<string, unknown>;
    const bo = b as Record<string, unknown>;
    for (const k of new Set([...Object.keys(ao), ...Object.keys(bo)])) {
      if (!Object.hasOwn(bo, k)) out.push(`${path}.${k}: only in the request (${short(ao[k])})`);
      else if (!Object.hasOwn(ao, k)) out.push(`${path}.${k}: only in the recording (${short(bo[k])})`);
      else jsonDiff(ao[k], bo[k], `${path}.${k}`, out);
    }
    return;
  }
  if (Array.isArray(a) && Array.isArray(b) && a.length === b.length) {
    for (let i = 0; i < a.length; i++) jsonDiff(a[i], b[i], `${path}[${i}]`, out);
    return;
  }
  out.push(`${path}: request ${short(a)}, recorded ${short(b)}`);
}

function short(value: unknown, max = 120): string {
  const text = typeof value === "string" ? JSON.stringify(value) : (JSON.stringify(value) ?? String(value));
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

function multiset(pairs: [string, string][], ignored: Set<string>): Map<string, string[]> {
  const map = new Map<string, string[]>();
  for (const [k, v] of pairs) {
    if (ignored.has(k.toLowerCase())) continue;
    map.set(k, [...(map.get(k) ?? []), v].sort());
  }
  return map;
}

/** One difference between a request and an entry; `weight` ranks how far apart they are. */
interface Difference {
  text: string;
  weight: number;
}

function differences(request: RequestPart, entry: RequestPart, options: MatcherOptions): Difference[] {
  const diffs: Difference[] = [];
  const add = (text: string, weight: number) => diffs.push({ text, weight });
  if (request.RequestMethod.toUpperCase() !== entry.RequestMethod.toUpperCase()) {
    add(`method: request ${shownPart(request.RequestMethod)}, recorded ${shownPart(entry.RequestMethod)}`, 100);
  }
  const ru = parseUri(request.RequestUri);
  const eu = parseUri(entry.RequestUri);
  if (ru.base !== eu.base) add(`path: request ${shownPart(ru.base)}, recorded ${shownPart(eu.base)}`, 50);
  const ignored = new Set(options.ignoredQueryParameters?.map((k) => k.toLowerCase()));
  const rq = multiset(ru.query, ignored);
  const eq = multiset(eu.query, ignored);
  const list = (values: string[]) => shownPart(values.map((v) => JSON.stringify(v)).join(", "));
  for (const key of new Set([...rq.keys(), ...eq.keys()])) {
    const a = rq.get(key);
    const b = eq.get(key);
    const name = shownPart(key);
    if (!b) add(`query "${name}": only in the request (${list(a!)})`, 5);
    else if (!a) add(`query "${name}": only in the recording (${list(b)})`, 5);
    else if (a.length !== b.length || a.some((v, i) => v !== b[i]))
      add(`query "${name}": request ${list(a)}, recorded ${list(b)}`, 5);
  }
  if (options.headers) {
    for (const name of options.headers) {
      const a = getHeader(request.RequestHeaders, name);
      const b = getHeader(entry.RequestHeaders, name);
      if (a?.trim() !== b?.trim())
        add(`header "${shownPart(name)}": request ${short(a ?? null)}, recorded ${short(b ?? null)}`, 3);
    }
  }
  if (options.compareBodies !== false) {
    const a = comparableBody(request.RequestBody);
    const b = comparableBody(entry.RequestBody);
    if (a.kind === "json" && b.kind === "json") {
      const lines: string[] = [];
      jsonDiff(a.value, b.value, "body", lines);
      for (const line of lines) add(line, 1);
    } else if (a.kind !== b.kind || (a.kind === "text" && a.value !== (b as { value: string }).value)) {
      const show = (c: ComparableBody) => (c.kind === "none" ? "(empty)" : short(c.value));
      add(`body: request ${show(a)}, recorded ${show(b)}`, a.kind === b.kind ? 2 : 10);
    }
  }
  return diffs;
}

/**
 * The differences between a request and a recorded entry, as human-readable lines; empty when they match.
 * Both sides are expected to be sanitized already.
 */
export function diffRequest(request: RequestPart, entry: RequestPart, options: MatcherOptions = {}): string[] {
  return differences(request, entry, options).map((d) => d.text);
}

/** Outcome of looking a request up in a recording. */
export type MatchResult =
  | { matched: true; index: number }
  | { matched: false; closest?: { index: number; used: boolean; diffs: string[] } };

/**
 * Finds the first unused entry matching the request (an in-order cursor over unused entries, so repeated identical
 * requests get their own responses in recorded order). Without a match, reports the closest entry: smallest
 * weighted difference (method > path > query > headers > body), unused entries first, then earliest.
 */
export function findMatch(
  request: RequestPart,
  entries: readonly RequestPart[],
  used: ReadonlySet<number>,
  options: MatcherOptions = {},
): MatchResult {
  let best: { index: number; used: boolean; diffs: string[]; score: number } | undefined;
  for (let index = 0; index < entries.length; index++) {
    const found = differences(request, entries[index]!, options);
    const isUsed = used.has(index);
    if (found.length === 0 && !isUsed) return { matched: true, index };
    const score = found.reduce((sum, d) => sum + d.weight, 0);
    if (!best || score < best.score || (score === best.score && best.used && !isUsed)) {
      best = { index, used: isUsed, diffs: found.map((d) => d.text), score };
    }
  }
  if (best) return { matched: false, closest: { index: best.index, used: best.used, diffs: best.diffs } };
  return { matched: false };
}
