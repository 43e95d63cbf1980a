// One span per public method, named like the official package's spans.
import { type Instrumenter, type TracingSpan, useInstrumenter } from "@azure/core-tracing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CaptureServer, startCaptureServer } from "./helpers/capture-server.ts";
import { clientOf } from "./helpers/key-client.ts";

const spans: { name: string; status?: string; ended: boolean }[] = [];

const instrumenter: Instrumenter = {
  startSpan(name, spanOptions) {
    const record: { name: string; status?: string; ended: boolean } = { name, ended: false };
    spans.push(record);
    const span: TracingSpan = {
      setStatus: (s) => {
        record.status = s.status;
      },
      setAttribute: () => {},
      end: () => {
        record.ended = true;
      },
      recordException: () => {},
      isRecording: () => true,
    };
    return { span, tracingContext: spanOptions.tracingContext ?? createContext() };
  },
  withContext: (_ctx, callback, ...args) => callback(...args),
  parseTraceparentHeader: () => undefined,
  createRequestHeaders: () => ({}),
};

function createContext() {
  const values = new Map<symbol, unknown>();
  const ctx = {
    getValue: (k: symbol) => values.get(k),
    setValue: (k: symbol, v: unknown) => {
      values.set(k, v);
      return ctx;
    },
    deleteValue: (k: symbol) => {
      values.delete(k);
      return ctx;
    },
  };
  return ctx;
}

let server: CaptureServer;
beforeAll(async () => {
  server = await startCaptureServer();
  useInstrumenter(instrumenter);
});
afterAll(() => server.close());

describe("tracing", () => {
  it("creates exactly one WebPubSubServiceClient.<method> span per call, plus HTTP spans beneath", async () => {
    const client = clientOf(server);
    const calls: [string, () => Promise<unknown>][] = [
      ["sendToAll", () => client.sendToAll("m")],
      ["sendToUser", () => client.sendToUser("u", "m")],
      ["sendToGroup", () => client.sendToGroup("g", "m")],
      ["sendToConnection", () => client.sendToConnection("c", "m")],
      ["addUserToGroup", () => client.addUserToGroup("g", "u")],
      ["removeUserFromGroup", () => client.removeUserFromGroup("g", "u")],
      ["addConnectionToGroup", () => client.addConnectionToGroup("g", "c")],
      ["removeConnectionFromGroup", () => client.removeConnectionFromGroup("g", "c")],
      ["addConnectionsToGroups", () => client.addConnectionsToGroups(["g"], "userId eq 'u'")],
      ["removeConnectionsFromGroups", () => client.removeConnectionsFromGroups(["g"], "userId eq 'u'")],
      ["removeConnectionFromAllGroups", () => client.removeConnectionFromAllGroups("c")],
      ["removeUserFromAllGroups", () => client.removeUserFromAllGroups("u")],
      ["connectionExists", () => client.connectionExists("c")],
      ["userExists", () => client.userExists("u")],
      ["groupExists", () => client.groupExists("g")],
      ["closeConnection", () => client.closeConnection("c")],
      ["closeAllConnections", () => client.closeAllConnections()],
      ["closeUserConnections", () => client.closeUserConnections("u")],
      ["closeGroupConnections", () => client.closeGroupConnections("g")],
      ["grantPermission", () => client.grantPermission("c", "sendToGroup")],
      ["revokePermission", () => client.revokePermission("c", "sendToGroup")],
      ["checkPermission", () => client.checkPermission("c", "sendToGroup")],
      ["hasPermission", () => client.hasPermission("c", "sendToGroup")],
      ["getClientAccessToken", () => client.getClientAccessToken()],
      ["getServiceStatus", () => client.getServiceStatus()],
      ["listConnectionsInGroup", () => client.listConnectionsInGroup("g").next()],
    ];
    for (const [name, call] of calls) {
      spans.length = 0;
      await call();
      const ours = spans.filter((s) => s.name.startsWith("WebPubSubServiceClient."));
      expect(
        ours.map((s) => s.name),
        name,
      ).toEqual([`WebPubSubServiceClient.${name}`]);
      expect(ours[0]!.ended).toBe(true);
      expect(ours[0]!.status, name).toBe("success");
    }
  });

  it("names group client spans WebPubSubGroupClient.<method> and marks failures", async () => {
    const client = clientOf(server, {
      retryOptions: { maxRetries: 0 },
    });
    spans.length = 0;
    await client.group("g").addUser("u");
    expect(spans.filter((s) => s.name.startsWith("WebPubSub")).map((s) => s.name)).toEqual([
      "WebPubSubGroupClient.addUser",
    ]);
    spans.length = 0;
    server.script.push({ status: 500 });
    await expect(client.group("g").sendToAll("m")).rejects.toThrow();
    const span = spans.find((s) => s.name === "WebPubSubGroupClient.sendToAll");
    expect(span?.status).toBe("error");
  });

  it("makes one span per listing iteration however many pages it pulls", async () => {
    const client = clientOf(server);
    const base = `${server.endpoint}/api/hubs/hub/groups/g/connections`;
    const page = (ids: string[], next?: string) => ({
      status: 200,
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        value: ids.map((connectionId) => ({ connectionId })),
        ...(next ? { nextLink: next } : {}),
      }),
    });
    const script = () =>
      server.script.push(
        page(["a"], `${base}?continuationToken=2`),
        page(["b"], `${base}?continuationToken=3`),
        page(["c"]),
      );
    script();
    spans.length = 0;
    server.requests.length = 0;
    const ids: string[] = [];
    for await (const m of client.listConnectionsInGroup("g")) ids.push(m.connectionId);
    expect(ids).toEqual(["a", "b", "c"]);
    expect(server.requests).toHaveLength(3);
    const listing = spans.filter((s) => s.name.startsWith("WebPubSub"));
    expect(listing.map((s) => [s.name, s.ended, s.status])).toEqual([
      ["WebPubSubServiceClient.listConnectionsInGroup", true, "success"],
    ]);
    // byPage: one span per byPage() iteration, on the group client too.
    script();
    spans.length = 0;
    let pages = 0;
    for await (const _ of client.group("g").listConnections().byPage()) pages++;
    expect(pages).toBe(3);
    expect(spans.filter((s) => s.name.startsWith("WebPubSub")).map((s) => s.name)).toEqual([
      "WebPubSubGroupClient.listConnections",
    ]);
  });

  it("creates no method spans when tracingOptions.enabled is false", async () => {
    const client = clientOf(server, {
      tracingOptions: { enabled: false },
    });
    spans.length = 0;
    await client.sendToAll("m");
    await client.group("g").addUser("u");
    expect(spans.filter((s) => s.name.startsWith("WebPubSub"))).toEqual([]);
  });
});

describe("reported version", () => {
  it("is the package's version (pnpm version-packages keeps them in sync)", async () => {
    const { SDK_VERSION } = await import("../src/tracing.ts");
    const { readFileSync } = await import("node:fs");
    const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string };
    expect(SDK_VERSION).toBe(pkg.version);
  });
});
