// The client's subprotocols: "json", "json.reliable" (the default), and the protobuf ones, passed as objects
// (WebPubSubProtobufProtocol(), WebPubSubProtobufReliableProtocol()) so that apps without protobuf do not bundle its
// codec. They carry the same messages; reliable ones also survive dropped connections, protobuf ones are smaller.
import {
  WebPubSubClient,
  type WebPubSubClientProtocol,
  WebPubSubProtobufProtocol,
  WebPubSubProtobufReliableProtocol,
  type WebPubSubProtocolName,
} from "@webpubsub/client";
import { uniqueName } from "../support/environment.ts";
import { Inbox } from "../support/inbox.ts";
import { expectEqual, log, runSample } from "../support/sample.ts";

const protocols: { label: string; protocol: WebPubSubProtocolName | WebPubSubClientProtocol }[] = [
  { label: "json", protocol: "json" },
  { label: "json.reliable", protocol: "json.reliable" },
  { label: "protobuf", protocol: WebPubSubProtobufProtocol() },
  { label: "protobuf.reliable", protocol: WebPubSubProtobufReliableProtocol() },
];

await runSample("choose a client protocol", async ({ service, settle }) => {
  const group = uniqueName("mixed");
  const { url } = await service.getClientAccessToken({ groups: [group], roles: [`webpubsub.sendToGroup.${group}`] });
  const peers = [];
  for (const { label, protocol } of protocols) {
    const client = new WebPubSubClient(url, { protocol });
    const inbox = new Inbox(client);
    await client.start();
    log(`${label.padEnd(17)} → subprotocol ${client.protocol}`);
    peers.push({ protocol: label, client, inbox, connectionId: client.connectionId ?? "" });
  }
  try {
    await service.sendToGroup(group, "text from the server");
    await service.sendToGroup(group, { json: true });
    // a binary message from a protobuf client reaches the JSON clients too (as base64 on their wire)
    await peers[2]?.client.sendToGroup(group, new Uint8Array([1, 2, 3]), "binary");
    await settle(...peers);
    for (const peer of peers) {
      expectEqual(
        peer.inbox.data(),
        ["text from the server", { json: true }, new Uint8Array([1, 2, 3])],
        `${peer.protocol}: text, JSON and binary arrived intact`,
      );
    }
  } finally {
    await Promise.all(peers.map((p) => p.client.stop()));
  }
});
