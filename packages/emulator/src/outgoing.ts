// A message on its way to clients. Each wire form is encoded at most once and the same buffer is handed to every
// recipient of a broadcast; the reliable form only prepends a per-connection sequenceId to the shared JSON body.

export type PayloadKind = "text" | "json" | "binary";

export interface Payload {
  kind: PayloadKind;
  /** text, or the raw (already validated) JSON text for kind "json" */
  text?: string;
  /** bytes for kind "binary" */
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
        p.kind === "binary"
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
      else s += `,"dataType":"binary","data":"${(p.bytes ?? Buffer.alloc(0)).toString("base64")}"`;
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

  get expired(): boolean {
    return this.expiresAt !== 0 && Date.now() > this.expiresAt;
  }
}
