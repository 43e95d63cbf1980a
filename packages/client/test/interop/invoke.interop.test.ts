// invokeEvent end to end: the official 1.1.0 client and ours invoke a user event that a `@webpubsub/handler` app
// (node:http) answers through the emulator, and both get the same reply; a failing handler and an abort look the
// same to both (InvocationError), and an abort reaches the upstream request.
import { InvocationError as OfficialInvocationError } from "@azure/web-pubsub-client";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { InvocationError } from "../../src/index.ts";
import { type Stage, signal, startStage } from "./peers.ts";

let stage: Stage;
beforeAll(async () => {
  stage = await startStage();
});
afterEach(() => stage.reset());
afterAll(() => stage.close());

describe("invokeEvent through the emulator to a @webpubsub/handler upstream", () => {
  it("the official client and ours get the handler's reply, for json, text and binary", async () => {
    const official = await stage.official({ userId: "official" });
    const ours = await stage.ours({ userId: "ours" }, { binaryType: "arraybuffer" });
    const seen: string[] = [];
    stage.onUserEvent = (req, res) => {
      seen.push(`${req.context.eventName} from ${req.context.userId}`);
      if (req.dataType === "json")
        return res.success({ total: (req.data as number[]).reduce((a, b) => a + b) }, "json");
      if (req.dataType === "text") return res.success(String(req.data).toUpperCase(), "text");
      res.success(Uint8Array.from(req.data as Uint8Array).reverse(), "binary");
    };
    for (const client of [official, ours]) {
      expect(await client.invokeEvent("sum", [1, 2, 3], "json")).toEqual({
        invocationId: expect.any(String),
        dataType: "json",
        data: { total: 6 },
      });
      expect(await client.invokeEvent("shout", "hi", "text", { invocationId: "fixed-id" })).toEqual({
        invocationId: "fixed-id",
        dataType: "text",
        data: "HI",
      });
      const bytes = await client.invokeEvent("reverse", new Uint8Array([1, 2, 3]).buffer, "binary");
      expect(bytes.dataType).toBe("binary");
      // both hand binary replies over as ArrayBuffer (ours with binaryType "arraybuffer", as the official does)
      expect(bytes.data).toBeInstanceOf(ArrayBuffer);
      expect([...new Uint8Array(bytes.data as ArrayBuffer)]).toEqual([3, 2, 1]);
    }
    expect(seen).toEqual([
      "sum from official",
      "shout from official",
      "reverse from official",
      "sum from ours",
      "shout from ours",
      "reverse from ours",
    ]);
  });

  it("a handler that fails rejects both with InvocationError carrying the service's error", async () => {
    stage.onUserEvent = (_req, res) => res.fail(400, "out of stock"); // a 4xx is not retried by the service;
    const official = await stage.official();
    const ours = await stage.ours();
    const theirs = await official.invokeEvent("order", "x", "text").catch((e: unknown) => e);
    const mine = await ours.invokeEvent("order", "x", "text").catch((e: unknown) => e);
    expect(theirs).toBeInstanceOf(OfficialInvocationError);
    expect(mine).toBeInstanceOf(InvocationError);
    const detail = (theirs as OfficialInvocationError).errorDetail;
    expect(detail?.name).toBe("InternalServerError");
    expect((mine as InvocationError).errorDetail).toEqual(detail);
  });

  it("our abort sends cancelInvocation: the upstream request is aborted and the call rejects at once", async () => {
    const upstreamAborted = signal();
    const reached = signal();
    stage.onUserEvent = async (req) => {
      req.context.signal.addEventListener("abort", () => upstreamAborted.resolve());
      reached.resolve();
      await new Promise<void>((resolve) => req.context.signal.addEventListener("abort", () => resolve()));
    };
    const ours = await stage.ours();
    const controller = new AbortController();
    const result = ours.invokeEvent("slow", "x", "text", { abortSignal: controller.signal });
    await reached.promise;
    controller.abort();
    await expect(result).rejects.toBeInstanceOf(InvocationError);
    await upstreamAborted.promise; // the emulator dropped the upstream request on cancelInvocation
    // the connection is still usable: the next invocation gets its reply
    stage.onUserEvent = (_req, res) => res.success("after", "text");
    expect((await ours.invokeEvent("fast", "x", "text")).data).toBe("after");
  });
});
