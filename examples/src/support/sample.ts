// The frame every sample runs in: opens the environment, runs the sample body with a global timeout, prints what
// it checked, cleans up, and exits 0 only if every check passed.
import { inspect, isDeepStrictEqual } from "node:util";
import { WebPubSubClient, type WebPubSubClientOptions } from "@webpubsub/client";
import type { EmulatorOptions } from "@webpubsub/emulator";
import { type GetClientAccessTokenOptions, WebPubSubServiceClient } from "@webpubsub/service";
import { openEnvironment, type ServiceEnvironment } from "./environment.ts";
import { Inbox, type Received } from "./inbox.ts";

/** A started client, what it received, and its connection id. */
export interface Peer {
  client: WebPubSubClient;
  inbox: Inbox;
  connectionId: string;
}

export interface SampleContext extends ServiceEnvironment {
  /** A service client for the environment's hub. */
  service: WebPubSubServiceClient;
  /** Mints a token, starts a WebSocket client with it and records what it receives; stopped at the end. */
  connect(token?: GetClientAccessTokenOptions, options?: WebPubSubClientOptions): Promise<Peer>;
  /** Stops a client (and forgets it). */
  stop(client: WebPubSubClient): Promise<void>;
  /**
   * Waits until everything sent so far has reached these clients: sends each a marker message and waits for it
   * (a connection receives messages in order), then removes the marker. After it, what a peer's inbox lacks was
   * not delivered to it.
   */
  settle(...peers: Peer[]): Promise<void>;
}

export interface SampleOptions {
  /** Options of the emulator started when no connection string is set. */
  emulator?: EmulatorOptions;
  /** Whole-sample time limit (default 30 s). */
  timeoutMs?: number;
}

/** Prints one line of what the sample did. */
export function log(line: string): void {
  console.log(`  ${line}`);
}

/** Compares `actual` with `expected` (deep equality), prints the check, and throws if they differ. */
export function expectEqual<T>(actual: T, expected: T, what: string): void {
  if (!isDeepStrictEqual(actual, expected)) {
    throw new Error(`check failed: ${what}: expected ${inspect(expected)}, got ${inspect(actual)}`);
  }
  console.log(`  ✔ ${what}`);
}

/** Prints the check, and throws if `condition` is false. */
export function expectTrue(condition: boolean, what: string): void {
  if (!condition) throw new Error(`check failed: ${what}`);
  console.log(`  ✔ ${what}`);
}

/** Expects `work` to reject and returns the error. */
export async function expectRejects(work: Promise<unknown>, what: string): Promise<unknown> {
  try {
    await work;
  } catch (error) {
    console.log(`  ✔ ${what} (${error instanceof Error ? `${error.name}: ${error.message}` : String(error)})`);
    return error;
  }
  throw new Error(`check failed: ${what}: it succeeded`);
}

/** Runs a sample: `await runSample("send to all", async ({ service }) => { ... })`. Exits the process. */
export async function runSample(
  title: string,
  body: (context: SampleContext) => Promise<void>,
  options: SampleOptions = {},
): Promise<never> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const timer = setTimeout(() => {
    console.error(`✘ ${title}: timed out after ${timeoutMs} ms`);
    process.exit(1);
  }, timeoutMs);
  const clients = new Set<WebPubSubClient>();
  let markers = 0;
  let env: ServiceEnvironment | undefined;
  let failure: unknown;
  try {
    env = await openEnvironment(options.emulator);
    const where = env.emulator ? `the emulator at ${env.emulator.endpoint}` : "AZURE_WEBPUBSUB_CONNECTION_STRING";
    console.log(`${title} (hub "${env.hub}" on ${where})`);
    const service = new WebPubSubServiceClient(env.connectionString, env.hub);
    const context: SampleContext = {
      ...env,
      service,
      async connect(token = {}, clientOptions = {}) {
        const { url } = await service.getClientAccessToken(token);
        const client = new WebPubSubClient(url, clientOptions);
        const inbox = new Inbox(client);
        clients.add(client);
        await client.start();
        return { client, inbox, connectionId: client.connectionId ?? "" };
      },
      async settle(...peers) {
        for (const peer of peers) {
          const marker = `settle-${++markers}`;
          await service.sendToConnection(peer.connectionId, { marker });
          const isMarker = (m: Received) => (m.data as { marker?: string } | null)?.marker === marker;
          await peer.inbox.waitFor((ms) => ms.some(isMarker), `the marker message at ${peer.connectionId}`);
          peer.inbox.messages.splice(peer.inbox.messages.findIndex(isMarker), 1);
        }
      },
      async stop(client) {
        clients.delete(client);
        await client.stop();
      },
    };
    await body(context);
  } catch (error) {
    failure = error;
  }
  await Promise.allSettled([...clients].map((c) => c.stop()));
  await env?.close().catch(() => {});
  clearTimeout(timer);
  if (failure !== undefined) {
    console.error(`✘ ${title}: ${failure instanceof Error ? failure.message : inspect(failure)}`);
    process.exit(1);
  }
  console.log(`✔ ${title}: all checks passed`);
  process.exit(0);
}
