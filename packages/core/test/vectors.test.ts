// Cases from the vendored test vectors (inputs and outputs of the official SDKs' public tests).
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import {
  clientAudience,
  clientBaseUrl,
  type DownstreamMessage,
  decodeJwt,
  jsonCodec,
  parseConnectionString,
  signJwt,
  type UpstreamMessage,
  verifyJwt,
} from "@webpubsub/core";
import { describe, expect, test } from "vitest";

// The vendored vectors at the repository root (fixtures/reference/README.md names their source).
const VECTORS_PATH = fileURLToPath(new URL("../../../fixtures/reference/vectors.json", import.meta.url));
// biome-ignore lint/suspicious/noExplicitAny: free-form JSON test data
const vectors: any = JSON.parse(readFileSync(VECTORS_PATH, "utf8"));

/** The vectors write bytes as "<bytes 'xyz'>". */
function revive(value: unknown): unknown {
  if (typeof value === "string") {
    const m = /^<bytes '(.*)'>$/.exec(value);
    return m ? new TextEncoder().encode(m[1]) : value;
  }
  return value;
}

const stripTrailingSlash = (s: string) => s.replace(/\/$/, "");

interface ConnectionStringCase {
  input: string;
  endpoint?: string;
  key?: string;
  throws?: boolean;
}

describe("vectors: connectionString", () => {
  const cases: [string, ConnectionStringCase][] = Object.entries(
    vectors.connectionString as Record<string, ConnectionStringCase[]>,
  ).flatMap(([source, list]) => list.map((c) => [source, c] as [string, ConnectionStringCase]));

  test("has cases", () => {
    expect(cases.length).toBeGreaterThan(5);
  });

  test.each(cases)("%s: %j", (_source, c) => {
    if (c.throws) {
      expect(() => parseConnectionString(c.input)).toThrow(TypeError);
      return;
    }
    const parsed = parseConnectionString(c.input);
    // Our endpoint never ends with "/"; some SDKs print one.
    expect(parsed.endpoint).toBe(stripTrailingSlash(c.endpoint!));
    if (c.key !== undefined) expect(parsed.accessKey).toBe(c.key);
    else expect(parsed.accessKey).toBe("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789ABCDEFGH");
  });
});

interface UrlCase {
  conn: string;
  hub: string;
  protocol?: "mqtt" | "socketio";
  baseUrl: string;
  aud: string;
}

describe("vectors: clientAccessUrl", () => {
  const urls: UrlCase[] = vectors.clientAccessUrl.urls;

  test.each(urls)("%j", (c) => {
    const { endpoint } = parseConnectionString(c.conn);
    expect(clientBaseUrl(endpoint, c.hub, c.protocol)).toBe(c.baseUrl);
    expect(clientAudience(endpoint, c.hub, c.protocol)).toBe(c.aud);
  });

  test.each(urls)("a client token for %j verifies against its audience", async (c) => {
    const { endpoint, accessKey } = parseConnectionString(c.conn);
    const token = await signJwt({ aud: clientAudience(endpoint, c.hub, c.protocol) }, accessKey, {
      expiresInSeconds: 300,
    });
    await expect(verifyJwt(token, accessKey, { audience: c.aud })).resolves.toMatchObject({ aud: c.aud });
  });

  test("claims: no user/roles/groups gives exactly aud, iat, exp; 5 minutes means exp - iat = 300", async () => {
    const c = urls[0]!;
    const { endpoint, accessKey } = parseConnectionString(c.conn);
    const token = await signJwt({ aud: clientAudience(endpoint, c.hub) }, accessKey, { expiresInSeconds: 300 });
    const { header, payload } = decodeJwt(token);
    expect(header.alg).toBe("HS256");
    expect(Object.keys(payload).sort()).toEqual(["aud", "exp", "iat"]);
    expect(payload.exp! - payload.iat!).toBe(300);
  });

  test("claims: sub, role and webpubsub.group arrays, and a kid header", async () => {
    const c = urls[0]!;
    const { endpoint, accessKey } = parseConnectionString(c.conn);
    const token = await signJwt(
      { aud: clientAudience(endpoint, c.hub), sub: "user", role: ["webpubsub.sendToGroup"], "webpubsub.group": ["g"] },
      accessKey,
      { expiresInSeconds: 3600, header: { kid: "1234567890" } },
    );
    const { header, payload } = decodeJwt(token);
    expect(header.kid).toBe("1234567890");
    expect(payload).toMatchObject({ sub: "user", role: ["webpubsub.sendToGroup"], "webpubsub.group": ["g"] });
    await expect(verifyJwt(token, accessKey, { audience: c.aud })).resolves.toBeDefined();
  });
});

