// The test-proxy JSON recording format ({"Entries": [...], "Variables": {...}}) plus our optional
// "WebSocketSessions" key, which test-proxy ignores. Bodies follow test-proxy's conventions: JSON bodies are stored as
// JSON values, text bodies as strings, anything else as a base64 string, and an empty body as null.

/** Any JSON value a recording can hold as a body. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** One recorded HTTP exchange, field names as the Azure test-proxy writes them. */
export interface RecordEntry {
  RequestUri: string;
  RequestMethod: string;
  RequestHeaders: Record<string, string>;
  RequestBody: JsonValue;
  StatusCode: number;
  ResponseHeaders: Record<string, string>;
  ResponseBody: JsonValue;
}

/** One WebSocket frame or lifecycle event. `Sent` is client to server, `Received` server to client. */
export interface WebSocketFrame {
  Direction: "Sent" | "Received";
  Event: "open" | "message" | "close" | "error";
  /** Text frame payload. */
  Text?: string;
  /** Binary frame payload, base64. */
  Binary?: string;
  Code?: number;
  Reason?: string;
  WasClean?: boolean;
}

/** One recorded WebSocket connection. */
export interface WebSocketSession {
  Url: string;
  Protocols: string[];
  /** The subprotocol the server selected ("" when none). */
  Protocol: string;
  Frames: WebSocketFrame[];
}

/** A whole recording file. */
export interface RecordingFile {
  Entries: RecordEntry[];
  Variables: Record<string, string>;
  WebSocketSessions?: WebSocketSession[];
}

/** Case-insensitive header lookup on a plain record. */
export function getHeader(headers: Record<string, string>, name: string): string | undefined {
  const lower = name.toLowerCase();
  for (const key of Object.keys(headers)) {
    if (key.toLowerCase() === lower) return headers[key];
  }
  return undefined;
}

/** Removes a header (any casing) from a plain record, in place. */
export function deleteHeader(headers: Record<string, string>, name: string): void {
  const lower = name.toLowerCase();
  for (const key of Object.keys(headers)) {
    if (key.toLowerCase() === lower) delete headers[key];
  }
}

function mediaType(contentType: string | undefined): string {
  return (contentType ?? "").split(";")[0]!.trim().toLowerCase();
}

/** JSON media types: application/json and any `+json` suffix type. */
export function isJsonContentType(contentType: string | undefined): boolean {
  const type = mediaType(contentType);
  return type === "application/json" || type === "text/json" || type.endsWith("+json");
}

/** Media types test-proxy stores as text rather than base64. */
export function isTextContentType(contentType: string | undefined): boolean {
  const type = mediaType(contentType);
  if (type === "") return false;
  return (
    type.startsWith("text/") ||
    isJsonContentType(contentType) ||
    type.endsWith("+xml") ||
    type === "application/xml" ||
    type === "application/x-www-form-urlencoded" ||
    type === "application/javascript" ||
    type === "application/ecmascript"
  );
}

const utf8 = new TextDecoder("utf-8");

/**
 * A JSON text's value when every number in it reads back as written, else undefined: an integer past 2^53, `1.0` or
 * `1e2` would be stored changed (and replayed changed) as a JSON value. Invalid JSON is undefined too.
 */
