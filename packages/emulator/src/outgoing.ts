// A message on its way to clients. Each wire form is encoded at most once and the same buffer is handed to every
// recipient of a broadcast; the reliable forms only add a per-connection sequenceId to the shared encoding.
import { protobufCodec } from "@webpubsub/core";

export type PayloadKind = "text" | "json" | "binary" | "protobuf";

export interface Payload {
  kind: PayloadKind;
  /** text, or the raw (already validated) JSON text for kind "json" */
  text?: string;
  /** bytes for kinds "binary" and "protobuf" (serialized google.protobuf.Any) */
  bytes?: Buffer;
}

export interface RawFrame {
  data: Buffer;
  binary: boolean;
}

export class Outgoing {
  readonly payload: Payload;
  readonly from: "server" | "group";
  readonly group: string | undefined;
  /** undefined = omitted (REST sends); null = anonymous sender */
  readonly fromUserId: string | null | undefined;
  readonly metadata: Record<string, string> | undefined;
  /** epoch ms after which a buffered copy must not be (re)delivered; 0 = never expires */
  readonly expiresAt: number;
  #raw: RawFrame | undefined;
  #json: Buffer | undefined;
  #protobuf: Buffer | undefined;
  /** the DownstreamMessage.data_message body (field 2) without sequence_id, and where it starts in #protobuf */
  #protobufBody: Buffer | undefined;

  constructor(init: {
    payload: Payload;
    from: "server" | "group";
    group?: string;
    fromUserId?: string | null;
    metadata?: Record<string, string>;
    ttlSeconds?: number;
  }) {
    this.payload = init.payload;
    this.from = init.from;
    this.group = init.group;
    this.fromUserId = init.fromUserId;
    this.metadata = init.metadata;
    this.expiresAt = init.ttlSeconds ? Date.now() + init.ttlSeconds * 1000 : 0;
  }

  /** The frame a simple (no subprotocol) client receives: no envelope. */
  raw(): RawFrame {
    if (this.#raw === undefined) {
      const p = this.payload;
      this.#raw =
        p.kind === "binary" || p.kind === "protobuf"
          ? { data: p.bytes ?? Buffer.alloc(0), binary: true }
          : { data: Buffer.from(p.text ?? "", "utf8"), binary: false };
    }
    return this.#raw;
  }

  /** The json.webpubsub.azure.v1 frame. */
  json(): Buffer {
    if (this.#json === undefined) {
      let s = `{"type":"message","from":"${this.from}"`;
      if (this.from === "group") {
        s += `,"group":${JSON.stringify(this.group ?? "")}`;
        if (this.fromUserId !== undefined) s += `,"fromUserId":${JSON.stringify(this.fromUserId)}`;
      }
      const p = this.payload;
      if (p.kind === "text") s += `,"dataType":"text","data":${JSON.stringify(p.text ?? "")}`;
      else if (p.kind === "json") s += `,"dataType":"json","data":${p.text ?? "null"}`;
      else s += `,"dataType":"${p.kind}","data":"${(p.bytes ?? Buffer.alloc(0)).toString("base64")}"`;
      if (this.metadata !== undefined) s += `,"metadata":${JSON.stringify(this.metadata)}`;
      s += "}";
      this.#json = Buffer.from(s, "utf8");
    }
    return this.#json;
  }

  /** The json.reliable.webpubsub.azure.v1 frame: the shared JSON frame with a leading sequenceId. */
  reliableJson(sequenceId: number): Buffer {
    const body = this.json();
    const head = Buffer.from(`{"sequenceId":${sequenceId},`, "latin1");
    return Buffer.concat([head, body.subarray(1)], head.length + body.length - 1);
  }

  /** Length of reliableJson(sequenceId), without building it. */
  reliableJsonSize(sequenceId: number): number {
    // `{"sequenceId":` + digits + `,` replaces the leading `{` of the shared frame
    return this.json().length + 14 + decimalDigits(sequenceId);
  }

  /** The protobuf.webpubsub.azure.v1 frame (protobuf frames carry no fromUserId). */
  protobuf(): Buffer {
    if (this.#protobuf === undefined) {
      const p = this.payload;
      const payload =
        p.kind === "text"
          ? { dataType: "text" as const, data: p.text ?? "" }
          : p.kind === "json"
            ? { dataType: "json" as const, data: JSON.parse(p.text ?? "null") as unknown }
            : { dataType: p.kind, data: new Uint8Array(p.bytes ?? Buffer.alloc(0)) };
      const base = { type: "message" as const, ...payload, ...(this.metadata ? { metadata: this.metadata } : {}) };
      const bytes = protobufCodec.encodeDownstream(
        this.from === "group" ? { ...base, from: "group", group: this.group ?? "" } : { ...base, from: "server" },
      );
      this.#protobuf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    }
    return this.#protobuf;
  }

  /** The protobuf.reliable.webpubsub.azure.v1 frame: the shared data message plus a sequence_id field (4). */
  reliableProtobuf(sequenceId: number): Buffer {
    const body = this.#protobufDataBody();
    const seq = varint(sequenceId);
    const innerLength = body.length + 1 + seq.length;
    const len = varint(innerLength);
    return Buffer.concat([Buffer.of(0x12), len, body, Buffer.of(0x20), seq], 1 + len.length + innerLength);
  }

  #protobufDataBody(): Buffer {
    if (this.#protobufBody === undefined) {
      const whole = this.protobuf();
      // whole = tag(field 2, length-delimited) + varint(length) + body
      let i = 1;
      while ((whole[i]! & 0x80) !== 0) i++;
      this.#protobufBody = whole.subarray(i + 1);
    }
    return this.#protobufBody;
  }

  /** Length of reliableProtobuf(sequenceId), without building it. */
  reliableProtobufSize(sequenceId: number): number {
    const body = this.#protobufDataBody();
    const innerLength = body.length + 1 + varintLength(sequenceId);
    return 1 + varintLength(innerLength) + innerLength;
  }

  get expired(): boolean {
    return this.expiresAt !== 0 && Date.now() > this.expiresAt;
  }
}

function varint(n: number): Buffer {
  const out: number[] = [];
  let v = n;
  while (v >= 0x80) {
    out.push((v % 0x80) | 0x80);
    v = Math.floor(v / 0x80);
  }
  out.push(v);
  return Buffer.from(out);
}

function varintLength(n: number): number {
  let len = 1;
  for (let v = n; v >= 0x80; v = Math.floor(v / 0x80)) len++;
  return len;
}

function decimalDigits(n: number): number {
  return String(n).length;
}
