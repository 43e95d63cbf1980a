// A group stream through the emulator: one client writes N fragments of 1 KB (`for ... await writer.write()`, the
// README pattern, then `end()`), a raw `ws` reader in the group (its own process) takes them; fragments/s and MB/s from the first write
// to the reader's end of stream, with our client vs the official 1.1.0 as the publisher. The reader is the same for
// both (json.webpubsub.azure.v1, it checks the order), so the difference is the publisher's.
import { WebPubSubClient as OfficialClient } from "@azure/web-pubsub-client";
import { WebPubSubClient } from "@webpubsub/client";
import { clientAudience, clientBaseUrl, signJwt } from "@webpubsub/core";
import { type Benchmark, interleave } from "../harness.ts";
import { startWorker, type Worker, withWorker } from "../processes.ts";
import { EMULATOR_KEY } from "../tokens.ts";

const HUB = "streams";
const FRAGMENT = "s".repeat(1024);

/** What this benchmark uses of either client. */
interface Publisher {
  start(): Promise<void>;
  openGroupStream(
    group: string,
  ): Promise<{ write(data: string, dataType: "text"): Promise<void>; end(): Promise<void> }>;
  stop(): Promise<void> | void;
}

async function url(endpoint: string, claims: Record<string, unknown>): Promise<string> {
  const token = await signJwt({ ...claims, aud: clientAudience(endpoint, HUB) }, EMULATOR_KEY, {
    expiresInSeconds: 3600,
  });
  return `${clientBaseUrl(endpoint, HUB)}?access_token=${token}`;
}

/** A started publisher of `Client` (ours or the official one), allowed to send to groups. */
async function startPublisher(Client: new (url: string) => Publisher, endpoint: string): Promise<Publisher> {
  const client = new Client(await url(endpoint, { role: ["webpubsub.sendToGroup"] }));
  await client.start();
  return client;
}

type Reader = Worker<{ type: string }>;

/** The reader process, joined to `group` by its token. */
async function reader(endpoint: string, group: string): Promise<Reader> {
  return startWorker<{ type: string }>("stream-reader", [], [await url(endpoint, { "webpubsub.group": [group] })]);
}

/** One stream of `n` fragments; returns fragments per second from the first write to the reader's end. */
async function stream(publisher: Publisher, read: Reader, group: string, n: number) {
  await read.request({ type: "expect", n }, "armed");
  const writer = await publisher.openGroupStream(group);
  const ended = read.request<{ error?: string }>({}, "ended");
  const start = performance.now();
  for (let i = 0; i < n; i++) await writer.write(FRAGMENT, "text");
  await writer.end();
  const { error } = await ended;
  if (error) throw new Error(error);
  return (n * 1000) / (performance.now() - start);
}

async function measure(Client: new (url: string) => Publisher, endpoint: string, n: number): Promise<number> {
  const group = `st${Math.random().toString(36).slice(2, 8)}`;
  const read = await reader(endpoint, group);
  const publisher = await startPublisher(Client, endpoint);
  try {
    await stream(publisher, read, group, 200); // warm-up: first-use costs are not what we measure
    return await stream(publisher, read, group, n);
  } finally {
    await publisher.stop();
    await read.stop();
  }
}

export const streamThroughput: Benchmark = {
  name: "stream-throughput",
  description: "a group stream of 1 KB fragments through the emulator, ours vs the official client as publisher",
  async run(ctx) {
    return withWorker("emulator", async (emulator: Worker<{ endpoint: string }>) => {
      const endpoint = emulator.ready.endpoint;
      const n = ctx.quick ? 5000 : 20_000;
      const samples = await interleave(
        ctx.rounds,
        {
          ours: () => measure(WebPubSubClient, endpoint, n),
          official: () => measure(OfficialClient, endpoint, n),
        },
        ctx.log,
      );
      const baselineName = "@azure/web-pubsub-client 1.1.0";
      const mb = (perSecond: number) => (perSecond * FRAGMENT.length) / 1e6;
      return [
        {
          metric: `stream of ${n} x 1 KB fragments, awaited writes`,
          unit: "fragments/s",
          better: "higher",
          ours: samples.ours,
          baseline: samples.official,
          baselineName,
        },
        {
          metric: "same, payload",
          unit: "MB/s",
          better: "higher",
          ours: samples.ours.map(mb),
          baseline: samples.official.map(mb),
          baselineName,
        },
      ];
    });
  },
};