function exactJson(text: string): JsonValue | undefined {
  let exact = true;
  // Node passes every reviver call the source text of a primitive (JSON.parse source text access)
  const keepExact = (_key: string, value: unknown, context: { source: string }) => {
    if (typeof value === "number" && String(value) !== context.source) exact = false;
    return value;
  };
  try {
    const parsed = JSON.parse(text, keepExact as (key: string, value: unknown) => unknown) as JsonValue;
    return exact ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/** Encodes raw body bytes the way test-proxy stores them. */
export function encodeBody(bytes: Uint8Array | null | undefined, contentType: string | undefined): JsonValue {
  if (!bytes || bytes.length === 0) return null;
  if (isJsonContentType(contentType)) {
    const text = utf8.decode(bytes);
    const parsed = exactJson(text);
    // Only objects and arrays are stored as JSON values: a stored string is read back as raw text. Invalid JSON, and
    // JSON whose numbers would not read back as written, keep their text.
    if (parsed !== null && typeof parsed === "object") return parsed;
    return text;
  }
  if (isTextContentType(contentType)) return utf8.decode(bytes);
  return Buffer.from(bytes).toString("base64");
}

/** Turns a stored body back into bytes (null when there is no body). */
export function decodeBody(body: JsonValue, contentType: string | undefined): Uint8Array | null {
  if (body === null || body === undefined) return null;
  if (typeof body !== "string") return new Uint8Array(Buffer.from(JSON.stringify(body), "utf8"));
  if (body === "") return null;
  if (isTextContentType(contentType)) return new Uint8Array(Buffer.from(body, "utf8"));
  return new Uint8Array(Buffer.from(body, "base64"));
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function stringRecord(value: unknown, where: string): Record<string, string> {
  if (value === undefined || value === null) return {};
  if (!isRecord(value)) throw new TypeError(`${where} must be an object of strings`);
  const out: Record<string, string> = {};
  for (const [key, v] of Object.entries(value)) {
    // test-proxy sometimes writes multi-value headers as arrays; join them the way HTTP does.
    out[key] = Array.isArray(v) ? v.map(String).join(", ") : String(v);
  }
  return out;
}

/** Parses and validates recording text. Throws a TypeError naming the offending field and file. */
export function parseRecording(text: string, source = "recording"): RecordingFile {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new TypeError(`${source} is not valid JSON: ${(error as Error).message}`);
  }
  if (!isRecord(raw)) throw new TypeError(`${source} must be a JSON object with "Entries"`);
  if (!Array.isArray(raw.Entries)) throw new TypeError(`${source}: "Entries" must be an array`);
  const entries = raw.Entries.map((e: unknown, i: number): RecordEntry => {
    const where = `${source}: Entries[${i}]`;
    if (!isRecord(e)) throw new TypeError(`${where} must be an object`);
    if (typeof e.RequestUri !== "string") throw new TypeError(`${where}.RequestUri must be a string`);
    if (typeof e.RequestMethod !== "string") throw new TypeError(`${where}.RequestMethod must be a string`);
    if (typeof e.StatusCode !== "number") throw new TypeError(`${where}.StatusCode must be a number`);
    return {
      RequestUri: e.RequestUri,
      RequestMethod: e.RequestMethod.toUpperCase(),
      RequestHeaders: stringRecord(e.RequestHeaders, `${where}.RequestHeaders`),
      RequestBody: (e.RequestBody ?? null) as JsonValue,
      StatusCode: e.StatusCode,
      ResponseHeaders: stringRecord(e.ResponseHeaders, `${where}.ResponseHeaders`),
      ResponseBody: (e.ResponseBody ?? null) as JsonValue,
    };
  });
  const variables = stringRecord(raw.Variables, `${source}: Variables`);
  const file: RecordingFile = { Entries: entries, Variables: variables };
  if (raw.WebSocketSessions !== undefined) {
    if (!Array.isArray(raw.WebSocketSessions)) throw new TypeError(`${source}: "WebSocketSessions" must be an array`);
    file.WebSocketSessions = raw.WebSocketSessions.map((s: unknown, i: number): WebSocketSession => {
      const where = `${source}: WebSocketSessions[${i}]`;
      if (!isRecord(s) || typeof s.Url !== "string" || !Array.isArray(s.Frames)) {
        throw new TypeError(`${where} must have a string "Url" and a "Frames" array`);
      }
      return {
        Url: s.Url,
        Protocols: Array.isArray(s.Protocols) ? s.Protocols.map(String) : [],
        Protocol: typeof s.Protocol === "string" ? s.Protocol : "",
        Frames: s.Frames.map((f: unknown, j: number) => {
          if (!isRecord(f) || (f.Direction !== "Sent" && f.Direction !== "Received") || typeof f.Event !== "string") {
            throw new TypeError(`${where}.Frames[${j}] must have "Direction" (Sent|Received) and "Event"`);
          }
          return f as unknown as WebSocketFrame;
        }),
      };
    });
  }
  return file;
}

/** Serializes a recording the way test-proxy does (2-space indent), omitting an empty WebSocketSessions list. */
export function serializeRecording(file: RecordingFile): string {
  const out: RecordingFile = { Entries: file.Entries, Variables: file.Variables };
  if (file.WebSocketSessions && file.WebSocketSessions.length > 0) out.WebSocketSessions = file.WebSocketSessions;
  return `${JSON.stringify(out, null, 2)}\n`;
}

/** The request half of an entry, the method upper-cased and the body stored by its content type. */
export function requestPart(
  url: string,
  method: string,
  headers: Record<string, string>,
  body: Uint8Array | null,
): Pick<RecordEntry, "RequestUri" | "RequestMethod" | "RequestHeaders" | "RequestBody"> {
  return {
    RequestUri: url,
    RequestMethod: method.toUpperCase(),
    RequestHeaders: headers,
    RequestBody: encodeBody(body, getHeader(headers, "content-type")),
  };
}

/**
 * The response half of an entry. The stored body is the decoded one, so a Content-Encoding header would lie about
 * it: it is removed from `headers` (which callers then answer with).
 */
export function responsePart(
  status: number,
  headers: Record<string, string>,
  body: Uint8Array | null,
): Pick<RecordEntry, "StatusCode" | "ResponseHeaders" | "ResponseBody"> {
  deleteHeader(headers, "content-encoding");
  return {
    StatusCode: status,
    ResponseHeaders: headers,
    ResponseBody: encodeBody(body, getHeader(headers, "content-type")),
  };
}