// The official tests name upstream messages by "kind"; ours are named by their wire "type".
const KIND_TO_TYPE: Record<string, UpstreamMessage["type"]> = {
  joinGroup: "joinGroup",
  leaveGroup: "leaveGroup",
  sendToGroup: "sendToGroup",
  sendEvent: "event",
  sequenceAck: "sequenceAck",
  ping: "ping",
};

describe("vectors: jsonProtocol_write", () => {
  // biome-ignore lint/suspicious/noExplicitAny: free-form JSON test data
  const cases: any[] = vectors.jsonProtocol_write;
  const supported = cases.filter((c) => c.in.kind in KIND_TO_TYPE);
  const unsupported = cases.filter((c) => !(c.in.kind in KIND_TO_TYPE));

  test("covers every released message kind", () => {
    expect(supported.length).toBeGreaterThanOrEqual(9);
    // Streaming and group state are preview features of the newest JS client; not part of our message set.
    for (const c of unsupported) expect(c.unsure, `unsupported kind ${c.in.kind}`).toBeTruthy();
  });

  test.each(supported)("$in.kind $in.dataType $in.ackId", (c) => {
    const { kind, ...fields } = c.in;
    const message = {
      type: KIND_TO_TYPE[kind]!,
      ...Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, revive(v)])),
    };
    const text = jsonCodec.encodeUpstream(message as UpstreamMessage);
    expect(JSON.parse(text)).toEqual(c.out);
    // And the service side reads it back to the same message.
    expect(jsonCodec.decodeUpstream(JSON.stringify(c.out))).toEqual(message);
  });
});

const KIND_CHECK: Record<string, (m: DownstreamMessage) => void> = {
  ack: (m) => expect(m.type).toBe("ack"),
  groupData: (m) => expect(m).toMatchObject({ type: "message", from: "group" }),
  serverData: (m) => expect(m).toMatchObject({ type: "message", from: "server" }),
  connected: (m) => expect(m).toMatchObject({ type: "system", event: "connected" }),
  disconnected: (m) => expect(m).toMatchObject({ type: "system", event: "disconnected" }),
};

describe("vectors: jsonProtocol_parse", () => {
  // biome-ignore lint/suspicious/noExplicitAny: free-form JSON test data
  const cases: any[] = vectors.jsonProtocol_parse;

  test.each(cases)("$kind $in.dataType", (c) => {
    const m = jsonCodec.decodeDownstream(JSON.stringify(c.in)) as unknown as Record<string, unknown>;
    KIND_CHECK[c.kind]!(m as unknown as DownstreamMessage);
    // Every input field is preserved (binary data decoded to bytes).
    for (const [k, v] of Object.entries(c.in)) {
      if (k === "data" && (c.in.dataType === "binary" || c.in.dataType === "protobuf")) {
        expect(m.data).toEqual(new Uint8Array(Buffer.from(v as string, "base64")));
      } else {
        expect(m[k]).toEqual(v);
      }
    }
    // Expected values; null in the vectors means "absent" in our types.
    for (const [k, v] of Object.entries(c.expect ?? {})) {
      if (v === null) expect(m[k]).toBeUndefined();
      else expect(m[k]).toEqual(revive(v));
    }
    // Decoding is stable through our encoder.
    expect(jsonCodec.decodeDownstream(jsonCodec.encodeDownstream(m as unknown as DownstreamMessage))).toEqual(m);
  });
});
