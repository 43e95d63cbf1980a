// Sanitizers rewrite recordings before anything is written, and rewrite live requests in playback the same way, so a
// sanitized recording still matches the request that produced it.

import { compileJsonPath, replaceAtJsonPath } from "./json-path.ts";
import {
  getHeader,
  isJsonContentType,
  isTextContentType,
  type JsonValue,
  type RecordEntry,
  type WebSocketFrame,
  type WebSocketSession,
} from "./recording-format.ts";

/** The placeholder written in place of secrets. */
export const SANITIZED = "Sanitized";

/** Replaces every match of `regex` in URIs, header values, text and JSON bodies and WebSocket text frames. */
export interface RegexSanitizer {
  regex: RegExp | string;
  /** Replacement, `$1`-style group references allowed. Default "Sanitized". */
  value?: string;
}
/** Replaces a header's value (request and response), or only the part matching `regex`. */
export interface HeaderSanitizer {
  header: string;
  value?: string;
  regex?: RegExp | string;
}
/** Replaces the values a JSON path selects in JSON bodies and JSON WebSocket frames. */
export interface JsonPathSanitizer {
  jsonPath: string;
  value?: string;
}
/** Replaces matches of a regex in request URIs and WebSocket URLs only. */
export interface UriSanitizer {
  uri: RegExp | string;
  value?: string;
}
/** A user sanitizer; run after the built-in ones, in the order given. */
export type Sanitizer = RegexSanitizer | HeaderSanitizer | JsonPathSanitizer | UriSanitizer;

/** A compiled sanitizer: each hook rewrites one part of an entry. */
export interface SanitizerStep {
  readonly name: string;
  uri?(uri: string): string;
  header?(name: string, value: string): string;
  text?(text: string): string;
  json?(value: JsonValue): void;
  /**
   * Rewrites a binary payload given as a "latin1" string (one character per byte). Only the built-in secret steps
   * have it, and it never changes the length, so length-prefixed encodings (protobuf, ...) stay decodable.
   */
  binary?(bytes: string): string;
}

/** Headers whose whole value is replaced by default. */
export const DEFAULT_SECRET_HEADERS: readonly string[] = [
  "authorization",
  "proxy-authorization",
  "cookie",
  "set-cookie",
  "ocp-apim-subscription-key",
  "api-key",
  "x-api-key",
  "x-functions-key",
  "x-ms-encryption-key",
  "x-ms-copy-source-authorization",
  "x-ms-file-rename-source-authorization",
  "subscription-key",
  "aeg-sas-key",
  "aeg-sas-token",
];

/**
 * Any JSON Web Token: three base64url segments, header and payload JSON objects, so each starts with `{` and then `"`
 * or JSON whitespace (`eyJ`, `eyA` for a space, `ew` for a tab, line feed or carriage return).
 */
export const JWT_PATTERN = /e[wy][A-Za-z0-9_-]*\.e[wy][A-Za-z0-9_-]*\.[A-Za-z0-9_-]*/g;

/** A fake, well-formed access key (44 base64 characters) used in place of real keys. */
export const FAKE_ACCESS_KEY = Buffer.from("fakekeyfakekeyfakekeyfakekeyfake").toString("base64");

function toGlobalRegex(regex: RegExp | string, argName: string): RegExp {
  if (typeof regex === "string") {
    if (regex === "") throw new TypeError(`${argName} must not be an empty pattern`);
    return new RegExp(regex, "g");
  }
  if (!(regex instanceof RegExp)) throw new TypeError(`${argName} must be a RegExp or a string pattern`);
  return regex.global ? new RegExp(regex.source, regex.flags) : new RegExp(regex.source, `${regex.flags}g`);
}

