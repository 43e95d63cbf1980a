// The reliable buffer's 16 MB limit counts the bytes of the frames actually sent to the connection: protobuf bytes
// for protobuf clients (never a JSON rendering of the message, which is not even built for them).
import { protobufCodec } from "@webpubsub/core";
import { afterEach, describe, expect, it, vi } from "vitest";
import { Outgoing } from "../src/outgoing.ts";
import { jsonEncoding } from "../src/protocols/json-encoding.ts";
import { protobufEncoding } from "../src/protocols/protobuf-encoding.ts";
import { RELIABLE_MAX_BYTES } from "../src/reliable-buffer.ts";
import { clientToken, hubNames, rest, TestClient } from "./helpers/clients.ts";
import { useEmulator } from "./helpers/use-emulator.ts";

const RELIABLE_PROTOBUF = "protobuf.reliable.webpubsub.azure.v1";

const emu = useEmulator();
afterEach(() => {
  vi.restoreAllMocks();
});

const hub = hubNames("size");

async function reliableProtobufClient(h: string): Promise<TestClient> {
  const url = `${emu.endpoint.replace("http", "ws")}/client/hubs/${h}?access_token=${clientToken(emu, h)}`;
  const c = new TestClient(url, RELIABLE_PROTOBUF);
  await c.until(() => c.frames.length >= 1, 3000, "connected");
  expect(protobufCodec.decodeDownstream(c.frames[0]!.data as Buffer)).toMatchObject({ event: "connected" });
  return c;
}

describe("reliable frame sizes", () => {
  const cases = [
    new Outgoing({ payload: { kind: "text", text: "hi" }, from: "server" }),
    new Outgoing({ payload: { kind: "json", text: '{"a":"é"}' }, from: "group", group: "g", fromUserId: "u" }),
    new Outgoing({ payload: { kind: "binary", bytes: Buffer.alloc(200_000, 7) }, from: "group", group: "g" }),
    new Outgoing({ payload: { kind: "text", text: "ü".repeat(70_000) }, from: "server", metadata: { k: "v" } }),
  ];

  it("are computed exactly, for every sequenceId width, without building the frame", () => {
    for (const m of cases) {
      for (const seq of [1, 9, 10, 99, 100, 127, 128, 16_383, 16_384, 999_999, 1_000_000, 2 ** 31, 2 ** 40]) {
        expect(jsonEncoding.reliableSize(m, seq)).toBe(jsonEncoding.reliableFrame(m, seq).length);
        expect(protobufEncoding.reliableSize(m, seq)).toBe(protobufEncoding.reliableFrame(m, seq).length);
      }
    }
  });
});

describe("reliable protobuf clients", () => {
  it("never have a JSON frame built for them", async () => {
    const h = hub();
    const c = await reliableProtobufClient(h);
    const json = vi.spyOn(jsonEncoding, "frame");
    const reliableJson = vi.spyOn(jsonEncoding, "reliableFrame");
    const reliableJsonSize = vi.spyOn(jsonEncoding, "reliableSize");
    await rest(emu, "POST", `/api/hubs/${h}/:send`, { body: "hello", contentType: "text/plain" });
    await c.until(() => c.frames.length >= 2, 3000, "the message");
    expect(protobufCodec.decodeDownstream(c.frames[1]!.data as Buffer)).toMatchObject({ data: "hello", sequenceId: 1 });
    c.ws.send(protobufCodec.encodeUpstream({ type: "sequenceAck", sequenceId: 1 }));
    c.ws.send(protobufCodec.encodeUpstream({ type: "ping" }));
    await c.until(() => c.frames.length >= 3, 3000, "pong");
    expect(json).not.toHaveBeenCalled();
    expect(reliableJson).not.toHaveBeenCalled();
    expect(reliableJsonSize).not.toHaveBeenCalled();
    await c.close();
  });

  it("count binary messages in protobuf bytes (not in their larger base64 JSON form)", async () => {
    const h = hub();
    const c = await reliableProtobufClient(h);
    const body = Buffer.alloc(1_000_000, 1);
    const jsonLength = jsonEncoding.frame(
      new Outgoing({ payload: { kind: "binary", bytes: body }, from: "server" }),
    ).length;
    // fits in protobuf bytes, would not in JSON bytes
    const count = Math.floor(RELIABLE_MAX_BYTES / (body.length + 32));
    expect(count * jsonLength).toBeGreaterThan(RELIABLE_MAX_BYTES);
    for (let i = 0; i < count; i++) {
      const r = await rest(emu, "POST", `/api/hubs/${h}/:send`, { body, contentType: "application/octet-stream" });
      expect(r.status).toBe(202);
    }
    await c.until(() => c.frames.length >= 1 + count, 10_000, "every message");
    expect(c.closeCode).toBeUndefined();
    // the limit still holds, in protobuf bytes: one more megabyte overflows (nothing was acknowledged)
    await rest(emu, "POST", `/api/hubs/${h}/:send`, { body, contentType: "application/octet-stream" });
    expect(await c.closed).toBe(1008);
  }, 30_000);
});
