import { createHmac } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  createHttpHeaders,
  createPipelineFromOptions,
  createPipelineRequest,
  type HttpClient,
  type PipelinePolicy,
} from "@azure/core-rest-pipeline";
import { afterEach, beforeEach } from "vitest";

export const ACCESS_KEY = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789ABCDEFGH";

/** HS256 JWT with node:crypto, independent of the JWT code in @webpubsub/core (the recorder uses core only for shown()). */
export function signJwt(payload: Record<string, unknown>, key: string): string {
  const enc = (v: unknown) => Buffer.from(JSON.stringify(v)).toString("base64url");
  const body = `${enc({ alg: "HS256", typ: "JWT" })}.${enc(payload)}`;
  return `${body}.${createHmac("sha256", key).update(body).digest("base64url")}`;
}

export function verifyJwt(token: string, key: string): boolean {
  const [h, p, s] = token.split(".");
  return !!h && !!p && createHmac("sha256", key).update(`${h}.${p}`).digest("base64url") === s;
}

export async function tempDir(): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), "wps-recorder-"));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** A fresh temporary folder for each test of the calling file, removed after the test; `path(...)` names a file in it. */
export function tempDirPerTest(): { path(...names: string[]): string } {
  let current: { dir: string; cleanup: () => Promise<void> } | undefined;
  beforeEach(async () => {
    current = await tempDir();
  });
  afterEach(async () => {
    await current?.cleanup();
    current = undefined;
  });
  return {
    path(...names) {
      if (current === undefined) throw new Error("the temporary folder exists only while a test runs");
      return join(current.dir, ...names);
    },
  };
}

export type Handler = (req: IncomingMessage, body: string, res: ServerResponse) => void;

/** A node:http server on 127.0.0.1, port 0. */
export async function startServer(
  handler: Handler,
): Promise<{ server: Server; endpoint: string; close: () => Promise<void> }> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => handler(req, Buffer.concat(chunks).toString("utf8"), res));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    server,
    endpoint: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((e) => (e ? reject(e) : resolve()));
      }),
  };
}

/** An HTTP client that fails the test if anything reaches the network. */
export const noNetwork: HttpClient = {
  sendRequest: async (request) => {
    throw new Error(`network used in playback: ${request.method} ${request.url}`);
  },
};

/** A pipeline with no retries and the recorder policy last. */
export function pipelineWith(policy: PipelinePolicy, extra: PipelinePolicy[] = []) {
  const pipeline = createPipelineFromOptions({ retryOptions: { maxRetries: 0 } });
  for (const p of extra) pipeline.addPolicy(p);
  pipeline.addPolicy(policy, { afterPhase: "Sign" });
  return pipeline;
}

export { createHttpHeaders, createPipelineRequest };
