// Protobuf subprotocols against the emulator. They need core's protobufCodec and the emulator's protobuf support.
import * as core from "@webpubsub/core";
import { startEmulator } from "@webpubsub/emulator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DataMessage, WebPubSubClient } from "../src/index.ts";
import { clientUrl, rest } from "./emulator-helpers.ts";

const hasCodec = "protobufCodec" in core;
if (!hasCodec) console.warn("protobuf tests skipped: @webpubsub/core has no protobufCodec yet");

let emu: Awaited<ReturnType<typeof startEmulator>>;
beforeAll(async () => {
  emu = await startEmulator({ port: 0 });
});
afterAll(async () => {
  await emu?.close();
});

describe.skipIf(!hasCodec).each(["protobuf", "protobuf.reliable"] as const)("%s", (protocol) => {
  it("round-trips text, json, binary and protobuf data, acks and server messages", async () => {
    const url = () =>
      clientUrl(emu.endpoint, emu.accessKey, "pb", {
        userId: "pb-user",
        roles: ["webpubsub.joinLeaveGroup", "webpubsub.sendToGroup"],
      });
    const client = new WebPubSubClient({ getClientAccessUrl: url }, { protocol });
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
    await client.sendToGroup(group, new Uint8Array([8, 1]), "protobuf");
    await four;
    expect(received.slice(0, 3).map((m) => [m.dataType, m.data])).toEqual([
      ["text", "text"],
      ["json", { a: [1, 2] }],
      ["binary", new Uint8Array([0, 1, 2])],
    ]);
    if (protocol === "protobuf.reliable") expect(received.every((m) => (m.sequenceId ?? 0) > 0)).toBe(true);

    const server = new Promise<DataMessage>((resolve) => client.once("server-message", (e) => resolve(e.message)));
    await rest(emu.endpoint, emu.accessKey, "POST", `pb/connections/${client.connectionId}/:send`, {
      contentType: "text/plain",
      data: "from rest",
    });
    expect((await server).data).toBe("from rest");

    const forbidden = new WebPubSubClient(await clientUrl(emu.endpoint, emu.accessKey, "pb"), { protocol });
    await forbidden.start();
    await expect(forbidden.sendToGroup(group, "x", "text")).rejects.toMatchObject({
      errorDetail: { name: "Forbidden" },
    });
    await Promise.all([client.stop(), forbidden.stop()]);
  });
});
