// The event handler (@webpubsub/handler): the HTTP endpoint the service calls for connect, user events and
// connected/disconnected. Here it runs on node:http; the emulator is configured to call it.
// A real service must reach the handler over the internet, so this sample always runs against the emulator.
import { WebPubSubClient } from "@webpubsub/client";
import { DEFAULT_ACCESS_KEY } from "@webpubsub/emulator";
import { WebPubSubEventHandler } from "@webpubsub/handler";
import { serveHandler } from "../support/handler-server.ts";
import { Inbox } from "../support/inbox.ts";
import { expectEqual, expectRejects, log, runSample } from "../support/sample.ts";

const events: string[] = [];
let sawDisconnect: () => void = () => {};
const disconnected = new Promise<void>((resolve) => {
  sawDisconnect = resolve;
});
const handler = new WebPubSubEventHandler("samples", {
  accessKeys: [DEFAULT_ACCESS_KEY], // verify the service's signature on every call
  handleConnect(req, res) {
    const name = req.query?.name?.[0];
    if (!name) return res.fail(401, "pass ?name=");
    res.setState("joinedAt", "today"); // connection state, sent back with every later event
    res.success({ userId: name, groups: ["lobby"] });
  },
  handleUserEvent(req, res) {
    if (req.context.eventName === "echo")
      return res.success(`echo: ${req.data} (state ${req.context.states.joinedAt})`, "text");
    res.fail(400, `unknown event ${req.context.eventName}`);
  },
  onConnected: (req) => void events.push(`connected ${req.context.userId}`),
  onDisconnected: (req) => {
    events.push(`disconnected ${req.context.userId}`);
    sawDisconnect();
  },
});
const server = await serveHandler(handler);

await runSample(
  "handle connect, user events and connected/disconnected",
  async ({ service }) => {
    try {
      const { url } = await service.getClientAccessToken(); // no user id: the connect handler decides it
      // The service reports a failed event handler as InternalServerError, which the client retries (backing off);
      // no retries here, so the failing event below is rejected at once.
      const client = new WebPubSubClient(`${url}&name=alice`, { messageRetryOptions: { maxRetries: 0 } });
      const inbox = new Inbox(client);
      await client.start();
      expectEqual(client.userId, "alice", "the connect handler set the user id from ?name=");

      // the handler's reply to a user event comes back to the sender as a server message
      await client.sendEvent("echo", "hello", "text");
      await inbox.waitForCount(1);
      expectEqual(
        inbox.data(),
        ["echo: hello (state today)"],
        "the user event handler replied, with the connection state",
      );
      await expectRejects(
        client.sendEvent("nope", "?", "text"),
        "an event the handler fails is rejected to the client",
      );

      await service.sendToGroup("lobby", "lobby message");
      await inbox.waitForCount(2);
      expectEqual(inbox.messages[1]?.group, "lobby", "the connect handler put the client in the lobby group");

      await client.stop();
      const rejected = new WebPubSubClient(url, { autoReconnect: false });
      await expectRejects(rejected.start(), "a client without ?name= is refused by the connect handler");

      await disconnected; // delivered after the connection ended (runSample's timeout bounds the wait)
      for (const e of events) log(`handler saw: ${e}`);
      expectEqual(events, ["connected alice", "disconnected alice"], "the handler saw connected and disconnected");
    } finally {
      server.close();
    }
  },
  {
    emulator: {
      hubs: {
        samples: {
          eventHandlers: [
            {
              urlTemplate: server.urlTemplate,
              userEventPattern: "*",
              systemEvents: ["connect", "connected", "disconnected"],
            },
          ],
        },
      },
    },
  },
);
