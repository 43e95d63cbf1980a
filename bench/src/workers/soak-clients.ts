// Load for the soak benchmark, in its own process (args: endpoint, hub). Holds a population of idle clients and runs
// lanes of churn until told to stop: each round connects a JSON or reliable JSON client, joins a group, sends acked
// messages to it, and closes; every third reliable client is cut off (socket terminated) while the REST side sends to
// its group, then recovers its session and must receive that message before it closes. Answers "stats" with counts.
import { createHmac } from "node:crypto";
import WebSocket from "ws";
import { clientUrl, EMULATOR_KEY } from "../tokens.ts";

const [endpoint, hub = "soak"] = process.argv.slice(2) as [string, string?];
const LANES = 40;
const IDLE = 300;
const GROUPS = 10;
const STEP_TIMEOUT_MS = 15_000;
const text = "s".repeat(1000);

const stats = { connects: 0, recoveries: 0, sent: 0, received: 0, restSends: 0, errors: 0, lastError: "" };
let stopping = false;

/** A raw WebSocket client that keeps the parsed JSON frames it received and lets callers wait for one. */
class Client {
  readonly ws: WebSocket;
  readonly frames: Record<string, unknown>[] = [];
  readonly closed: Promise<void>;
  #waiters = new Set<() => void>();

  constructor(url: string, protocol: string) {
    this.ws = new WebSocket(url, protocol, { perMessageDeflate: false });
    this.ws.on("message", (data: Buffer) => {
      this.frames.push(JSON.parse(data.toString("utf8")) as Record<string, unknown>);
      for (const w of [...this.#waiters]) w();
    });
    this.closed = new Promise((resolve) => {
      this.ws.once("close", () => {
        for (const w of [...this.#waiters]) w();
        resolve();
      });
    });
    this.ws.on("error", () => {});
  }

  /** The first received frame matching `pred`, waiting up to STEP_TIMEOUT_MS. */
  frame(pred: (f: Record<string, unknown>) => boolean, what: string): Promise<Record<string, unknown>> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => finish(new Error(`timed out waiting for ${what}`)), STEP_TIMEOUT_MS);
      const check = () => {
        const f = this.frames.find(pred);
        if (f !== undefined) finish(undefined, f);
        else if (this.ws.readyState === WebSocket.CLOSED) finish(new Error(`closed while waiting for ${what}`));
      };
      const finish = (e?: Error, f?: Record<string, unknown>) => {
        clearTimeout(timer);
        this.#waiters.delete(check);
        if (e) reject(e);
        else resolve(f!);
      };
      this.#waiters.add(check);
      check();
    });
  }

  send(m: object): void {
    this.ws.send(JSON.stringify(m));
  }

  async close(): Promise<void> {
    this.ws.close(1000);
    await this.closed;
  }
}

function sign(payload: Record<string, unknown>): string {
  const enc = (o: unknown) => Buffer.from(JSON.stringify(o)).toString("base64url");
  const input = `${enc({ alg: "HS256", typ: "JWT" })}.${enc(payload)}`;
  return `${input}.${createHmac("sha256", EMULATOR_KEY).update(input).digest("base64url")}`;
}

async function restSend(group: string, body: string): Promise<void> {
  const url = `${endpoint}/api/hubs/${hub}/groups/${group}/:send?api-version=2024-12-01`;
  const token = sign({ aud: url, exp: Math.floor(Date.now() / 1000) + 300 });
  const res = await fetch(url, {
    method: "POST",
    body,
    headers: { authorization: `Bearer ${token}`, "content-type": "text/plain" },
  });
  await res.arrayBuffer();
  if (res.status !== 202) throw new Error(`REST send answered ${res.status}`);
  stats.restSends++;
}

async function round(lane: number, n: number, url: string): Promise<void> {
  const reliable = n % 3 === 0;
  const protocol = reliable ? "json.reliable.webpubsub.azure.v1" : "json.webpubsub.azure.v1";
  const group = `g${lane % GROUPS}`;
  let c = new Client(url, protocol);
  const connected = await c.frame((f) => f.type === "system" && f.event === "connected", "connected");
  stats.connects++;
  c.send({ type: "joinGroup", group, ackId: 1 });
  await c.frame((f) => f.type === "ack" && f.ackId === 1, "join ack");
  for (let i = 0; i < 5; i++) {
    c.send({ type: "sendToGroup", group, ackId: 2 + i, dataType: "text", data: text });
    stats.sent++;
  }
  for (let i = 0; i < 5; i++) await c.frame((f) => f.type === "ack" && f.ackId === 2 + i, "send ack");
  await c.frame((f) => f.type === "message", "own message");
  stats.received += c.frames.filter((f) => f.type === "message").length;
  if (reliable && n % 9 === 0) {
    // cut the connection; the session keeps its group and buffers what is sent meanwhile
    c.ws.terminate();
    await c.closed;
    const marker = `recover ${lane}:${n}`;
    await restSend(group, marker);
    const base = url.slice(0, url.indexOf("?"));
    const recoverUrl =
      `${base}?awps_connection_id=${encodeURIComponent(String(connected.connectionId))}` +
      `&awps_reconnection_token=${encodeURIComponent(String(connected.reconnectionToken))}`;
    c = new Client(recoverUrl, protocol);
    const replayed = await c.frame((f) => f.type === "message" && f.data === marker, "replayed message");
    c.send({ type: "sequenceAck", sequenceId: replayed.sequenceId });
    stats.recoveries++;
  }
  await c.close();
}

async function lane(index: number, url: string): Promise<void> {
  for (let n = 1; !stopping; n++) {
    try {
      await round(index, n, url);
    } catch (e) {
      stats.errors++;
      stats.lastError = String(e);
    }
  }
}

const url = await clientUrl(endpoint, hub, { role: ["webpubsub.joinLeaveGroup", "webpubsub.sendToGroup"] });
const idle: Client[] = [];
for (let i = 0; i < IDLE; i++) {
  const c = new Client(url, "json.webpubsub.azure.v1");
  await c.frame((f) => f.type === "system" && f.event === "connected", "connected");
  idle.push(c);
}
const lanes = Array.from({ length: LANES }, (_, i) => lane(i, url));
const restLoop = (async () => {
  for (let n = 0; !stopping; n++) {
    try {
      await restSend(`g${n % GROUPS}`, `rest ${n}`);
    } catch (e) {
      stats.errors++;
      stats.lastError = String(e);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
})();

process.send?.({ type: "ready", idle: idle.length, lanes: LANES });
process.on("message", async (m: { type?: string }) => {
  if (m?.type === "stats") process.send?.({ type: "stats", ...stats });
  if (m?.type === "stop") {
    stopping = true;
    await Promise.all([...lanes, restLoop]);
    for (const c of idle) c.ws.terminate();
    process.send?.({ type: "stopped", ...stats });
  }
});
process.on("disconnect", () => process.exit(0));
