// Data and control frames of json.webpubsub.azure.v1 and its reliable variant. A data message's JSON text is built once
// (and cached on the message); the reliable frame only puts `"sequenceId":N,` in front of it.
import { encodeJsonOnlyDownstream, isJsonOnlyDownstream, type JsonDownstreamMessage } from "@webpubsub/core";
import type { Outgoing } from "../outgoing.ts";

export const jsonEncoding = {
  /** The json.webpubsub.azure.v1 frame of a data message. */
  frame(msg: Outgoing): Buffer {
    return msg.encoded(jsonEncoding, buildJson);
  },

  /** The json.reliable.webpubsub.azure.v1 frame: the shared JSON frame with a leading sequenceId. */
  reliableFrame(msg: Outgoing, sequenceId: number): Buffer {
    const body = jsonEncoding.frame(msg);
    const head = Buffer.from(`{"sequenceId":${sequenceId},`, "latin1");
    return Buffer.concat([head, body.subarray(1)], head.length + body.length - 1);
  },

  /** Length of reliableFrame(msg, sequenceId), without building it. */
  reliableSize(msg: Outgoing, sequenceId: number): number {
    // `{"sequenceId":` + digits + `,` replaces the leading `{` of the shared frame
    return jsonEncoding.frame(msg).length + 14 + String(sequenceId).length;
  },

  control(msg: JsonDownstreamMessage): Buffer {
    return Buffer.from(isJsonOnlyDownstream(msg) ? encodeJsonOnlyDownstream(msg) : JSON.stringify(msg), "utf8");
  },
};

function buildJson(msg: Outgoing): Buffer {
  let s = `{"type":"message","from":"${msg.from}"`;
  if (msg.from === "group") {
    s += `,"group":${JSON.stringify(msg.group ?? "")}`;
    if (msg.fromUserId !== undefined) s += `,"fromUserId":${JSON.stringify(msg.fromUserId)}`;
  }
  const p = msg.payload;
  if (p.kind === "text") s += `,"dataType":"text","data":${JSON.stringify(p.text ?? "")}`;
  else if (p.kind === "json") s += `,"dataType":"json","data":${p.text ?? "null"}`;
  else s += `,"dataType":"${p.kind}","data":"${(p.bytes ?? Buffer.alloc(0)).toString("base64")}"`;
  if (msg.metadata !== undefined) s += `,"metadata":${JSON.stringify(msg.metadata)}`;
  if (msg.stream !== undefined) s += `,"stream":${JSON.stringify(msg.stream)}`;
  s += "}";
  return Buffer.from(s, "utf8");
}
