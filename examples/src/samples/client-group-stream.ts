// Group streams (@webpubsub/client): one client writes an ordered stream of fragments to a group with
// openGroupStream; another reads each stream whole with onGroupStream and `for await`. Then a stream ended with an
// application error (abort), and a start without permission to send to the group (Forbidden).
import { GroupStreamError } from "@webpubsub/client";
import { uniqueName } from "../support/environment.ts";
import { expectEqual, expectRejects, expectTrue, log, runSample } from "../support/sample.ts";

await runSample("stream fragments to a group and read them in order", async ({ connect }) => {
  const group = uniqueName("uploads");
  const writerPeer = await connect({ userId: "alice", roles: [`webpubsub.sendToGroup.${group}`] });
  const readerPeer = await connect({ userId: "bob", groups: [group] });

  // The reader: one callback per stream; iterating ends at the stream's end or throws its error.
  const outcomes: { streamId: string; text: string; error?: string; code?: string }[] = [];
  let streamDone: () => void = () => {};
  let done = new Promise<void>((resolve) => {
    streamDone = resolve;
  });
  const subscription = readerPeer.client.onGroupStream(async (stream) => {
    let text = "";
    try {
      for await (const fragment of stream) text += fragment.data as string;
      outcomes.push({ streamId: stream.streamId, text });
    } catch (error) {
      const e = error as GroupStreamError;
      outcomes.push({ streamId: stream.streamId, text, error: e.name, code: e.userErrorCode });
    }
    streamDone();
  });

  // The writer: write() resolves once the fragment is buffered and sent (it waits when 256 are unacknowledged),
  // end() once the service closed the stream.
  const writer = await writerPeer.client.openGroupStream(group);
  const words = ["Streams ", "arrive ", "in ", "order, ", "each ", "fragment ", "once."];
  for (const word of words) await writer.write(word, "text");
  await writer.end();
  await done;
  log(`bob read stream ${writer.streamId}: "${outcomes[0]?.text}"`);
  expectEqual(
    outcomes[0],
    { streamId: writer.streamId, text: words.join("") },
    "the reader got every fragment, in order",
  );

  // abort(): the stream ends with the writer's error; readers see it as a UserError with its code.
  done = new Promise<void>((resolve) => {
    streamDone = resolve;
  });
  const second = await writerPeer.client.openGroupStream(group);
  await second.write("half an upload", "text");
  await second.abort({ message: "the user cancelled the upload", userErrorCode: "UploadCancelled" });
  await done;
  expectEqual(
    outcomes[1],
    { streamId: second.streamId, text: "half an upload", error: "UserError", code: "UploadCancelled" },
    "an aborted stream ends the reader's iteration with UserError and the writer's code",
  );

  // A client without the sendToGroup role for the group cannot open a stream to it.
  const refused = await expectRejects(
    readerPeer.client.openGroupStream(group),
    "a start without permission to send to the group is refused",
  );
  expectTrue(refused instanceof GroupStreamError && refused.name === "Forbidden", "the refusal is Forbidden");
  await subscription.close();
});
