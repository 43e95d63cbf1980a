// ce-signature validation: on by default with keys, any configured key (rotation), 401 before any user code runs.
import { hmacSha256Hex } from "@webpubsub/core";
import { describe, expect, it } from "vitest";
import { WebPubSubEventHandler, type WebPubSubEventHandlerOptions } from "../src/index.ts";
import { CONNECT, CONNECTED, eventRequest, KEY, OTHER_KEY, signedEventRequest, USER_MESSAGE } from "./helpers.ts";

function counting(options: WebPubSubEventHandlerOptions) {
  const calls: string[] = [];
  const handler = new WebPubSubEventHandler("hub", {
    ...options,
    handleConnect: (_req, res) => {
      calls.push("connect");
      res.success();
    },
    handleUserEvent: (_req, res) => {
      calls.push("user");
      res.success("ok", "text");
    },
    onConnected: () => {
      calls.push("connected");
    },
  });
  return { handler, calls };
}

describe("signature validation", () => {
  it("accepts a valid signature made with the configured key", async () => {
    const { handler, calls } = counting({ accessKeys: [KEY] });
    const response = await handler.handle(await signedEventRequest({ type: CONNECT }));
    expect(response!.status).toBe(204);
    expect(calls).toEqual(["connect"]);
  });

  it("is on by default with a connection string", async () => {
    const { handler, calls } = counting({
      connectionString: `Endpoint=http://localhost:8080;AccessKey=${KEY};Version=1.0;`,
    });
    expect((await handler.handle(eventRequest({ type: CONNECT })))!.status).toBe(401);
    expect((await handler.handle(await signedEventRequest({ type: CONNECT })))!.status).toBe(204);
    expect(calls).toEqual(["connect"]);
  });

  it.each([
    ["missing", undefined],
    ["empty", ""],
    ["garbage", "sha256=bogus"],
    ["made with another key", "other"],
    ["made for another connection", "another-connection"],
    ["without the sha256= prefix", "plain"],
  ])("rejects a %s signature with 401 and never calls user code", async (_name, kind) => {
    const { handler, calls } = counting({ accessKeys: [KEY] });
    let signature: string | undefined;
    if (kind === "other") signature = `sha256=${await hmacSha256Hex(OTHER_KEY, "conn1")}`;
    else if (kind === "another-connection") signature = `sha256=${await hmacSha256Hex(KEY, "conn2")}`;
    else if (kind === "plain") signature = await hmacSha256Hex(KEY, "conn1");
    else signature = kind;
    for (const type of [CONNECT, USER_MESSAGE, CONNECTED]) {
      const headers: Record<string, string> = signature === undefined ? {} : { "ce-signature": signature };
      const response = await handler.handle(eventRequest({ type, headers, contentType: "text/plain", body: "x" }));
      expect(response!.status).toBe(401);
      expect(await response!.text()).toBe("Unauthorized");
    }
    expect(calls).toEqual([]);
  });

  it("accepts either key during rotation (service signs with both, or with only the new one)", async () => {
    const { handler, calls } = counting({ accessKeys: [KEY, OTHER_KEY] });
    // the service sends one entry per key: primary,secondary
    expect((await handler.handle(await signedEventRequest({ type: CONNECT }, [OTHER_KEY, KEY])))!.status).toBe(204);
    // only the secondary key matches one entry
    expect((await handler.handle(await signedEventRequest({ type: CONNECT }, [OTHER_KEY])))!.status).toBe(204);
    // an entry from an unknown key next to a valid one is still fine (the valid entry matches)
    const unknown = `sha256=${await hmacSha256Hex("unknown-key", "conn1")}`;
    const valid = `sha256=${await hmacSha256Hex(KEY, "conn1")}`;
    const mixed = eventRequest({ type: CONNECT, headers: { "ce-signature": `${unknown},${valid}` } });
    expect((await handler.handle(mixed))!.status).toBe(204);
    // a handler that only knows the old key refuses a signature made only with the new one
    const old = counting({ accessKeys: [KEY] });
    expect((await old.handler.handle(await signedEventRequest({ type: CONNECT }, [OTHER_KEY])))!.status).toBe(401);
    expect(calls).toEqual(["connect", "connect", "connect"]);
  });

  it("compares hex case-insensitively (some services send uppercase)", async () => {
    const { handler } = counting({ accessKeys: [KEY] });
    const upper = `sha256=${(await hmacSha256Hex(KEY, "conn1")).toUpperCase()}`;
    const response = await handler.handle(eventRequest({ type: CONNECT, headers: { "ce-signature": upper } }));
    expect(response!.status).toBe(204);
  });

  it("can be switched off explicitly, and is off without keys", async () => {
    const off = counting({ accessKeys: [KEY], verifySignature: false });
    expect((await off.handler.handle(eventRequest({ type: CONNECT })))!.status).toBe(204);
    const none = counting({});
    expect((await none.handler.handle(eventRequest({ type: CONNECT })))!.status).toBe(204);
  });

  it("checks the signature before reading the body (a huge unsigned body is refused with 401, not 413)", async () => {
    const { handler } = counting({ accessKeys: [KEY], maxBodyBytes: 10 });
    const response = await handler.handle(eventRequest({ type: CONNECT, body: "x".repeat(1000) }));
    expect(response!.status).toBe(401);
  });

  it("does not verify requests it does not own (other hub falls through)", async () => {
    const { handler } = counting({ accessKeys: [KEY] });
    expect(await handler.handle(eventRequest({ type: CONNECT, hub: "other" }))).toBeUndefined();
  });
});
