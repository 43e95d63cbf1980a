// A small app as a user writes it, compiled by the release tests in an ES module project and in a CommonJS project
// (the same source: `import` becomes require() in the CommonJS one) and run from the packed tarballs. It starts an
// event handler under node:http and the emulator's CLI pointed at it, mints a client token, connects a client (the
// handler's connect answer puts it in a group), and sends to that group through the service client.
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { WebPubSubClient } from "@webpubsub/client";
import { WebPubSubEventHandler } from "@webpubsub/handler";
import { toNodeListener } from "@webpubsub/handler/node";
import { WebPubSubServiceClient } from "@webpubsub/service";

const HUB = "chat";
const STEP_MS = 60_000;

/** Fails with the step's name instead of hanging when something never happens. */
function within<T>(promise: Promise<T>, step: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${step}: nothing after ${STEP_MS} ms`)), STEP_MS);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function emulatorConnectionString(emulator: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = "";
    emulator.stdout?.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      const match = /Connection string: (Endpoint=\S+)/.exec(out);
      if (match?.[1]) resolve(match[1]);
    });
    emulator.once("exit", (code) => reject(new Error(`the emulator exited (${code}) before its banner: ${out}`)));
  });
}

async function main(): Promise<void> {
  const bin = process.env.WEBPUBSUB_EMULATOR_BIN;
  if (!bin) throw new Error("WEBPUBSUB_EMULATOR_BIN must name the emulator's CLI script");

  let onConnected!: (userId: string | undefined) => void;
  const connected = new Promise<string | undefined>((resolve) => {
    onConnected = resolve;
  });
  const handler = new WebPubSubEventHandler(HUB, {
    handleConnect: (_request, response) => response.success({ groups: ["room"] }),
    onConnected: (request) => onConnected(request.context.userId),
  });
  const server = createServer(toNodeListener(handler)).listen(0, "127.0.0.1");
  await within(once(server, "listening"), "event handler listening");
  const { port } = server.address() as AddressInfo;

  const emulator = spawn(
    process.execPath,
    [bin, "--port", "0", "--event-handler", `${HUB}=http://127.0.0.1:${port}/api/webpubsub/hubs/{hub}/`],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  let exitCode: unknown;
  try {
    const connectionString = await within(emulatorConnectionString(emulator), "emulator banner");
    const service = WebPubSubServiceClient.fromConnectionString(connectionString, HUB);
    const { url } = await within(service.getClientAccessToken({ userId: "alice" }), "client token");

    const client = new WebPubSubClient(url);
    const received = new Promise<unknown>((resolve) => {
      client.on("group-message", (event) => resolve(event.message.data));
    });
    await within(client.start(), "client start");
    const userId = await within(connected, "handler's connected event");
    await within(service.group("room").sendToAll("hello room"), "send to the group");
    const data = await within(received, "group message");
    await client.stop();
    if (userId !== "alice" || data !== "hello room") {
      throw new Error(`unexpected: connected ${String(userId)}, received ${JSON.stringify(data)}`);
    }
    console.log(`consumer app ok: ${JSON.stringify({ userId, data })}`);
  } finally {
    const exited = once(emulator, "exit");
    emulator.kill("SIGINT");
    [exitCode] = await within(exited, "emulator exit on SIGINT");
    server.close();
  }
  if (exitCode !== 0) throw new Error(`the emulator exited with ${String(exitCode)} on SIGINT`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
