// Checks of REST path and query parameters, and reading request bodies into messages and group lists.
import type { IncomingMessage } from "node:http";
import {
  BodyTooLargeError,
  HUB_NAME_PATTERN,
  isJsonMediaType,
  isValidGroupName,
  mediaType,
  type Permission,
  readLimited,
  scanJsonText,
  shown,
} from "@webpubsub/core";
import { Outgoing, type Payload } from "../outgoing.ts";
import { badRequest, RestFailure } from "./failure.ts";
import type { Call } from "./types.ts";

export const MAX_REST_BODY_BYTES = 1024 * 1024;

export function checkHub(hub: string): string {
  if (!HUB_NAME_PATTERN.test(hub)) {
    throw badRequest(
      `Invalid hub name ${shown(hub)}. A hub name starts with a letter and has at most 128 letters, digits or _\`,.[] characters.`,
      "hub",
    );
  }
  return hub;
}

export function checkGroup(group: string, target = "group"): string {
  if (!isValidGroupName(group)) {
    throw badRequest(
      "Invalid group name. Valid group name should be in between 1 and 1024 characters long and not whitespace only.",
      target,
    );
  }
  return group;
}

export function checkNonEmpty(value: string, target: string): string {
  if (value.length === 0) throw badRequest(`The ${target} must not be empty.`, target);
  return value;
}

export function checkPermission(p: string): Permission {
  const lower = p.toLowerCase();
  if (lower === "sendtogroup") return "sendToGroup";
  if (lower === "joinleavegroup") return "joinLeaveGroup";
  throw badRequest(`Invalid permission ${shown(p)}. Use 'sendToGroup' or 'joinLeaveGroup'.`, "permission");
}

export function intParam(
  query: URLSearchParams,
  name: string,
  min: number,
  max: number,
  fallback: number | undefined,
): number | undefined {
  const raw = query.get(name);
  if (raw === null || raw === "") return fallback;
  if (!/^[+-]?\d+$/.test(raw.trim())) throw badRequest(`The query parameter '${name}' must be an integer.`, name);
  const n = Number(raw);
  if (n < min || n > max) {
    throw badRequest(`The query parameter '${name}' must be between ${min} and ${max}; got ${shown(raw)}.`, name);
  }
  return n;
}

export function ttlParam(query: URLSearchParams): number | undefined {
  return intParam(query, "messageTtlSeconds", 0, 300, undefined);
}

/** The request body, at most `limit` bytes (core's readLimited); 413 beyond, decided from Content-Length if it can be. */
export async function readBody(req: IncomingMessage, limit = MAX_REST_BODY_BYTES): Promise<Buffer> {
  let bytes: Uint8Array;
  try {
    bytes = await readLimited(req, limit, { declaredLength: req.headers["content-length"] });
  } catch (e) {
    if (!(e instanceof BodyTooLargeError)) throw e;
    // drain what is left, so that the answer can be written and the connection kept
    req.resume();
    throw new RestFailure(413, "Error.PayloadTooLarge", `The request body is larger than ${limit} bytes.`, "body");
  }
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Turns a send body into a payload whose data type follows the content type (protocol.md 2.1). */
export function payloadFromBody(contentType: string | undefined, body: Buffer): Payload {
  const mime = mediaType(contentType);
  if (mime === "text/plain") return { kind: "text", text: body.toString("utf8") };
  if (isJsonMediaType(mime)) {
    const text = parseJsonBody(body, "message", " (content type application/json)").text;
    return { kind: "json", text };
  }
  if (mime === "application/octet-stream" || mime === "") return { kind: "binary", bytes: body };
  throw new RestFailure(
    415,
    "Error.UnsupportedMediaType",
    `Unsupported content type ${shown(mime)}. Use text/plain, application/json or application/octet-stream.`,
    "Content-Type",
  );
}

/** `X-WebPubSub-Metadata-<key>` request headers, forwarded to JSON clients as `metadata`. */
export function metadataFromHeaders(req: IncomingMessage): Record<string, string> | undefined {
  let out: Record<string, string> | undefined;
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i]!;
    if (name.length > 21 && name.toLowerCase().startsWith("x-webpubsub-metadata-")) {
      out ??= {};
      out[name.slice(21)] = req.rawHeaders[i + 1]!;
    }
  }
  return out;
}

/**
 * A JSON request body, scanned for core's JSON bounds (depth, nodes, object members) before it is parsed, the same
 * bounds as for JSON from clients: beyond them parsing a MiB takes too long, and deep values overflow the stack when
 * they are re-encoded for protobuf clients.
 */
function parseJsonBody(body: Buffer, target: string, hint = ""): { text: string; value: unknown } {
  const text = body.toString("utf8");
  const problem = scanJsonText(text).problem;
  if (problem !== undefined) throw badRequest(`The JSON request body is ${problem}.`, target);
  try {
    return { text, value: JSON.parse(text) };
  } catch {
    throw badRequest(`The request body is not valid JSON${hint}.`, target);
  }
}

export function groupsFromJsonBody(body: Buffer): { groups: string[]; filter: string | undefined } {
  const parsed = parseJsonBody(body, "body", ': {"groups": [...], "filter": "..."}').value;
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw badRequest("The request body must be a JSON object with 'groups'.", "body");
  }
  const rec = parsed as Record<string, unknown>;
  const groups = rec.groups;
  if (!Array.isArray(groups) || groups.length === 0) {
    throw badRequest("The 'groups' list must be a non-empty array of group names.", "groups");
  }
  for (const g of groups) {
    if (typeof g !== "string") throw badRequest("Every entry of 'groups' must be a string.", "groups");
    checkGroup(g, "groups");
  }
  const filter = rec.filter;
  if (filter !== undefined && filter !== null && typeof filter !== "string") {
    throw badRequest("'filter' must be a string.", "filter");
  }
  return { groups, filter: typeof filter === "string" && filter.trim() !== "" ? filter : undefined };
}

/** The message of a send request: its body by Content-Type, `X-WebPubSub-Metadata-*` and `messageTtlSeconds`. */
export async function messageFromRequest(call: Call, from: "server" | "group", group?: string): Promise<Outgoing> {
  const ttl = ttlParam(call.query);
  const body = await readBody(call.req);
  const payload = payloadFromBody(call.req.headers["content-type"], body);
  const metadata = metadataFromHeaders(call.req);
  const init: ConstructorParameters<typeof Outgoing>[0] = { payload, from };
  if (group !== undefined) init.group = group;
  if (metadata !== undefined) init.metadata = metadata;
  if (ttl !== undefined) init.ttlSeconds = ttl;
  return new Outgoing(init);
}
