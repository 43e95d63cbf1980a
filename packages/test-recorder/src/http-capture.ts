// Turning core-rest-pipeline requests and responses into bytes and back, without losing their bodies.

import { Readable } from "node:stream";
import type { PipelineRequest, PipelineResponse } from "@azure/core-rest-pipeline";

async function readNodeStream(stream: NodeJS.ReadableStream): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream as AsyncIterable<Buffer | string>) {
    chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : Buffer.from(chunk));
  }
  return new Uint8Array(Buffer.concat(chunks));
}

async function readWebStream(stream: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

function isNodeStream(value: unknown): value is NodeJS.ReadableStream {
  return typeof value === "object" && value !== null && typeof (value as { pipe?: unknown }).pipe === "function";
}

function isWebStream(value: unknown): value is ReadableStream<Uint8Array> {
  return (
    typeof value === "object" && value !== null && typeof (value as { getReader?: unknown }).getReader === "function"
  );
}

/**
 * Reads a pipeline request's body as bytes. Stream bodies are consumed, so they are replaced on the request by the
 * bytes read (the request can still be sent).
 */
export async function readRequestBody(request: PipelineRequest): Promise<Uint8Array | null> {
  if (request.multipartBody !== undefined && request.body === undefined) {
    throw new TypeError("request.multipartBody must be serialized (multipartPolicy) before the recorder policy runs");
  }
  let body = request.body;
  if (body === undefined || body === null) return null;
  if (typeof body === "function") body = body();
  if (typeof body === "string") return new Uint8Array(Buffer.from(body, "utf8"));
  if (body instanceof ArrayBuffer) return new Uint8Array(body);
  if (ArrayBuffer.isView(body)) return new Uint8Array(body.buffer, body.byteOffset, body.byteLength);
  if (typeof Blob !== "undefined" && body instanceof Blob) return new Uint8Array(await body.arrayBuffer());
  if (isNodeStream(body)) {
    const bytes = await readNodeStream(body);
    request.body = Buffer.from(bytes);
    return bytes;
  }
  if (isWebStream(body)) {
    const bytes = await readWebStream(body);
    request.body = Buffer.from(bytes);
    return bytes;
  }
  throw new TypeError("the recorder cannot capture this request body type (FormData must go through formDataPolicy)");
}

/** Reads a pipeline response's body as bytes, replacing a consumed stream with an equivalent fresh one. */
export async function readResponseBody(response: PipelineResponse): Promise<Uint8Array | null> {
  if (response.readableStreamBody) {
    const bytes = await readNodeStream(response.readableStreamBody);
    response.readableStreamBody = Readable.from([Buffer.from(bytes)]);
    return bytes;
  }
  if (response.browserStreamBody) {
    const bytes = await readWebStream(response.browserStreamBody);
    response.browserStreamBody = new Blob([Buffer.from(bytes)]).stream();
    return bytes;
  }
  if (response.blobBody) {
    const blob = await response.blobBody;
    response.blobBody = Promise.resolve(blob);
    return new Uint8Array(await blob.arrayBuffer());
  }
  if (response.bodyAsText === undefined || response.bodyAsText === null || response.bodyAsText === "") return null;
  return new Uint8Array(Buffer.from(response.bodyAsText, "utf8"));
}
