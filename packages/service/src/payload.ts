// How a message becomes a request body and a Content-Type. The rules, in order:
//   1. An explicit `contentType` always wins (it must be one of the three the service accepts).
//   2. Without one: a string goes as `text/plain` (dataType "text" on the clients), binary input (Uint8Array and any
//      other ArrayBuffer view, ArrayBuffer, Blob, web ReadableStream, Node Readable) goes as `application/octet-stream`
//      byte for byte and streamed, never JSON-encoded, and any other value is serialized with JSON.stringify and
//      sent as `application/json`.
// The official package sends a bare string as JSON (`"\"hi\""`) unless `contentType: "text/plain"` is given; we send
// it as text because that is what a caller passing a string means. Pass `{ contentType: "application/json" }` to get
// the official behaviour.
import { shownValue } from "@webpubsub/core/shown";
import type { WebPubSubSendToAllBodyParam } from "@webpubsub/rest";

/** Content types the service accepts for messages. */
export type MessageContentType = "application/json" | "text/plain" | "application/octet-stream";

/** Anything with a `pipe` method: a Node.js Readable stream (typed structurally so the package has no Node types). */
export interface NodeReadableLike {
  pipe: (...args: never[]) => unknown;
  on: (...args: never[]) => unknown;
}

/** Binary payloads: sent as bytes, streams are streamed. */
export type BinaryMessage = ArrayBuffer | ArrayBufferView | Blob | ReadableStream<Uint8Array> | NodeReadableLike;

/** A JSON-serializable value. */
export type JSONTypes = string | number | boolean | null | JSONTypes[] | { [key: string]: JSONTypes };

/** What the send methods accept: text, a JSON-serializable value, or binary data. */
export type MessageContent = string | BinaryMessage | JSONTypes | object;

/**
 * The body as handed to the REST client. `replayable` tells the retry logic whether the same body can be sent again
 * (a one-shot stream cannot).
 */
export interface PreparedPayload {
  contentType: MessageContentType;
  body: string | Uint8Array | ArrayBufferView | Blob | ReadableStream<Uint8Array> | NodeReadableLike;
  replayable: boolean;
  /** Set when the body is a Blob or web stream that the Node HTTP client must read through a Node stream. */
  webBody?: "blob" | "stream";
}

const CONTENT_TYPES: ReadonlySet<string> = new Set(["application/json", "text/plain", "application/octet-stream"]);
const encoder = new TextEncoder();

export function isNodeReadable(value: unknown): value is NodeReadableLike {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as NodeReadableLike).pipe === "function" &&
    typeof (value as NodeReadableLike).on === "function"
  );
}

export function isWebReadableStream(value: unknown): value is ReadableStream<Uint8Array> {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as ReadableStream).getReader === "function" &&
    typeof (value as ReadableStream).pipeTo === "function"
  );
}

export function isBlob(value: unknown): value is Blob {
  return typeof Blob !== "undefined" && value instanceof Blob;
}

/** True for every input sent as raw bytes. */
export function isBinaryMessage(value: unknown): value is BinaryMessage {
  return (
    value instanceof ArrayBuffer ||
    ArrayBuffer.isView(value) ||
    isBlob(value) ||
    isWebReadableStream(value) ||
    isNodeReadable(value) ||
    (typeof SharedArrayBuffer !== "undefined" && value instanceof SharedArrayBuffer)
  );
}

function binaryBody(message: BinaryMessage): PreparedPayload["body"] {
  if (message instanceof ArrayBuffer) return new Uint8Array(message);
  if (typeof SharedArrayBuffer !== "undefined" && message instanceof SharedArrayBuffer) {
    return new Uint8Array(message);
  }
  return message as PreparedPayload["body"];
}

function prepareBinary(message: BinaryMessage, contentType: MessageContentType): PreparedPayload {
  if (isNodeReadable(message)) return { contentType, body: message, replayable: false };
  if (isWebReadableStream(message)) return { contentType, body: message, replayable: false, webBody: "stream" };
  if (isBlob(message)) return { contentType, body: message, replayable: true, webBody: "blob" };
  return { contentType, body: binaryBody(message), replayable: true };
}

