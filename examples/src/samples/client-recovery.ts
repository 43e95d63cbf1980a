// Reliable protocols ("json.reliable", the default, and "protobuf.reliable") resume a dropped connection: the
// session, its groups and its connection id survive, and messages sent meanwhile arrive exactly once, in order.
// Here the network failure is simulated by terminating the socket (no close frame, like a lost network).
import { WebPubSubClient } from "@webpubsub/client";
import WebSocket from "ws";
import { uniqueName } from "../support/environment.ts";
import { Inbox } from "../support/inbox.ts";
import { expectEqual, log, runSample } from "../support/sample.ts";

await runSample("recover a dropped connection", async ({ service, settle }) => {
  const user = uniqueName("dave");
  const { url } = await service.getClientAccessToken({ userId: user });

  // the `ws` package as the socket, so the sample can cut it
  let socket: WebSocket | undefined;
  const client = new WebPubSubClient(url, {
    webSocketFactory: (u, protocols) => {
      socket = new WebSocket(u, protocols);
      return socket;
    },
  });
  const inbox = new Inbox(client);
  const events: string[] = [];
  client.on("recovering", () => events.push("recovering"));
  client.on("recovered", () => events.push("recovered"));
  client.on("disconnected", () => events.push("disconnected"));
  const recovered = new Promise<void>((resolve) => client.once("recovered", () => resolve()));

  await client.start();
  const connectionId = client.connectionId;
  try {
    await service.sendToUser(user, "before the drop");
    await inbox.waitForCount(1);

    socket?.terminate(); // the TCP connection dies without a WebSocket close frame
    await service.sendToUser(user, "during the drop 1");
    await service.sendToUser(user, "during the drop 2");
    await recovered;
    await service.sendToUser(user, "after recovery");
    await settle({ client, inbox, connectionId: connectionId ?? "" });

    log(`events: ${events.join(", ")}`);
    expectEqual(events, ["recovering", "recovered"], "the client recovered (no disconnected event)");
    expectEqual(client.connectionId, connectionId, "it is still the same connection");
    expectEqual(
      inbox.data(),
      ["before the drop", "during the drop 1", "during the drop 2", "after recovery"],
      "every message arrived exactly once, in order",
    );
  } finally {
    await client.stop();
  }
});
