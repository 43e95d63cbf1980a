// What an upgrade request asks for (src/ws/upgrade-target.ts), before anyone is authenticated: the endpoint and the
// hub, the offered subprotocols, a reliable session's recovery, and a simple client's mode.
import type { IncomingMessage } from "node:http";
import { describe, expect, it } from "vitest";
import { CLIENT_ENDPOINT, MQTT_ENDPOINT } from "../src/protocols/endpoints.ts";
import type { PublicOrigin } from "../src/public-origin.ts";
import { UpgradeRefused } from "../src/ws/refusal.ts";
import { parseTarget, simpleClientMode } from "../src/ws/upgrade-target.ts";

const ORIGIN: PublicOrigin = { scheme: "http", host: "localhost:8080", origin: "http://localhost:8080" };

function upgrade(url: string | undefined, protocols?: string): IncomingMessage {
  const headers: Record<string, string> = {};
  if (protocols !== undefined) headers["sec-websocket-protocol"] = protocols;
  return { url, headers } as unknown as IncomingMessage;
}

function refusalOf(fn: () => unknown): UpgradeRefused {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(UpgradeRefused);
    return e as UpgradeRefused;
  }
  throw new Error("expected an UpgradeRefused");
}

const target = (url: string | undefined, protocols?: string) => parseTarget(upgrade(url, protocols), ORIGIN);
const mode = (q: string) => simpleClientMode(new URL(`http://h/client/hubs/a?${q}`));

describe("the endpoint and hub of an upgrade", () => {
  it("reads the hub from /client/hubs/{hub} (decoded, trailing slashes ignored) or /client?hub=", () => {
    const byPath = target("/client/hubs/Chat%5B1%5D//?x=1");
    expect([byPath.endpoint, byPath.hubName]).toEqual([CLIENT_ENDPOINT, "Chat[1]"]);
    expect(byPath.url.href).toBe("http://localhost:8080/client/hubs/Chat%5B1%5D//?x=1");
    expect(byPath.origin).toBe(ORIGIN);
    const byQuery = target("/client?hub=chat");
    expect([byQuery.endpoint, byQuery.hubName]).toEqual([CLIENT_ENDPOINT, "chat"]);
  });

  it("reads the MQTT endpoint's hub from /clients/mqtt/hubs/{hub}", () => {
    const t = target("/clients/mqtt/hubs/chat");
    expect([t.endpoint, t.hubName]).toEqual([MQTT_ENDPOINT, "chat"]);
  });

  it("refuses /client without a hub query parameter with 400", () => {
    const r = refusalOf(() => target("/client"));
    expect([r.status, r.message]).toEqual([400, "Missing 'hub' query parameter."]);
  });

  it("refuses a hub name that is not valid with 400, naming it, and one that does not decode", () => {
    const bad = refusalOf(() => target("/client/hubs/1chat"));
    expect([bad.status, bad.message]).toEqual([400, `Invalid hub name "1chat".`]);
    expect(refusalOf(() => target("/client?hub=")).message).toBe(`Invalid hub name "".`);
    const undecodable = refusalOf(() => target("/client/hubs/%E0%A4%A"));
    expect([undecodable.status, undecodable.message]).toEqual([400, "Invalid hub name encoding."]);
  });

  it("refuses another path with 404 naming the client endpoints", () => {
    for (const url of ["/other", "/", undefined]) {
      const r = refusalOf(() => target(url));
      expect([r.status, r.message]).toEqual([
        404,
        "Not found. Clients connect to /client/hubs/{hub} or /clients/mqtt/hubs/{hub}.",
      ]);
    }
  });

  it("refuses a request URL that is not a URL with 400", () => {
    const r = refusalOf(() => target("//["));
    expect([r.status, r.message]).toEqual([400, "Invalid request URL."]);
  });
});

describe("what else an upgrade asks for", () => {
  it("offers the subprotocols of Sec-WebSocket-Protocol in order, trimmed, empty entries left out", () => {
    expect(target("/client/hubs/a", " json.webpubsub.azure.v1 ,,protobuf.webpubsub.azure.v1 , ").offered).toEqual([
      "json.webpubsub.azure.v1",
      "protobuf.webpubsub.azure.v1",
    ]);
    expect(target("/client/hubs/a").offered).toEqual([]);
  });

  it("asks for a recovery only with both awps_connection_id and awps_reconnection_token", () => {
    expect(target("/client/hubs/a?awps_connection_id=c&awps_reconnection_token=t").recovery).toEqual({
      connectionId: "c",
      token: "t",
    });
    expect(target("/client/hubs/a?awps_connection_id=c").recovery).toBeUndefined();
    expect(target("/client/hubs/a?awps_reconnection_token=t").recovery).toBeUndefined();
  });
});

describe("a simple client's mode", () => {
  it("is sendEvent by default, echoing its own messages", () => {
    expect(mode("")).toEqual({ publishGroup: undefined, noEcho: false });
    expect(mode("webpubsub_mode=SendEvent&group=g")).toEqual({ publishGroup: undefined, noEcho: false });
  });

  it("sendToGroup (any case) publishes to a valid group", () => {
    expect(mode("webpubsub_mode=SENDTOGROUP&group=g")).toEqual({ publishGroup: "g", noEcho: false });
    for (const q of ["webpubsub_mode=sendToGroup", "webpubsub_mode=sendToGroup&group=%20"]) {
      const r = refusalOf(() => mode(q));
      expect([r.status, r.message]).toEqual([400, "webpubsub_mode=sendToGroup needs a valid 'group'."]);
    }
  });

  it("refuses another mode with 400", () => {
    const r = refusalOf(() => mode("webpubsub_mode=broadcast"));
    expect([r.status, r.message]).toEqual([400, "webpubsub_mode must be sendEvent or sendToGroup."]);
  });

  it("takes noEcho=true in any case as no echo, anything else as echo", () => {
    expect(mode("noEcho=TRUE").noEcho).toBe(true);
    expect(mode("noEcho=1").noEcho).toBe(false);
  });
});
