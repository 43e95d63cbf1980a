// Type-level tests, checked by `pnpm typecheck` (tsc): each @ts-expect-error line must be a compile error, or the
// typecheck fails with "Unused '@ts-expect-error' directive". Never executed.
import type { WebPubSubRestClient } from "../src/index.ts";

export async function typeTests(client: WebPubSubRestClient): Promise<void> {
  // Correct calls compile.
  await client.path("/api/hubs/{hub}/:send", "chat").post({ contentType: "text/plain", body: "hi" });
  await client.path("/api/hubs/{hub}/groups/{group}/:send", "chat", "g").post({ body: { any: "json" } });
  await client.path("/api/hubs/{hub}/:addToGroups", "chat").post({ body: { groups: ["g"] } });
  await client
    .path("/api/hubs/{hub}/permissions/{permission}/connections/{connectionId}", "h", "sendToGroup", "c")
    .put();

  // Wrong number of path arguments.
  // @ts-expect-error the template has one placeholder
  client.path("/api/hubs/{hub}/:send");
  // @ts-expect-error the template has one placeholder
  client.path("/api/hubs/{hub}/:send", "chat", "extra");
  // @ts-expect-error the template has three placeholders
  client.path("/api/hubs/{hub}/groups/{group}/connections/{connectionId}", "chat", "g");
  // @ts-expect-error not a route of the API
  client.path("/api/hubs/{hub}/nothing", "chat");

  // Wrong body types.
  // @ts-expect-error text/plain takes a string
  await client.path("/api/hubs/{hub}/:send", "chat").post({ contentType: "text/plain", body: 42 });
  // @ts-expect-error application/octet-stream takes bytes
  await client.path("/api/hubs/{hub}/:send", "chat").post({ contentType: "application/octet-stream", body: "text" });
  // @ts-expect-error not a content type of the operation
  await client.path("/api/hubs/{hub}/:send", "chat").post({ contentType: "application/xml", body: "<a/>" });
  // @ts-expect-error groups must be an array of strings
  await client.path("/api/hubs/{hub}/:addToGroups", "chat").post({ body: { groups: "g" } });
  // @ts-expect-error the body is required
  await client.path("/api/hubs/{hub}/:addToGroups", "chat").post({});
  // @ts-expect-error excluded is an array of connection ids
  await client.path("/api/hubs/{hub}/:closeConnections", "chat").post({ queryParameters: { excluded: "c1" } });
  const toUser = client.path("/api/hubs/{hub}/users/{userId}/:send", "h", "u");
  // @ts-expect-error messageTtlSeconds is a number
  await toUser.post({ body: 1, queryParameters: { messageTtlSeconds: "5" } });
  // @ts-expect-error a HEAD-only route has no get
  await client.path("/api/hubs/{hub}/users/{userId}", "h", "u").get();
}
