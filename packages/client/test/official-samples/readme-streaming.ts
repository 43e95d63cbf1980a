// Section 6 of the official client's README ("Stream messages to a group"), with the same calls: only the import's
// package name differs, and the client access URL comes from WPS_CLIENT_ACCESS_URL instead of a pasted literal.
import { WebPubSubClient } from "@webpubsub/client";

const client = new WebPubSubClient(process.env.WPS_CLIENT_ACCESS_URL!);

// The receiving side subscribes once and reads every stream as a whole.
client.onGroupStream(
  async (stream) => {
    const parts: string[] = [];
    try {
      for await (const message of stream) parts.push(message.data as string);
      console.log(`Stream ${stream.streamId} completed: ${parts.join("")}`);
    } catch (err) {
      console.log(`Stream ${stream.streamId} failed: ${(err as { name?: string }).name}`);
    }
  },
  { handleFromStart: true },
);

await client.start();
const groupName = "group1";
await client.joinGroup(groupName);

// The sending side writes one logical stream as ordered fragments, then ends it.
const stream = await client.openGroupStream(groupName);
await stream.write("hello ", "text");
await stream.write("world", "text");
await stream.end();
