// Data and control frames of protobuf.webpubsub.azure.v1 and its reliable variant (codec from @webpubsub/core). A data
// message is encoded once (and cached on the message); the reliable frame reuses its body and appends the
// sequence_id field (4).
import {
  type DownstreamMessage,
  isJsonOnlyDownstream,
  type JsonDownstreamMessage,
  protobufCodec,
} from "@webpubsub/core";
import type { Outgoing } from "../outgoing.ts";

/** the DownstreamMessage.data_message body (field 2) without sequence_id, cached per message */
const dataBody = {};

export const protobufEncoding = {
  /** The protobuf.webpubsub.azure.v1 frame of a data message (protobuf frames carry no fromUserId). */
  frame(msg: Outgoing): Buffer {
    return msg.encoded(protobufEncoding, buildProtobuf);
  },

  /** The protobuf.reliable.webpubsub.azure.v1 frame: the shared data message plus a sequence_id field (4). */
  reliableFrame(msg: Outgoing, sequenceId: number): Buffer {
    const body = bodyOf(msg);
    const seq = varint(sequenceId);
    const innerLength = body.length + 1 + seq.length;
    const len = varint(innerLength);
    return Buffer.concat([Buffer.of(0x12), len, body, Buffer.of(0x20), seq], 1 + len.length + innerLength);
  },

  /** Length of reliableFrame(msg, sequenceId), without building it. */
  reliableSize(msg: Outgoing, sequenceId: number): number {
    const innerLength = bodyOf(msg).length + 1 + varintLength(sequenceId);
    return 1 + varintLength(innerLength) + innerLength;
  },

  /** undefined for the JSON-only messages (invocations, stream acks), which the protobuf definition lacks */
  control(msg: JsonDownstreamMessage): Buffer | undefined {
    if (isJsonOnlyDownstream(msg)) return undefined;
    return encodeProtobuf(msg);
  },
};

function buildProtobuf(msg: Outgoing): Buffer {
  const p = msg.payload;
  const payload =
    p.kind === "text"
      ? { dataType: "text" as const, data: p.text ?? "" }
      : p.kind === "json"
        ? { dataType: "json" as const, data: JSON.parse(p.text ?? "null") as unknown }
        : { dataType: p.kind, data: new Uint8Array(p.bytes ?? Buffer.alloc(0)) };
  const base = { type: "message" as const, ...payload, ...(msg.metadata ? { metadata: msg.metadata } : {}) };
  return encodeProtobuf(
    msg.from === "group" ? { ...base, from: "group", group: msg.group ?? "" } : { ...base, from: "server" },
  );
}

function encodeProtobuf(msg: DownstreamMessage): Buffer {
  const bytes = protobufCodec.encodeDownstream(msg);
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function bodyOf(msg: Outgoing): Buffer {
  return msg.encoded(dataBody, () => {
    const whole = protobufEncoding.frame(msg);
    // whole = tag(field 2, length-delimited) + varint(length) + body
    let i = 1;
    while ((whole[i]! & 0x80) !== 0) i++;
    return whole.subarray(i + 1);
  });
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
