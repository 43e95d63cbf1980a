// Test helpers: signed REST calls and WebSocket clients that record what they receive, with event-driven waits.
import { createHmac } from "node:crypto";
import WebSocket from "ws";
import type { RunningEmulator } from "../../src/index.ts";

/** The roles that allow joining, leaving and sending to any group. */
export const ALL_GROUP_ROLES = ["webpubsub.joinLeaveGroup", "webpubsub.sendToGroup"];

/** A source of hub names `${prefix}1`, `${prefix}2`, ... so the tests of one file never share a hub. */
export function hubNames(prefix: string): () => string {
  let n = 0;
  return () => `${prefix}${++n}`;
}

export function sign(payload: Record<string, unknown>, key: string): string {
  const enc = (o: unknown) => Buffer.from(JSON.stringify(o)).toString("base64url");
  const input = `${enc({ alg: "HS256", typ: "JWT" })}.${enc(payload)}`;
  return `${input}.${createHmac("sha256", key).update(input).digest("base64url")}`;
}

export function clientToken(
  emu: RunningEmulator,
  hub: string,
  claims: {
    sub?: string;
    role?: string[] | string;
    "webpubsub.group"?: string[] | string;
    exp?: number;
    aud?: string;
  } = {},
): string {
  const now = Math.floor(Date.now() / 1000);
  return sign({ aud: `${emu.endpoint}/client/hubs/${hub}`, iat: now, exp: now + 3600, ...claims }, emu.accessKey);
}

export interface RestResult {
  status: number;
  headers: Headers;
  text: string;
  json(): unknown;
}

export async function rest(
  emu: RunningEmulator,
  method: string,
  path: string,
  opts: {
    body?: string | Uint8Array;
    contentType?: string;
    token?: string | null;
    headers?: Record<string, string>;
  } = {},
): Promise<RestResult> {
  const url = `${emu.endpoint}${path}${path.includes("?") ? "&" : "?"}api-version=2024-12-01`;
  const now = Math.floor(Date.now() / 1000);
  const token = opts.token === undefined ? sign({ aud: url, iat: now, exp: now + 300 }, emu.accessKey) : opts.token;
  const headers: Record<string, string> = { ...opts.headers };
  if (token !== null) headers.authorization = `Bearer ${token}`;
  if (opts.contentType !== undefined) headers["content-type"] = opts.contentType;
  const res = await fetch(url, { method, headers, body: opts.body as BodyInit | undefined });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, json: () => JSON.parse(text) };
}

export class TestClient {
  readonly ws: WebSocket;
  readonly frames: { data: string | Buffer; binary: boolean }[] = [];
  readonly messages: Record<string, unknown>[] = [];
  closeCode: number | undefined;
  closeReason = "";
  #waiters: (() => void)[] = [];
  readonly opened: Promise<void>;
  readonly closed: Promise<number>;

  constructor(url: string, protocols?: string | string[], headers?: Record<string, string>) {
    this.ws = new WebSocket(url, protocols, { headers });
    this.ws.on("message", (data: Buffer, binary: boolean) => {
      const text = binary ? data : data.toString("utf8");
      this.frames.push({ data: text, binary });
      if (!binary && protocols !== undefined) {
        try {
          this.messages.push(JSON.parse(text as string));
        } catch {
          // not JSON
        }
      }
      this.#notify();
    });
    this.opened = new Promise((resolve, reject) => {
      this.ws.once("open", () => resolve());
      this.ws.once("unexpected-response", (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
      this.ws.once("error", reject);
    });
    this.closed = new Promise((resolve) => {
      this.ws.once("close", (code, reason) => {
        this.closeCode = code;
        this.closeReason = reason.toString();
        this.#notify();
        resolve(code);
      });
    });
    this.opened.catch(() => {});
  }

  #notify(): void {
    const w = this.#waiters;
    this.#waiters = [];
    for (const f of w) f();
  }

  /** Waits until `pred` holds (re-checked on every received frame or close), or fails after `ms` (a hang detector). */
  async until<T>(pred: () => T | undefined | false, ms = 20_000, what = "condition"): Promise<T> {
    const deadline = Date.now() + ms;
    for (;;) {
      const v = pred();
      if (v !== undefined && v !== false) return v;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${what}; got ${JSON.stringify(this.messages.slice(-5))}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.#waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  message(pred: (m: Record<string, unknown>) => boolean, what = "message"): Promise<Record<string, unknown>> {
    return this.until(() => this.messages.find(pred), undefined, what);
  }

  send(obj: unknown): void {
    this.ws.send(typeof obj === "string" ? obj : JSON.stringify(obj));
  }

  close(): Promise<number> {
    this.ws.close(1000);
    return this.closed;
  }
}

export const JSON_PROTOCOL = "json.webpubsub.azure.v1";
export const RELIABLE_PROTOCOL = "json.reliable.webpubsub.azure.v1";

/** Opens a client and waits for it to be connected (for subprotocol clients, for the `connected` frame). */
export async function connect(
  emu: RunningEmulator,
  hub: string,
  opts: { protocol?: string | null; claims?: Parameters<typeof clientToken>[2]; query?: string } = {},
): Promise<TestClient & { connectionId: string }> {
  const token = clientToken(emu, hub, opts.claims);
  const protocol = opts.protocol === undefined ? JSON_PROTOCOL : opts.protocol;
  const url = `${emu.endpoint.replace("http", "ws")}/client/hubs/${hub}?access_token=${token}${opts.query ?? ""}`;
  const c = new TestClient(url, protocol ?? undefined) as TestClient & { connectionId: string };
  await c.opened;
  if (protocol !== null) {
    const m = await c.message((x) => x.type === "system" && x.event === "connected", "connected");
    c.connectionId = m.connectionId as string;
  }
  return c;
}
