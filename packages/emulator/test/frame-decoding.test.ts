// Client frames are decoded by @webpubsub/core (jsonCodec / protobufCodec), so the emulator and core agree on what is
// valid. The emulator maps core's ProtocolError to the wire: an invalid message with a valid ackId gets an ack
// BadRequest; anything else closes with the error's close code.
import { jsonCodec, ProtocolError } from "@webpubsub/core";
import { describe, expect, it } from "vitest";
import { ALL_GROUP_ROLES as ALL, connect, hubNames, rest, sign } from "./helpers/clients.ts";
import { useEmulator } from "./helpers/use-emulator.ts";

const emu = useEmulator();

const hub = hubNames("dec");

type Expected = { ack: "success" | "BadRequest" | "InternalServerError" } | { close: number };

/** What the emulator must do with `frame`, derived from core's decoder (plus: no event handler is configured). */
function expectedFromCore(frame: Record<string, unknown>): Expected {
  try {
    const m = jsonCodec.decodeUpstream(JSON.stringify(frame));
    return { ack: m.type === "event" ? "InternalServerError" : "success" };
  } catch (e) {
    if (!(e instanceof ProtocolError)) throw e;
    return e.code === "invalid_message" && e.ackId !== undefined ? { ack: "BadRequest" } : { close: e.closeCode };
  }
}

const frames: [string, Record<string, unknown>][] = [
  ["an event name with a space", { type: "event", event: "my event", ackId: 1, dataType: "text", data: "x" }],
  ["an event name starting with a digit", { type: "event", event: "1chat", ackId: 1, dataType: "text", data: "x" }],
  ["a valid event name", { type: "event", event: "Chat.room-1_x", ackId: 1, dataType: "text", data: "x" }],
  ["base64 with a stray pad", { type: "sendToGroup", group: "g", ackId: 1, dataType: "binary", data: "QQ=" }],
  ["unpadded base64", { type: "sendToGroup", group: "g", ackId: 1, dataType: "binary", data: "QQ" }],
  ["invalid base64 without ackId", { type: "sendToGroup", group: "g", dataType: "binary", data: "@@" }],
  ["a blank group without ackId", { type: "joinGroup", group: "   " }],
  ["a group of 1025 characters", { type: "joinGroup", group: "g".repeat(1025), ackId: 1 }],
  ["a group of 1024 characters", { type: "joinGroup", group: "g".repeat(1024), ackId: 1 }],
  ["protobuf data that is not base64", { type: "event", event: "e", ackId: 1, dataType: "protobuf", data: "!" }],
  ["an unknown type with an ackId", { type: "dance", ackId: 1 }],
];

describe("frames are judged by core's decoder", () => {
  it.each(frames)("%s", async (_name, frame) => {
    const expected = expectedFromCore(frame);
    const h = hub();
    const c = await connect(emu, h, { claims: { role: ALL } });
    c.send(frame);
    if ("close" in expected) {
      expect(await c.closed).toBe(expected.close);
      expect(c.messages.at(-1)).toMatchObject({ type: "system", event: "disconnected" });
      return;
    }
    const ack = await c.message((m) => m.type === "ack" && m.ackId === frame.ackId, "ack");
    if (expected.ack === "success") expect(ack).toEqual({ type: "ack", ackId: frame.ackId, success: true });
    else expect(ack).toMatchObject({ success: false, error: { name: expected.ack } });
    // the connection stays open after an ack error
    c.send({ type: "ping" });
    await c.message((m) => m.type === "pong");
  });

  it("derives the expectations above from a decoder that really rejects and accepts", () => {
    expect(expectedFromCore(frames[0]![1])).toEqual({ ack: "BadRequest" });
    expect(expectedFromCore(frames[4]![1])).toEqual({ ack: "success" });
    expect(expectedFromCore(frames[5]![1])).toEqual({ close: 1007 });
  });
});

describe("token audiences follow core's rules", () => {
  const now = () => Math.floor(Date.now() / 1000);
  const url = () => `${emu.endpoint}/api/hubs/aud/:send?api-version=2024-12-01`;
  const send = (aud: string) =>
    fetch(url(), {
      method: "POST",
      body: "x",
      headers: {
        "content-type": "text/plain",
        authorization: `Bearer ${sign({ aud, exp: now() + 60 }, emu.accessKey)}`,
      },
    });

  it("rejects a REST audience with a trailing slash (not a form of the request URL)", async () => {
    expect((await send(`${url().split("?")[0]}/`)).status).toBe(401);
  });

  it("still accepts the https spelling of the request URL (TLS may be terminated in front)", async () => {
    expect((await send(url().replace("http://", "https://"))).status).toBe(202);
    expect((await rest(emu, "HEAD", "/api/hubs/aud/connections/none")).status).toBe(404);
  });
});
