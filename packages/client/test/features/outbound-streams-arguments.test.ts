// What openGroupStream and a stream's writes refuse. Rules: openGroupStream (the feature module's function, which apps
// may call without the client's method) refuses a bad group name, options that are not an object, and a client whose
// protocol cannot carry group streams, each with a TypeError naming the problem, before anything is written; data that
// cannot be encoded is refused alone, without taking a sequence id, also when it waited for room in the buffer.
import { describe, expect, it } from "vitest";
import { WebPubSubClient } from "../../src/index.ts";
import { MAX_UNACKED_FRAGMENTS } from "../../src/outbound-stream.ts";
import { openGroupStream } from "../../src/outbound-streams.ts";
import { WebPubSubProtobufReliableProtocol } from "../../src/protobuf-protocols.ts";
import { opened } from "./opened.ts";
import { started } from "./started.ts";

describe("openGroupStream", () => {
  it("refuses a bad group name and options that are not an object, naming them, before writing anything", async () => {
    const { client, socket } = await started();
    await expect(openGroupStream(client, "")).rejects.toThrow(
      new TypeError("groupName must be 1 to 1024 characters long, got 0"),
    );
    await expect(openGroupStream(client, "g", null as never)).rejects.toThrow(
      new TypeError("options must be an object"),
    );
    expect(socket.framesOf("sendToGroup")).toEqual([]);
    await client.stop();
  });

  it("refuses a client on a protobuf subprotocol, naming openGroupStream", async () => {
    const client = new WebPubSubClient("ws://localhost:8080/client/hubs/chat?access_token=t", {
      protocol: WebPubSubProtobufReliableProtocol(),
    });
    await expect(openGroupStream(client, "g")).rejects.toThrow(
      new TypeError(
        'openGroupStream needs a JSON subprotocol ("json" or "json.reliable"): the protobuf subprotocols have no such messages',
      ),
    );
  });
});

it("a waiting write whose data cannot be encoded when its turn comes is refused alone: it takes no sequence id and the write behind it goes in", async () => {
  const { client, socket, writer } = await opened();
  for (let i = 0; i < MAX_UNACKED_FRAGMENTS; i++) await writer.write(`f${i}`, "text");
  // data with no JSON text at the call (so nothing to copy), which the caller changes while it waits
  const data: { toJSON(): unknown } = { toJSON: () => undefined };
  const first = writer.write("first", "text");
  const bad = writer.write(data, "json"); // behind another waiting write: encoded when its turn comes
  const next = writer.write("next", "text");
  data.toJSON = () => 1n; // a BigInt cannot be encoded
  socket.push({ type: "streamAck", streamId: "s1", expectedSequenceId: 3 }); // room for two
  await expect(bad).rejects.toThrow(TypeError);
  await Promise.all([first, next]);
  expect(socket.framesOf("streamData").slice(-2)).toEqual([
    {
      type: "streamData",
      streamId: "s1",
      streamSequenceId: MAX_UNACKED_FRAGMENTS + 1,
      dataType: "text",
      data: "first",
    },
    { type: "streamData", streamId: "s1", streamSequenceId: MAX_UNACKED_FRAGMENTS + 2, dataType: "text", data: "next" },
  ]);
  await client.stop();
});