function replacementValue(value: unknown, argName: string): string {
  if (value === undefined) return SANITIZED;
  if (typeof value !== "string") throw new TypeError(`${argName} must be a string`);
  return value;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** The bytes of `text` (UTF-8) as a "latin1" string, one character per byte: how binary payloads are searched. */
function byteString(text: string): string {
  return Buffer.from(text, "utf8").toString("latin1");
}

/** A same-length stand-in for a secret inside binary data: "Sanitized" repeated and cut to `length` bytes. */
export function binaryMask(length: number): string {
  return SANITIZED.repeat(Math.ceil(length / SANITIZED.length)).slice(0, length);
}

/**
 * Replaces the matches of `re` in a binary payload (a "latin1" string) keeping its length: the text replacement when
 * its bytes are as long as the match, otherwise a mask of the match's length.
 */
function replaceInBinary(bytes: string, re: RegExp, replacement: (match: string) => string): string {
  return bytes.replace(re, (match) => {
    const out = byteString(replacement(match));
    return out.length === match.length ? out : binaryMask(match.length);
  });
}

/**
 * A step replacing a regex everywhere. With `binary`, matches inside binary frames are replaced too, keeping their
 * length (built-in secret steps only: a user regex never rewrites binary data).
 */
export function regexStep(name: string, regex: RegExp | string, value: string, binary = false): SanitizerStep {
  const re = toGlobalRegex(regex, `${name}.regex`);
  const apply = (s: string) => s.replace(re, value);
  const step: SanitizerStep = { name, uri: apply, header: (_n, v) => apply(v), text: apply };
  if (binary) {
    const single = new RegExp(re.source, re.flags.replace("g", ""));
    step.binary = (bytes) => replaceInBinary(bytes, re, (m) => m.replace(single, value));
  }
  return step;
}

/**
 * A step replacing literal strings everywhere (longest first, so a value never half-replaces a longer one),
 * including inside binary frames (keeping their length).
 */
export function literalStep(name: string, replacements: ReadonlyMap<string, string>): SanitizerStep {
  const keys = [...replacements.keys()].filter((k) => k !== "").sort((a, b) => b.length - a.length);
  if (keys.length === 0) return { name };
  const re = new RegExp(keys.map(escapeRegExp).join("|"), "g");
  const apply = (s: string) => s.replace(re, (m) => replacements.get(m) ?? m);
  const inBytes = new Map(keys.map((k) => [byteString(k), replacements.get(k)!]));
  const binaryRe = new RegExp([...inBytes.keys()].map(escapeRegExp).join("|"), "g");
  return {
    name,
    uri: apply,
    header: (_n, v) => apply(v),
    text: apply,
    binary: (bytes) => replaceInBinary(bytes, binaryRe, (m) => inBytes.get(m) ?? m),
  };
}

/** Compiles a user sanitizer, validating it before any I/O. */
export function compileSanitizer(sanitizer: Sanitizer, index: number): SanitizerStep {
  const argName = `sanitizers[${index}]`;
  if (typeof sanitizer !== "object" || sanitizer === null) throw new TypeError(`${argName} must be an object`);
  // A header sanitizer may carry a `regex` of its own; otherwise exactly one kind key.
  const kinds = ["regex", "header", "jsonPath", "uri"].filter(
    (k) => k in sanitizer && !(k === "regex" && "header" in sanitizer),
  );
  if (kinds.length !== 1) {
    throw new TypeError(`${argName} must have exactly one of "regex", "header", "jsonPath" or "uri"`);
  }
  const value = replacementValue(sanitizer.value, `${argName}.value`);
  if ("regex" in sanitizer && !("header" in sanitizer)) return regexStep(argName, sanitizer.regex, value);
  if ("header" in sanitizer) {
    if (typeof sanitizer.header !== "string" || sanitizer.header === "") {
      throw new TypeError(`${argName}.header must be a non-empty header name`);
    }
    const wanted = sanitizer.header.toLowerCase();
    const re = sanitizer.regex === undefined ? undefined : toGlobalRegex(sanitizer.regex, `${argName}.regex`);
    return {
      name: argName,
      header: (name, v) => (name.toLowerCase() !== wanted ? v : re ? v.replace(re, value) : value),
    };
  }
  if ("jsonPath" in sanitizer) {
    const path = compileJsonPath(sanitizer.jsonPath);
    return { name: argName, json: (root) => void replaceAtJsonPath(root, path, value) };
  }
  const re = toGlobalRegex(sanitizer.uri, `${argName}.uri`);
  return { name: argName, uri: (u) => u.replace(re, value) };
}

/** Replaces secret headers (whole value). */
export function secretHeadersStep(headers: readonly string[]): SanitizerStep {
  const set = new Set(headers.map((h) => h.toLowerCase()));
  return { name: "secret headers", header: (name, v) => (set.has(name.toLowerCase()) ? SANITIZED : v) };
}

/**
 * Replaces the key inside connection strings (`AccessKey=...`, `AccountKey=...`, `SharedAccessKey=...`), also when
 * the connection string is URL-encoded (`AccessKey%3D...%3B`, as in a form body or a query): there the key's own
 * `+`, `/` and `=` are `%2B`, `%2F` and `%3D`, and it ends at `%3B` (`;`), which also comes before the next name.
 */
export function connectionStringKeyStep(): SanitizerStep {
  return regexStep(
    "connection string keys",
    /(?:\b|(?<=%3B))(AccessKey|AccountKey|SharedAccessKey|SharedAccessSignature|PrimaryKey|SecondaryKey)(\s*=\s*|%3D)(?:[^;"'\s&%]|%(?!3B)[0-9A-F]{2})+/gi,
    `$1$2${FAKE_ACCESS_KEY}`,
    true,
  );
}

/** Replaces JWTs anywhere, and any `access_token` query value. */
export function jwtStep(): SanitizerStep {
  const jwt = regexStep("JWTs", JWT_PATTERN, SANITIZED, true);
  return {
    ...jwt,
    uri: (u) => jwt.uri!(u).replace(/([?&]access_token=)[^&#]*/gi, `$1${SANITIZED}`),
  };
}

// A shared access signature's `sig` value, after "?" or "&" (or "\u0026", how a JSON encoder may write "&" in a text
// body). The lookbehind is a fixed few characters, so scanning costs linear time whatever the text.
const SAS_SIGNATURE = /(?<=(?:[?&]|\\u0026)sig=)[^&#\s"'<>\\]+/gi;

/**
 * Replaces the signature of every shared access signature (the `sig` query value of a SAS URL or token) in URIs,
 * headers, text and JSON strings; inside binary frames it becomes a mask of its own length.
 */
export function sasSignatureStep(): SanitizerStep {
  const apply = (s: string) => s.replace(SAS_SIGNATURE, SANITIZED);
  return {
    name: "SAS signatures",
    uri: apply,
    header: (_n, v) => apply(v),
    text: apply,
    binary: (bytes) => replaceInBinary(bytes, SAS_SIGNATURE, () => SANITIZED),
  };
}

// JSON properties that hold a key or a password whatever their value looks like (a key listing such as Web PubSub's
// listKeys answers {"primaryKey": "...", "secondaryKey": "...", ...}); compared in lower case. Keys get the fake
// well-formed key, so code that signs with them still runs in playback; the others "Sanitized".
const SECRET_KEY_PROPERTIES = new Set([
  "primarykey",
  "secondarykey",
  "accesskey",
  "accountkey",
  "sharedaccesskey",
  "primarymasterkey",
  "secondarymasterkey",
  "primaryreadonlymasterkey",
  "secondaryreadonlymasterkey",
  "storageaccountaccesskey",
]);
const SECRET_PROPERTIES = new Set(["password", "adminpassword", "clientsecret", "applicationsecret"]);

function replaceSecretProperties(value: JsonValue): void {
  if (value === null || typeof value !== "object") return;
  // an array's entries are its indexes, never a secret's name: its items are searched like an object's values
  const container = value as { [key: string]: JsonValue };
  for (const [key, child] of Object.entries(container)) {
    const name = key.toLowerCase();
    const replaceable = typeof child === "string" && child !== "";
    if (replaceable && SECRET_KEY_PROPERTIES.has(name)) container[key] = FAKE_ACCESS_KEY;
    else if (replaceable && SECRET_PROPERTIES.has(name)) container[key] = SANITIZED;
    else replaceSecretProperties(child);
  }
}

/** Replaces the string values of JSON properties named as keys or passwords (`primaryKey`, `password`, ...). */
export function secretPropertiesStep(): SanitizerStep {
  return { name: "secret JSON properties", json: replaceSecretProperties };
}

// A URL's user part (RFC 3986 userinfo: user, or user:password): what follows "://" up to an "@", when every
// character between is one a user part may hold. The match starts at the literal "://" and the user part cannot hold
// "/", so scanning costs linear time whatever the text.
const URL_USERINFO = /:\/\/([A-Za-z0-9\-._~%!$&'()*+,;=:]+)@/g;

/**
 * Replaces the user part of every URL (`https://user:password@host` -> `https://Sanitized@host`) in URIs, headers,
 * text and JSON strings; inside binary frames the user part becomes a mask of its own length.
 */
export function urlCredentialsStep(): SanitizerStep {
  const apply = (s: string) => s.replace(URL_USERINFO, `://${SANITIZED}@`);
  return {
    name: "URL credentials",
    uri: apply,
    header: (_n, v) => apply(v),
    text: apply,
    binary: (bytes) => bytes.replace(URL_USERINFO, (_m, user: string) => `://${binaryMask(user.length)}@`),
  };
}

const ORIGIN = /^([a-z][a-z0-9+.-]*):\/\/[^/?#]*/i;

/**
 * Replaces host names with the fake endpoint's: the origin of every URI (http -> https, ws -> wss), and every
 * occurrence of the real hosts given (`host[:port]`, with or without a scheme) in headers and bodies.
 */
export function hostStep(fakeEndpoint: string, realHosts: Iterable<string>): SanitizerStep {
  const fake = new URL(fakeEndpoint);
  const secure = fake.protocol === "http:" || fake.protocol === "ws:" ? "" : "s";
  const fakeHost = fake.host;
  const hosts = [...new Set(realHosts)].filter((h) => h !== "" && h !== fakeHost).sort((a, b) => b.length - a.length);
  const withScheme =
    hosts.length === 0
      ? undefined
      : new RegExp(`\\b(https?|wss?)://(?:${hosts.map(escapeRegExp).join("|")})(?![A-Za-z0-9-]|\\.[A-Za-z0-9])`, "gi");
  // Bare host names only as whole tokens, so a short host such as "e" never rewrites ordinary words.
  const bare =
    hosts.length === 0
      ? undefined
      : new RegExp(`(?<![A-Za-z0-9.-])(?:${hosts.map(escapeRegExp).join("|")})(?![A-Za-z0-9-]|\\.[A-Za-z0-9])`, "gi");
  const text = (s: string) => {
    if (!withScheme || !bare) return s;
    return s
      .replace(
        withScheme,
        (_m, scheme: string) => `${scheme.toLowerCase().startsWith("ws") ? "ws" : "http"}${secure}://${fakeHost}`,
      )
      .replace(bare, fakeHost);
  };
  return {
    name: "host names",
    uri: (u) =>
      text(u).replace(
        ORIGIN,
        (_m, scheme: string) => `${scheme.toLowerCase().startsWith("ws") ? "ws" : "http"}${secure}://${fakeHost}`,
      ),
    header: (_n, v) => text(v),
    text,
  };
}

function mapJsonStrings(value: JsonValue, fn: (s: string) => string): JsonValue {
  if (typeof value === "string") return fn(value);
  if (Array.isArray(value)) return value.map((v) => mapJsonStrings(v, fn));
  if (value !== null && typeof value === "object") {
    const out: { [key: string]: JsonValue } = {};
    for (const [k, v] of Object.entries(value)) out[k] = mapJsonStrings(v, fn);
    return out;
  }
  return value;
}

function sanitizeHeaders(headers: Record<string, string>, step: SanitizerStep): Record<string, string> {
  if (!step.header) return headers;
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) out[name] = step.header(name, value);
  return out;
}

function sanitizeBody(body: JsonValue, contentType: string | undefined, step: SanitizerStep): JsonValue {
  if (body === null) return body;
  if (typeof body === "string") {
    // Base64 (binary) bodies are left alone: a regex over base64 text would corrupt them.
    if (!isTextContentType(contentType)) return body;
    let text = step.text ? step.text(body) : body;
    if (step.json && isJsonContentType(contentType)) text = sanitizeJsonText(text, step);
    return text;
  }
  const out = step.text ? mapJsonStrings(body, step.text) : structuredClone(body);
  if (step.json) step.json(out);
  return out;
}

function sanitizeJsonText(text: string, step: SanitizerStep): string {
  let parsed: JsonValue;
  try {
    parsed = JSON.parse(text) as JsonValue;
  } catch {
    return text;
  }
  if (parsed === null || typeof parsed !== "object") return text;
  const before = JSON.stringify(parsed);
  step.json!(parsed);
  const after = JSON.stringify(parsed);
  return after === before ? text : after;
}

/** Runs the steps in order over a copy of the entry. */
export function sanitizeEntry(entry: RecordEntry, steps: readonly SanitizerStep[]): RecordEntry {
  let out: RecordEntry = structuredClone(entry);
  for (const step of steps) {
    out = {
      RequestUri: step.uri ? step.uri(out.RequestUri) : out.RequestUri,
      RequestMethod: out.RequestMethod,
      RequestHeaders: sanitizeHeaders(out.RequestHeaders, step),
      RequestBody: sanitizeBody(out.RequestBody, getHeader(out.RequestHeaders, "content-type"), step),
      StatusCode: out.StatusCode,
      ResponseHeaders: sanitizeHeaders(out.ResponseHeaders, step),
      ResponseBody: sanitizeBody(out.ResponseBody, getHeader(out.ResponseHeaders, "content-type"), step),
    };
  }
  return out;
}

/** Runs the steps over a WebSocket text frame (regexes, then JSON paths when the frame is a JSON object). */
export function sanitizeFrameText(text: string, steps: readonly SanitizerStep[]): string {
  let out = text;
  for (const step of steps) {
    if (step.text) out = step.text(out);
    if (step.json) out = sanitizeJsonText(out, step);
  }
  return out;
}

/** Runs the steps over a WebSocket URL. */
export function sanitizeUri(uri: string, steps: readonly SanitizerStep[]): string {
  let out = uri;
  for (const step of steps) if (step.uri) out = step.uri(out);
  return out;
}

/**
 * Runs the built-in secret steps over a binary frame (base64 in, base64 out). Secrets are replaced in place by values
 * of the same length (a fake key as long as the real one, or a "SanitizedSanitized..." mask), so the frame keeps its
 * length and its framing; user regexes and host names never rewrite binary data.
 */
export function sanitizeFrameBinary(base64: string, steps: readonly SanitizerStep[]): string {
  const original = Buffer.from(base64, "base64").toString("latin1");
  let bytes = original;
  for (const step of steps) if (step.binary) bytes = step.binary(bytes);
  return bytes === original ? base64 : Buffer.from(bytes, "latin1").toString("base64");
}

/**
 * Runs the steps over subprotocol names. They travel in the Sec-WebSocket-Protocol header, where some services take
 * a token, so they are sanitized like text.
 */
export function sanitizeProtocols(protocols: readonly string[], steps: readonly SanitizerStep[]): string[] {
  return protocols.map((p) => sanitizeFrameText(p, steps));
}

/**
 * Sanitizes a whole WebSocket session: URL, subprotocols, text frames, close reasons, and secrets inside binary
 * frames.
 */
export function sanitizeSession(session: WebSocketSession, steps: readonly SanitizerStep[]): WebSocketSession {
  return {
    Url: sanitizeUri(session.Url, steps),
    Protocols: sanitizeProtocols(session.Protocols, steps),
    Protocol: sanitizeFrameText(session.Protocol, steps),
    Frames: session.Frames.map((f): WebSocketFrame => {
      const copy = { ...f };
      if (copy.Text !== undefined) copy.Text = sanitizeFrameText(copy.Text, steps);
      if (typeof copy.Binary === "string") copy.Binary = sanitizeFrameBinary(copy.Binary, steps);
      if (typeof copy.Reason === "string" && copy.Reason !== "") copy.Reason = sanitizeFrameText(copy.Reason, steps);
      return copy;
    }),
  };
}
