// A message on its way to clients: its payload, where it comes from (the server or a group), metadata, TTL and, for
// a fragment of a group stream, its place in the stream. The
// wire forms belong to the protocols (src/protocols/); each is built at most once per message and the same buffer is
// handed to every recipient of a broadcast (see `encoded`).
import type { StreamInfo } from "@webpubsub/core";

export type PayloadKind = "text" | "json" | "binary" | "protobuf";

export interface Payload {
  kind: PayloadKind;
  /** text, or the raw (already validated) JSON text for kind "json" */
  text?: string;
  /** bytes for kinds "binary" and "protobuf" (serialized google.protobuf.Any) */
  bytes?: Buffer;
}

export class Outgoing {
  readonly payload: Payload;
  readonly from: "server" | "group";
  readonly group: string | undefined;
  /** undefined = omitted (REST sends); null = anonymous sender */
  readonly fromUserId: string | null | undefined;
  readonly metadata: Record<string, string> | undefined;
  /** a group stream's fragment or terminal message: where it sits in its stream (JSON subprotocols show it) */
  readonly stream: StreamInfo | undefined;
  /** epoch ms after which a buffered copy must not be (re)delivered; 0 = never expires */
  readonly expiresAt: number;
  /** wire forms built so far, by the encoder that built them */
  #encodings: Map<object, unknown> | undefined;

  constructor(init: {
    payload: Payload;
    from: "server" | "group";
    group?: string;
    fromUserId?: string | null;
    metadata?: Record<string, string>;
    ttlSeconds?: number;
    stream?: StreamInfo;
  }) {
    this.payload = init.payload;
    this.from = init.from;
    this.group = init.group;
    this.fromUserId = init.fromUserId;
    this.metadata = init.metadata;
    this.stream = init.stream;
    this.expiresAt = init.ttlSeconds ? Date.now() + init.ttlSeconds * 1000 : 0;
  }

  /** `build(this)` the first time `key` (an encoder) asks, then the same value for every later recipient. */
  encoded<T>(key: object, build: (msg: Outgoing) => T): T {
    this.#encodings ??= new Map();
    if (this.#encodings.has(key)) return this.#encodings.get(key) as T;
    const value = build(this);
    this.#encodings.set(key, value);
    return value;
  }

  get expired(): boolean {
    return this.expiresAt !== 0 && Date.now() > this.expiresAt;
  }
}
