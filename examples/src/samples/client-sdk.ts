// The WebSocket client (@webpubsub/client): connect with a URL from your server, listen to events, join a group,
// send to it, leave, and stop. Every operation resolves on the service's ack. (sendEvent needs an event handler on
// the server: see event-handler.ts.)
import { WebPubSubClient } from "@webpubsub/client";
import { uniqueName } from "../support/environment.ts";
import { expectEqual, log, runSample } from "../support/sample.ts";

await runSample("use the WebSocket client", async ({ service }) => {
  const group = uniqueName("chat");
  // In an app the browser fetches this from your server (e.g. GET /negotiate), which calls getClientAccessToken.
  const negotiate = async () =>
    (
      await service.getClientAccessToken({
        userId: "alice",
        roles: ["webpubsub.joinLeaveGroup", "webpubsub.sendToGroup"],
      })
    ).url;

  // A function is called again for every new connection, so reconnects get a fresh token.
  const client = new WebPubSubClient({ getClientAccessUrl: negotiate });
  const seen: string[] = [];
  client.on("connected", (e) => seen.push(`connected as ${e.userId}`));
  client.on("group-message", (e) => seen.push(`group ${e.message.group === group ? "chat" : "?"}: ${e.message.data}`));
  client.on("server-message", (e) => seen.push(`server: ${e.message.data}`));
  client.on("stopped", () => seen.push("stopped"));

  const last = new Promise<void>((resolve) => {
    client.on("server-message", (e) => {
      if (e.message.data === "last one") resolve();
    });
  });

  await client.start(); // resolves once the service said "connected"
  log(`state ${client.state}, connection ${client.connectionId}, protocol ${client.protocol}`);

  const joined = await client.joinGroup(group);
  log(`joinGroup acked (ackId ${joined.ackId})`);
  const sent = await client.sendToGroup(group, "hello group", "text");
  log(`sendToGroup acked (ackId ${sent.ackId}, duplicate: ${sent.isDuplicated})`);
  await client.sendToGroup(group, { shape: "json" }, "json", { noEcho: true }); // noEcho: not back to the sender
  await service.sendToUser("alice", "hello from the server");
  await client.leaveGroup(group);
  await service.sendToGroup(group, "after leaving: not received");
  await service.sendToUser("alice", "last one");
  await last;
  await client.stop(); // resolves after the "stopped" event

  for (const line of seen) log(`event: ${line}`);
  expectEqual(
    seen,
    ["connected as alice", "group chat: hello group", "server: hello from the server", "server: last one", "stopped"],
    "the client saw its own group message (not the noEcho one), the server's messages, and nothing after leaving",
  );
  expectEqual(client.state, "Stopped", "the client is stopped");
});
