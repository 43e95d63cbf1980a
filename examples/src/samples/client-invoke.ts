// invokeEvent (@webpubsub/client): a request from the client to the app server's event handler, answered with the
// handler's reply. The handler here is @webpubsub/handler on node:http; the service forwards `invoke` to it like any
// user event and sends its answer back. A failed handler and an aborted call both reject with InvocationError.
// A real service must reach the handler over the internet, so this sample always runs against the emulator.
import { InvocationError } from "@webpubsub/client";
import { DEFAULT_ACCESS_KEY } from "@webpubsub/emulator";
import { WebPubSubEventHandler } from "@webpubsub/handler";
import { serveHandler } from "../support/handler-server.ts";
import { expectEqual, expectRejects, expectTrue, log, runSample } from "../support/sample.ts";

let upstreamCancelled: () => void = () => {};
const cancelled = new Promise<void>((resolve) => {
  upstreamCancelled = resolve;
});
const handler = new WebPubSubEventHandler("samples", {
  accessKeys: [DEFAULT_ACCESS_KEY],
  async handleUserEvent(req, res) {
    switch (req.context.eventName) {
      case "quote": {
        const { item, quantity } = req.data as { item: string; quantity: number };
        return res.success({ item, quantity, total: quantity * 3 }, "json");
      }
      case "slow":
        // an abort on the client sends cancelInvocation; the service drops this request, which aborts the signal
        req.context.signal.addEventListener("abort", () => upstreamCancelled());
        return new Promise<void>(() => {});
      default:
        return res.fail(400, `no such operation: ${req.context.eventName}`);
    }
  },
  onError: () => {},
});
const server = await serveHandler(handler);

await runSample(
  "invoke an event handler from the client and get its reply",
  async ({ connect }) => {
    try {
      const { client } = await connect({ userId: "alice" });

      const result = await client.invokeEvent("quote", { item: "apples", quantity: 4 }, "json");
      log(`invokeEvent("quote") -> ${JSON.stringify(result)}`);
      expectEqual(result.data, { item: "apples", quantity: 4, total: 12 }, "the handler's reply came back as JSON");
      expectTrue(typeof result.invocationId === "string", "every invocation has an id (generated when not given)");

      const failed = await expectRejects(
        client.invokeEvent("refund", "order 7", "text"),
        "a handler that fails rejects the call",
      );
      expectTrue(failed instanceof InvocationError, "the rejection is an InvocationError");
      log(`  errorDetail: ${JSON.stringify((failed as InvocationError).errorDetail)}`);

      const aborted = await expectRejects(
        client.invokeEvent("slow", "x", "text", { abortSignal: AbortSignal.timeout(200) }),
        "an abort signal ends the wait (here a 200 ms timeout)",
      );
      expectTrue(aborted instanceof InvocationError, "an aborted call rejects with InvocationError too");
      expectTrue(
        await cancelled.then(() => true),
        "the abort cancelled the upstream request (the handler's signal fired)",
      );
    } finally {
      server.close();
    }
  },
  {
    emulator: { hubs: { samples: { eventHandlers: [{ urlTemplate: server.urlTemplate, userEventPattern: "*" }] } } },
  },
);
