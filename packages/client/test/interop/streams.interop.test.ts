// Group streams between the two clients through the emulator, each direction: 1,000 fragments written by one are
// read by the other in order, once each, with the stream's sequence ids 1..1000 and a clean end.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { fragments, STREAM_ROLES, type Stage, signal, startStage } from "./peers.ts";

let stage: Stage;
beforeAll(async () => {
  stage = await startStage();
});
afterEach(() => stage.reset());
afterAll(() => stage.close());

const TOTAL = 1000;

interface Read {
  streamIds: string[];
  data: unknown[];
  sequenceIds: number[];
  error?: string;
}

describe("group streams between the official client and ours", () => {
  it(`the official client writes ${TOTAL} fragments; our onGroupStream reads them in order`, async () => {
    // json.webpubsub.azure.v1 for the reader: the official writer sends all 1,000 fragments at once, the emulator
    // publishes them in one burst, and a reliable reader (ours as well as the official) cannot acknowledge before
    // more than the 1,000 messages the service keeps unacknowledged are out: it is closed with 1008.
    const reader = await stage.ours({ userId: "reader", groups: ["g"] }, { protocol: "json" });
    const read: Read = { streamIds: [], data: [], sequenceIds: [] };
    const done = signal();
    const subscription = reader.onGroupStream(async (stream) => {
      read.streamIds.push(stream.streamId);
      try {
        for await (const fragment of stream) {
          read.data.push(fragment.data);
          read.sequenceIds.push(fragment.stream.streamSequenceId);
        }
      } catch (error) {
        read.error = (error as Error).name;
      }
      done.resolve();
    });
    await subscription.ready;

    const writer = await (await stage.official({ userId: "writer", roles: STREAM_ROLES })).openGroupStream("g");
    for (const text of fragments(TOTAL)) await writer.write(text, "text");
    await writer.end();
    await done.promise;

    expect(read).toEqual({
      streamIds: [writer.streamId],
      data: fragments(TOTAL),
      sequenceIds: Array.from({ length: TOTAL }, (_, i) => i + 1),
    });
  }, 60_000);

  it(`our client writes ${TOTAL} fragments; the official onGroupStream reads them in order`, async () => {
    // The official reader uses json.webpubsub.azure.v1: over the reliable protocol it acknowledges so rarely that a
    // burst of 1,000 messages exceeds what the service keeps unacknowledged for a connection.
    const reader = await stage.official({ userId: "reader", groups: ["g"] }, { plainJson: true });
    const read: Read = { streamIds: [], data: [], sequenceIds: [] };
    const done = signal();
    reader.onGroupStream(async (stream) => {
      read.streamIds.push(stream.streamId);
      try {
        for await (const fragment of stream) {
          read.data.push(fragment.data);
          read.sequenceIds.push(fragment.stream?.streamSequenceId ?? -1);
        }
      } catch (error) {
        read.error = (error as Error).name;
      }
      done.resolve();
    });

    const writer = await (await stage.ours({ userId: "writer", roles: STREAM_ROLES })).openGroupStream("g");
    const json = fragments(TOTAL).map((text, i) => ({ i, text }));
    for (const value of json) await writer.write(value, "json");
    await writer.end();
    await done.promise;

    expect(read).toEqual({
      streamIds: [writer.streamId],
      data: json,
      sequenceIds: Array.from({ length: TOTAL }, (_, i) => i + 1),
    });
  }, 60_000);

  it(`a reliable reader keeps up with our writer: its window of unacknowledged fragments bounds the burst`, async () => {
    const reader = await stage.ours({ userId: "reader", groups: ["g"] }); // json.reliable
    const data: unknown[] = [];
    const done = signal<string | undefined>();
    const subscription = reader.onGroupStream(async (stream) => {
      try {
        for await (const fragment of stream) data.push(fragment.data);
        done.resolve(undefined);
      } catch (error) {
        done.resolve((error as Error).name);
      }
    });
    await subscription.ready;
    const writer = await (await stage.ours({ userId: "writer", roles: STREAM_ROLES })).openGroupStream("g");
    for (const text of fragments(TOTAL)) await writer.write(text, "text");
    await writer.end();
    expect(await done.promise).toBeUndefined();
    expect(data).toEqual(fragments(TOTAL));
  }, 60_000);
});