function serializeJson(message: unknown): Uint8Array {
  let json: string | undefined;
  try {
    json = JSON.stringify(message);
  } catch (error) {
    // JSON.stringify's message names the properties of a cycle whole: shown bounded, kept whole as the cause
    throw new TypeError(`message cannot be serialized as JSON: ${shownValue((error as Error)?.message)}.`, {
      cause: error,
    });
  }
  if (json === undefined) throw new TypeError(`message of type ${typeof message} cannot be serialized as JSON.`);
  // Bytes rather than a string: the REST layer would JSON-encode a string body a second time.
  return encoder.encode(json);
}

/** Chooses the Content-Type and body for a message (see the rules at the top of this file). */
export function preparePayload(message: unknown, contentType?: unknown): PreparedPayload {
  if (message === undefined) throw new TypeError("message is required; use null to send a JSON null.");
  if (typeof message === "function" || typeof message === "symbol" || typeof message === "bigint") {
    throw new TypeError(`message of type ${typeof message} is not supported; send a string, a JSON value or bytes.`);
  }
  if (contentType === undefined) {
    if (typeof message === "string") return { contentType: "text/plain", body: message, replayable: true };
    if (isBinaryMessage(message)) return prepareBinary(message, "application/octet-stream");
    return { contentType: "application/json", body: serializeJson(message), replayable: true };
  }
  if (typeof contentType !== "string" || !CONTENT_TYPES.has(contentType)) {
    throw new TypeError(
      `options.contentType must be "application/json", "text/plain" or "application/octet-stream", got ${shownValue(contentType)}.`,
    );
  }
  const type = contentType as MessageContentType;
  if (isBinaryMessage(message)) return prepareBinary(message, type);
  if (type === "application/json") return { contentType: type, body: serializeJson(message), replayable: true };
  if (typeof message !== "string") {
    throw new TypeError(`message must be a string or binary data when options.contentType is "${type}".`);
  }
  return type === "text/plain"
    ? { contentType: type, body: message, replayable: true }
    : { contentType: type, body: encoder.encode(message), replayable: true };
}

/** What the REST client is handed as a message body: the prepared body, or (Blob on Node) a stream per attempt. */
export type RequestBody = PreparedPayload["body"] | (() => NodeReadableLike);

/** A message's body and content type, as the generated REST types name them (the four :send operations share it). */
export type MessageBodyParam = WebPubSubSendToAllBodyParam;
type OctetStreamBody = Extract<MessageBodyParam, { contentType: "application/octet-stream" }>["body"];

/**
 * The body fields of a message request in the generated types' terms. The REST runtime sends any binary body byte
 * for byte whatever its content type, and calls a function body once per attempt; the spec's types name only a
 * string for text/plain and no body factory. So text given as bytes or a stream, and the per-attempt Blob streams,
 * are declared as the body type of their content type: the two `as` below narrow the union of bodies this package
 * sends, nothing else.
 */
export function messageBodyParam(contentType: MessageContentType, body: RequestBody): MessageBodyParam {
  switch (contentType) {
    case "application/json":
      return { contentType, body };
    case "text/plain":
      return { contentType, body: body as string };
    case "application/octet-stream":
      return { contentType, body: body as OctetStreamBody };
  }
}

type NodeStreamModule = { Readable: { fromWeb(stream: ReadableStream<Uint8Array>): NodeReadableLike } };
let nodeStream: Promise<NodeStreamModule> | undefined;

/** True when the default HTTP client is Node's http module, which needs Node streams rather than web bodies. */
export const runsOnNode: boolean =
  typeof (globalThis as { process?: { versions?: { node?: unknown } } }).process?.versions?.node === "string";

/**
 * Turns a Blob or web ReadableStream into something the Node HTTP client can stream (a Node Readable, or for a Blob a
 * factory so that a retry reads the Blob again). Other bodies are returned unchanged. Loaded lazily: node:stream is
 * only imported the first time a web body is sent on Node.
 */
export async function bodyForNode(payload: PreparedPayload): Promise<RequestBody> {
  if (payload.webBody === undefined) return payload.body;
  const specifier = "node:stream";
  nodeStream ??= import(/* @vite-ignore */ specifier) as Promise<NodeStreamModule>;
  const { Readable } = await nodeStream;
  if (payload.webBody === "blob") {
    const blob = payload.body as Blob;
    return () => Readable.fromWeb(blob.stream() as ReadableStream<Uint8Array>);
  }
  return Readable.fromWeb(payload.body as ReadableStream<Uint8Array>);
}
