// The child-process helpers: ready on the first IPC message (or an error if the child exits first), answers matched
// by type, and a stop that ends even a child that ignores the disconnect.
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { forkReady, ipcRequest, stopChild } from "../src/index.ts";

const CHILD = fileURLToPath(new URL("./fixtures/ipc-child.ts", import.meta.url));
const options = { stdio: ["ignore", "inherit", "inherit", "ipc"] as ["ignore", "inherit", "inherit", "ipc"] };
const quiet = { stdio: ["ignore", "ignore", "ignore", "ipc"] as ["ignore", "ignore", "ignore", "ipc"] };

describe("forkReady, ipcRequest, stopChild", () => {
  it("resolves with the first message, answers by type, and stops a child that exits on disconnect", async () => {
    const { child, ready } = await forkReady<{ type: string; argv: string[] }>(CHILD, ["a"], options);
    expect(ready).toEqual({ type: "ready", argv: ["a"] });
    expect(await ipcRequest(child, { type: "ping" }, "pong")).toEqual({ type: "pong", pid: child.pid });
    await stopChild(child);
    expect(child.exitCode).toBe(0);
    await stopChild(child); // stopping a stopped child resolves at once
  });

  it("kills a child that does not exit within the grace period", async () => {
    const { child } = await forkReady(CHILD, ["stubborn"], options);
    await stopChild(child, 50);
    expect(child.signalCode).toBe("SIGKILL");
  });

  it("rejects when the child exits before it is ready", async () => {
    await expect(
      forkReady(fileURLToPath(new URL("./fixtures/missing.ts", import.meta.url)), [], quiet),
    ).rejects.toThrow(/exited with 1 before it was ready/);
  });
});
