// The official client's samples run unchanged against the emulator with only the import changed to
// @webpubsub/client: each file here runs as its own Node process twice, once with our client and once with the
// official 1.1.0 (official-client-hooks.ts maps the import back), and both must print the same.
import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { clientUrl } from "../emulator-helpers.ts";
import { HUB, STREAM_ROLES, type Stage, startStage } from "../interop/peers.ts";

const here = fileURLToPath(new URL(".", import.meta.url));
let stage: Stage;
beforeAll(async () => {
  stage = await startStage();
});
afterEach(() => stage.reset());
afterAll(() => stage.close());

const children = new Set<ChildProcess>();
afterEach(() => {
  for (const child of children) child.kill();
  children.clear();
});

type Which = "ours" | "official";

/**
 * Runs `file` with `which` client until it exits, or until its output matches `until` (the README snippets never
 * stop their client, so their process would not end on its own). Resolves with what it printed, normalized: ids
 * that change between runs become placeholders.
 */
function run(
  file: string,
  which: Which,
  env: Record<string, string>,
  until?: RegExp,
): Promise<{ code: number | null; out: string }> {
  const args = ["--conditions=source", "--no-warnings"];
  if (which === "official") args.push("--import", `${here}official-client-hooks.ts`);
  const child = spawn(process.execPath, [...args, `${here}${file}`], {
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.add(child);
  let out = "";
  return new Promise((resolve, reject) => {
    const done = (code: number | null) => {
      children.delete(child);
      resolve({ code, out: normalize(out) });
    };
    const read = (chunk: Buffer) => {
      out += chunk.toString();
      if (process.env.DEBUG_SAMPLES) console.log(chunk.toString());
      if (until?.test(out)) {
        child.off("exit", done);
        child.kill();
        done(0);
      }
    };
    child.stdout.on("data", read);
    child.stderr.on("data", read);
    child.on("error", reject);
    child.on("exit", done);
  });
}

const normalize = (text: string) =>
  text
    .replace(/Connection [\w-]+ is connected/g, "Connection <id> is connected")
    .replace(/Stream [0-9a-f-]{36}/g, "Stream <id>");

const lines = (out: string) => out.trim().split("\n");
const emulatorUrl = (roles: string[] = []) =>
  clientUrl(`http://127.0.0.1:${stage.emulator.port}`, stage.emulator.accessKey, HUB, { roles });

describe("official client samples, with the import changed to @webpubsub/client", () => {
  it("helloworld: connect through a credential, join, send text (fire and forget), json and binary, stop", async () => {
    const env = { WPS_CONNECTION_STRING: stage.emulator.connectionString };
    const ours = await run("helloworld.ts", "ours", env);
    // the official process lingers after stop() when its parent is vitest: its last line ends the wait
    const official = await run("helloworld.ts", "official", env, /Connection disconnected: .*\n/);
    const common = [
      "Connection <id> is connected.",
      'Received message from testGroup "hello world"',
      'Received message from testGroup {"a":12,"b":"hello"}',
      'Received message from testGroup "hello json"',
    ];
    expect(lines(official.out)).toEqual([
      ...common,
      "Received message from testGroup aGVsbG9w",
      "Connection disconnected: undefined",
    ]);
    expect(ours.code).toBe(0); // it ran to its end and exited on its own
    // The two documented differences (packages/client/README.md, "How it differs"): binary data arrives as a
    // Uint8Array unless `binaryType: "arraybuffer"` is set, so the sample's `instanceof ArrayBuffer` branch is not
    // taken; and stop() ends with `stopped`, not with a `disconnected` event.
    expect(lines(ours.out)).toEqual([
      ...common,
      'Received message from testGroup {"0":104,"1":101,"2":108,"3":108,"4":111,"5":112}',
    ]);
  });

  it("README section 5: invokeEvent gets the upstream handler's reply", async () => {
    stage.onUserEvent = (req, res) => {
      if (req.context.eventName !== "processOrder") return res.fail(400, "unknown event");
      res.success({ orderId: (req.data as { orderId: number }).orderId, status: "accepted" }, "json");
    };
    const env = { WPS_CLIENT_ACCESS_URL: await emulatorUrl() };
    const until = /Invocation result: .*\n/;
    for (const which of ["ours", "official"] as const) {
      const result = await run("readme-invoke.ts", which, env, until);
      expect(lines(result.out), which).toEqual(['Invocation result: {"orderId":1,"status":"accepted"}']);
    }
  });

  it("README section 6: the client streams to a group it reads from, and reads the stream whole", async () => {
    const env = { WPS_CLIENT_ACCESS_URL: await emulatorUrl(STREAM_ROLES) };
    const until = /Stream .* (completed|failed).*\n/;
    for (const which of ["ours", "official"] as const) {
      const result = await run("readme-streaming.ts", which, env, until);
      expect(lines(result.out), which).toEqual(["Stream <id> completed: hello world"]);
    }
  });
});
