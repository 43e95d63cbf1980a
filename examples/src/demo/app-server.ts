// The demo's application server: the emulator calls it for `connect` and for the `chat` user event.
//   connect: the user id comes from the `?user=` query parameter of the client URL, or else from the token's `sub`.
//   chat:    the text is broadcast to every connection with `broadcast` (the demo passes @webpubsub/service's
//            sendToAll; the app server starts first because the emulator needs its URL).
//   whoami:  answers an `invokeEvent` with who is asking (the user id and connection id the service reports).
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { WebPubSubEventHandler } from "@webpubsub/handler";
import { toNodeListener } from "@webpubsub/handler/node";

export interface AppServer {
  /** What the emulator's event handler setting points at (`urlTemplate`). */
  handlerUrl: string;
  /** Users the connect handler accepted, in order. */
  readonly accepted: string[];
  close(): Promise<void>;
}

export async function startAppServer(
  hub: string,
  accessKey: string,
  broadcast: (message: { from: string | null; text: string }) => Promise<void>,
): Promise<AppServer> {
  const accepted: string[] = [];
  const handler = new WebPubSubEventHandler(hub, {
    // With the access key the handler checks the emulator's ce-signature on every call.
    accessKeys: [accessKey],
    handleConnect(req, res) {
      const userId = req.query?.user?.[0] ?? req.claims?.sub?.[0];
      if (!userId) return res.fail(401, "add ?user=<name> to the client URL or put a user id in the token");
      accepted.push(userId);
      res.success({ userId });
    },
    async handleUserEvent(req, res) {
      if (req.context.eventName === "whoami") {
        const asked = req.dataType === "json" ? req.data : null;
        return res.success({ userId: req.context.userId ?? null, asked }, "json");
      }
      if (req.context.eventName !== "chat") return res.fail(400, `unknown event ${req.context.eventName}`);
      // Broadcast before answering, so the sender's ack means "everyone has been sent the message".
      await broadcast({ from: req.context.userId ?? null, text: String(req.data) });
      res.success();
    },
    onError: (error) => console.error("app server handler error:", error),
  });
  const server = createServer(toNodeListener(handler));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    handlerUrl: `http://127.0.0.1:${port}/api/webpubsub/hubs/{hub}/`,
    accepted,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
