// `pnpm demo` as a child process: every step passes, one line per step, exit code 0.
import { expect, test } from "vitest";
import { runNode } from "./run-node.ts";

test("the demo walks through every step and exits 0", async () => {
  const run = await runNode("src/demo/main.ts");
  expect(run.stderr).toBe("");
  expect(run.code, run.stdout).toBe(0);
  const passed = run.stdout.split("\n").filter((line) => /^\s*\d+ ✔ /.test(line));
  const failed = run.stdout.split("\n").filter((line) => /^\s*\d+ ✘ /.test(line));
  expect(failed).toEqual([]);
  expect(passed.length).toBeGreaterThanOrEqual(20);
  for (const step of [
    "a client access token carries the user id, roles and groups",
    'alice invokes "whoami" on the app server and gets its reply (invokeEvent)',
    "send to all: text",
    "send to all: JSON",
    "send to a user",
    "send to a group",
    "alice streams five fragments to lobby; dave reads the stream in order",
    "send to one connection",
    "group membership by user",
    "group membership by connection",
    "filters:",
    "connection, user and group existence",
    "permissions: check, grant, use, revoke",
    "close a connection with a reason",
    "close all of a user's connections",
    "the reliable client recovers a dropped connection",
  ]) {
    expect(
      passed.some((line) => line.includes(step)),
      `a passed step line with "${step}"`,
    ).toBe(true);
  }
  expect(run.stdout).toContain(
    'alice → invokeEvent("whoami") ← json {"userId":"alice","asked":{"question":"who am I?"}}',
  );
  expect(run.stdout).toContain("dave  ← part 1, part 2, part 3, part 4, part 5");
  expect(run.stdout).toContain("dave ← m1, m2, m3, m4, m5, m6");
  expect(run.stdout).toMatch(/✔ all \d+ steps passed in [\d.]+ s/);
});
