// Which requests the handler owns, the fetch() entry point, abuse protection and origin enforcement.
import { describe, expect, it } from "vitest";
import { WebPubSubEventHandler } from "../src/index.ts";
import { CONNECT, eventRequest } from "./helpers.ts";

const accept = new WebPubSubEventHandler("hub", { handleConnect: (_req, res) => res.success() });

describe("routing", () => {
  it("owns POSTs under its path prefix, case-insensitively, with or without trailing slash or {event} suffix", async () => {
    for (const path of [
      "/api/webpubsub/hubs/hub/",
      "/api/webpubsub/hubs/hub",
      "/API/WebPubSub/Hubs/Hub/",
      "/api/webpubsub/hubs/hub/connect",
      "/api/webpubsub/hubs/hub/?code=abc",
    ]) {
      const response = await accept.handle(eventRequest({ type: CONNECT, path }));
      expect(response?.status, path).toBe(204);
    }
  });

  it("matches ce-hub case-insensitively", async () => {
    expect((await accept.handle(eventRequest({ type: CONNECT, hub: "HUB" })))!.status).toBe(204);
  });

  it("falls through for other paths, methods, hubs, event types and non-CloudEvents requests", async () => {
    const cases: Request[] = [
      eventRequest({ type: CONNECT, path: "/api/webpubsub/hubs/hubx/" }),
      eventRequest({ type: CONNECT, path: "/other" }),
      eventRequest({ type: CONNECT, hub: "other" }),
      eventRequest({ type: "azure.webpubsub.sys.unknown" }),
      eventRequest({ type: "com.example.other" }),
      eventRequest({ type: "azure.webpubsub.user." }),
      eventRequest({ type: CONNECT, headers: { "ce-awpsversion": "", "ce-specversion": "" } }),
      new Request("http://localhost/api/webpubsub/hubs/hub/", { method: "PUT", body: "{}" }),
      new Request("http://localhost/api/webpubsub/hubs/hub/", { method: "GET" }),
      new Request("http://localhost/api/webpubsub/hubs/hub/", { method: "POST", body: "{}" }),
    ];
    cases[6]!.headers.delete("ce-awpsversion");
    cases[6]!.headers.delete("ce-specversion");
    for (const request of cases) expect(await accept.handle(request)).toBeUndefined();
  });

  it("fetch() answers 404 for what it does not own, or what onUnhandled says", async () => {
    const response = await accept.fetch(new Request("http://localhost/elsewhere"));
    expect(response.status).toBe(404);
    const custom = new WebPubSubEventHandler("hub", {
      onUnhandled: (request) => new Response(`next: ${new URL(request.url).pathname}`, { status: 418 }),
    });
    const other = await custom.fetch(new Request("http://localhost/elsewhere"));
    expect(other.status).toBe(418);
    expect(await other.text()).toBe("next: /elsewhere");
    // fetch is bound, so it can be passed around as a plain function
    const { fetch } = accept;
    expect((await fetch(eventRequest({ type: CONNECT }))).status).toBe(204);
  });

  it("uses a custom path ({hub} replaced, leading slash added)", async () => {
    const handler = new WebPubSubEventHandler("Chat", { path: "events/{hub}" });
    expect(handler.path).toBe("/events/chat/");
    const response = await handler.handle(eventRequest({ type: CONNECT, hub: "chat", path: "/events/chat" }));
    expect(response!.status).toBe(200);
  });

  it("rejects a request that is not a Request", async () => {
    await expect(accept.handle({} as Request)).rejects.toThrow(TypeError);
  });
});

describe("abuse protection", () => {
  const options = (headers: Record<string, string>, method = "OPTIONS") =>
    new Request("http://localhost/api/webpubsub/hubs/hub/", { method, headers });

  it("answers OPTIONS with WebHook-Allowed-Origin: * by default, with or without ce-awpsversion", async () => {
    for (const headers of [
      { "webhook-request-origin": "x.webpubsub.azure.com" },
      { "WebHook-Request-Origin": "x.com", "ce-awpsversion": "1.0" },
    ] as Record<string, string>[]) {
      const response = await accept.handle(options(headers));
      expect(response!.status).toBe(200);
      expect(response!.headers.get("webhook-allowed-origin")).toBe("*");
    }
  });

  it("answers the GET fallback the same way", async () => {
    const response = await accept.handle(options({ "webhook-request-origin": "x.com" }, "GET"));
    expect(response!.headers.get("webhook-allowed-origin")).toBe("*");
  });

  it("400 for a CloudEvents OPTIONS without origin; other OPTIONS fall through", async () => {
    expect((await accept.handle(options({ "ce-awpsversion": "1.0" })))!.status).toBe(400);
    expect(await accept.handle(options({}))).toBeUndefined();
  });

  it("lists the allowed hosts (hosts or URLs, deduplicated)", async () => {
    const handler = new WebPubSubEventHandler("hub", {
      allowedOrigins: [
        "Contoso.webpubsub.azure.com",
        "https://other.webpubsub.azure.com/x",
        "contoso.webpubsub.azure.com",
      ],
    });
    const response = await handler.handle(options({ "webhook-request-origin": "contoso.webpubsub.azure.com" }));
    expect(response!.headers.get("webhook-allowed-origin")).toBe(
      "contoso.webpubsub.azure.com, other.webpubsub.azure.com",
    );
  });

  it("enforces allowed origins on POST: 403 for another or a missing origin, user code not called", async () => {
    let calls = 0;
    const handler = new WebPubSubEventHandler("hub", {
      allowedOrigins: ["contoso.webpubsub.azure.com"],
      handleConnect: (_req, res) => {
        calls++;
        res.success();
      },
    });
    expect((await handler.handle(eventRequest({ type: CONNECT, origin: "evil.com" })))!.status).toBe(403);
    const missing = eventRequest({ type: CONNECT });
    missing.headers.delete("webhook-request-origin");
    expect((await handler.handle(missing))!.status).toBe(403);
    expect(calls).toBe(0);
    const fine = await handler.handle(eventRequest({ type: CONNECT, origin: "CONTOSO.webpubsub.azure.com" }));
    expect(fine!.status).toBe(204);
    expect(calls).toBe(1);
  });

  it('allowedOrigins ["*"] allows everything', async () => {
    const handler = new WebPubSubEventHandler("hub", { allowedOrigins: ["*"] });
    const response = await handler.handle(options({ "webhook-request-origin": "x.com" }));
    expect(response!.headers.get("webhook-allowed-origin")).toBe("*");
    expect((await handler.handle(eventRequest({ type: CONNECT, origin: "any.com" })))!.status).toBe(200);
  });
});
