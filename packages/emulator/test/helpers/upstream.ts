// Shared setup for the UpstreamInvoker tests: local handler servers and invokers that are closed after each test.
import { afterEach } from "vitest";
import type { UpstreamInvokerOptions } from "../../src/upstream/index.ts";
import {
  allEvents,
  type HandlerServer,
  makeInvoker,
  type Responder,
  startHandlerServer,
} from "../upstream-fixtures/handler-server.ts";

/** Answers every request with 204 and no body. */
export const noContent: Responder = (_req, res) => {
  res.statusCode = 204;
  res.end();
};

/**
 * Registers an `afterEach` that runs, newest first, every cleanup queued during the test. Call once at the top
 * level of a test file.
 */
export function upstreamHarness() {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    while (cleanups.length > 0) await cleanups.pop()!();
  });

  /** Queues `fn` to run after the current test. */
  function defer(fn: () => Promise<void>): void {
    cleanups.push(fn);
  }

  /** A handler server answering with `respond` (default: validation passes, events get 204). */
  async function server(respond?: Responder): Promise<HandlerServer> {
    const hs = await startHandlerServer(respond);
    defer(() => hs.close());
    return hs;
  }

  /** A handler server whose validation passes and whose POSTs go to `onPost`. */
  function handler(onPost: Responder): Promise<HandlerServer> {
    return server((req, res) => {
      if (req.method === "OPTIONS") {
        res.setHeader("WebHook-Allowed-Origin", "*");
        res.end();
        return;
      }
      return onPost(req, res);
    });
  }

  /** An invoker sending every event to `hs`. */
  function invokerFor(hs: HandlerServer, overrides: Partial<UpstreamInvokerOptions> = {}) {
    const made = makeInvoker([allEvents(hs.base)], overrides);
    defer(() => made.invoker.close());
    return made;
  }

  return { defer, server, handler, invokerFor };
}
