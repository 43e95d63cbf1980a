// Protobuf subprotocols against the emulator (core's protobufCodec on both sides). A regression fails: no self-skip.
import { startEmulator } from "@webpubsub/emulator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DataMessage, WebPubSubClient } from "../src/index.ts";
import { clientUrl, rest } from "./emulator-helpers.ts";
import { protocolOption } from "./protocol-names.ts";

// A serialized google.protobuf.Any: type_url "type.googleapis.com/x" (field 1), value [1, 2] (field 2).
const TYPE_URL = new TextEncoder().encode("type.googleapis.com/x");
const ANY = new Uint8Array([10, TYPE_URL.length, ...TYPE_URL, 18, 2, 1, 2]);

let emu: Awaited<ReturnType<typeof startEmulator>>;

beforeAll(async () => {
  emu = await startEmulator({ port: 0 });
});
afterAll(async () => {
  await emu?.close();
});

describe.each(["protobuf", "protobuf.reliable"] as const)("%s", (protocol) => {
  it("round-trips text, json, binary and protobuf data, acks and server messages", async () => {
    const url = () =>
      clientUrl(emu.endpoint, emu.accessKey, "pb", {
        userId: "pb-user",
        roles: ["webpubsub.joinLeaveGroup", "webpubsub.sendToGroup"],
      });
    const client = new WebPubSubClient({ getClientAccessUrl: url }, { protocol: protocolOption(protocol) });
    await client.start();
    expect(client.protocol).toBe(
      protocol === "protobuf" ? "protobuf.webpubsub.azure.v1" : "protobuf.reliable.webpubsub.azure.v1",
    );
    const group = `pb-${protocol.replace(".", "-")}`;
    expect(await client.joinGroup(group)).toEqual({ ackId: 1, isDuplicated: false });
    const received: DataMessage[] = [];
    const four = new Promise<void>((resolve) =>
      client.on("group-message", (e) => {
        received.push(e.message);
        if (received.length === 4) resolve();
      }),
    );
    await client.sendToGroup(group, "text", "text");
    await client.sendToGroup(group, { a: [1, 2] }, "json");
    await client.sendToGroup(group, new Uint8Array([0, 1, 2]), "binary");
    await client.sendToGroup(group, ANY, "protobuf");
    await four;
    expect(received.map((m) => [m.dataType, m.data])).toEqual([
      ["text", "text"],
      ["json", { a: [1, 2] }],
      ["binary", new Uint8Array([0, 1, 2])],
      ["protobuf", ANY],
    ]);
    if (protocol === "protobuf.reliable") expect(received.every((m) => (m.sequenceId ?? 0) > 0)).toBe(true);

    const server = new Promise<DataMessage>((resolve) => client.once("server-message", (e) => resolve(e.message)));
    await rest(emu.endpoint, emu.accessKey, "POST", `pb/connections/${client.connectionId}/:send`, {
      contentType: "text/plain",
      data: "from rest",
    });
    expect((await server).data).toBe("from rest");

    const forbidden = new WebPubSubClient(await clientUrl(emu.endpoint, emu.accessKey, "pb"), {
      protocol: protocolOption(protocol),
    });
    await forbidden.start();
    await expect(forbidden.sendToGroup(group, "x", "text")).rejects.toMatchObject({
      errorDetail: { name: "Forbidden" },
    });
    // ackId 0 survives protobuf's default-value elision in both directions.
    expect(await client.leaveGroup(group, { ackId: 0 })).toEqual({ ackId: 0, isDuplicated: false });
    await Promise.all([client.stop(), forbidden.stop()]);
  });
});
