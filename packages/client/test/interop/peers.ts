// The stage of the interop tests: an emulator whose event handler is a `@webpubsub/handler` app on node:http, and
// helpers that connect our client and the official `@azure/web-pubsub-client` 1.1.0 to it (directly or through the
// fault proxy).
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import {
  WebPubSubClient as OfficialClient,
  WebPubSubJsonProtocol as officialJson,
  WebPubSubJsonReliableProtocol as officialReliable,
} from "@azure/web-pubsub-client";
import { DEFAULT_ACCESS_KEY, type EmulatorOptions, type RunningEmulator, startEmulator } from "@webpubsub/emulator";
import { type UserEventRequest, type UserEventResponseHandler, WebPubSubEventHandler } from "@webpubsub/handler";
import { toNodeListener } from "@webpubsub/handler/node";
import { type FaultProxy, startFaultProxy } from "@webpubsub/test-kit";
import { WebPubSubClient, type WebPubSubClientOptions } from "../../src/index.ts";
import { type ClientUrlOptions, clientUrl } from "../emulator-helpers.ts";

export const HUB = "interop";
export const STREAM_ROLES = ["webpubsub.joinLeaveGroup", "webpubsub.sendToGroup"];

export type UserEventHandler = (req: UserEventRequest, res: UserEventResponseHandler) => void | Promise<void>;

export interface Stage {
  emulator: RunningEmulator;
  /** Replace to change how the upstream answers user events (invoke and sendEvent); reset after each test. */
  onUserEvent: UserEventHandler;
  /** Our client for the hub, started; stopped by `close()`. */
  ours(token?: ClientUrlOptions, options?: WebPubSubClientOptions, via?: FaultProxy): Promise<WebPubSubClient>;
  /** The official client, started; `plainJson` picks json.webpubsub.azure.v1 over the reliable default. */
  official(token?: ClientUrlOptions, options?: { plainJson?: boolean }, via?: FaultProxy): Promise<OfficialClient>;
  /** A fault proxy in front of the emulator; closed by `close()`. */
  proxy(): Promise<FaultProxy>;
  /** Stops every client and proxy made so far (call after each test). */
  reset(): Promise<void>;
  close(): Promise<void>;
}

const echo: UserEventHandler = (req, res) => {
  if (req.dataType === "json") return res.success({ echo: req.data }, "json");
  if (req.dataType === "text") return res.success(`echo: ${req.data}`, "text");
  res.success(req.data, "binary");
};

export async function startStage(emulatorOptions: EmulatorOptions = {}): Promise<Stage> {
  const stage = { onUserEvent: echo } as Stage;
  const handler = new WebPubSubEventHandler(HUB, {
    accessKeys: [DEFAULT_ACCESS_KEY], // the emulator's signatures are checked
    handleUserEvent: (req, res) => stage.onUserEvent(req, res),
    onError: () => {}, // the tests that make a handler fail assert what the client sees
  });
  const server: Server = createServer(toNodeListener(handler));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const handlerUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/webpubsub/hubs/{hub}/`;
  const emulator = await startEmulator({
    port: 0,
    accessKey: DEFAULT_ACCESS_KEY,
    hubs: { [HUB]: { eventHandlers: [{ urlTemplate: handlerUrl, userEventPattern: "*" }] } },
    ...emulatorOptions,
  });
  const cleanup: (() => unknown)[] = [];
  const endpointOf = (via?: FaultProxy) => `http://127.0.0.1:${via ? via.port : emulator.port}`;

  Object.assign(stage, {
    emulator,
    async ours(token: ClientUrlOptions = {}, options: WebPubSubClientOptions = {}, via?: FaultProxy) {
      const endpoint = endpointOf(via);
      const client = new WebPubSubClient(
        { getClientAccessUrl: () => clientUrl(endpoint, emulator.accessKey, HUB, token) },
        { reconnectRetryOptions: { retryDelayInMs: 20, maxRetryDelayInMs: 200 }, ...options },
      );
      cleanup.push(() => client.stop());
      await client.start();
      return client;
    },
    async official(token: ClientUrlOptions = {}, options: { plainJson?: boolean } = {}, via?: FaultProxy) {
      const url = await clientUrl(endpointOf(via), emulator.accessKey, HUB, token);
      const client = new OfficialClient(url, {
        protocol: options.plainJson ? officialJson() : officialReliable(),
        reconnectRetryOptions: { retryDelayInMs: 20, maxRetryDelayInMs: 200 },
      });
      cleanup.push(() => client.stop());
      await client.start();
      return client;
    },
    async proxy() {
      const p = await startFaultProxy(emulator.port);
      cleanup.push(() => p.close());
      return p;
    },
    async reset() {
      for (const fn of cleanup.splice(0).reverse()) await fn();
      stage.onUserEvent = echo;
    },
    async close() {
      await stage.reset();
      await emulator.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  });
  return stage;
}

/** A promise with its resolve function, for waits on events. */
export function signal<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

/** `n` numbered fragment texts: "fragment 0" ... */
export function fragments(n: number): string[] {
  return Array.from({ length: n }, (_, i) => `fragment ${i}`);
}
