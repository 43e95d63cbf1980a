// A real WebSocket client (ws) on the json.webpubsub.azure.v1 subprotocol that records every frame it receives and
// lets a test wait for the next one matching a predicate, with a timeout (no sleeps).
import WebSocket from "ws";

/**
 * How long one wait may take before it fails with the frames received so far. Only a hung peer reaches it: it sits
 * just under the test timeout (20 s) so that a slow machine never fails a wait the test itself would still allow.
 */
export const WAIT_LIMIT_MS = 15_000;

export interface Frame {
  type: string;
  event?: string;
  from?: string;
  group?: string;
  dataType?: string;
  data?: unknown;
  ackId?: number;
  success?: boolean;
  error?: { name: string; message: string };
  connectionId?: string;
  userId?: string | null;
  message?: string;
}

export class TestClient {
  readonly ws: WebSocket;
  readonly frames: Frame[] = [];
  connectionId = "";
  userId: string | null = null;
  closed: { code: number; reason: string } | undefined;
  #cursor = 0;
  #waiters: (() => void)[] = [];
  #ackId = 0;

  private constructor(ws: WebSocket) {
    this.ws = ws;
    ws.on("message", (data, isBinary) => {
      // The json subprotocol sends text frames only; a binary frame is recorded so that a waiting test fails on it.
      this.frames.push(isBinary ? { type: "unexpected-binary-frame" } : (JSON.parse(String(data)) as Frame));
      this.#wake();
    });
    ws.on("close", (code, reason) => {
      this.closed = { code, reason: reason.toString() };
      this.#wake();
    });
  }

  #wake(): void {
    for (const w of this.#waiters.splice(0)) w();
  }

  static async connect(url: string): Promise<TestClient> {
    const ws = new WebSocket(url, "json.webpubsub.azure.v1");
    const client = new TestClient(ws);
    await new Promise<void>((resolve, reject) => {
      ws.once("open", () => resolve());
      ws.once("error", reject);
      ws.once("unexpected-response", (_req, res) => reject(new Error(`handshake failed: ${res.statusCode}`)));
    });
    const connected = await client.next((f) => f.type === "system" && f.event === "connected");
    client.connectionId = connected.connectionId!;
    client.userId = connected.userId ?? null;
    return client;
  }

  /** Waits for the next frame (after the ones already consumed) that matches; earlier non-matching frames are skipped. */
  async next(match: (f: Frame) => boolean = () => true, timeoutMs = WAIT_LIMIT_MS): Promise<Frame> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      while (this.#cursor < this.frames.length) {
        const frame = this.frames[this.#cursor++]!;
        if (match(frame)) return frame;
      }
      if (this.closed) throw new Error(`socket closed (${this.closed.code} ${this.closed.reason}) while waiting`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no matching frame within ${timeoutMs} ms; got ${JSON.stringify(this.frames)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** The very next message frame, whatever it is (for "did not receive X before Y" assertions). */
  nextMessage(): Promise<Frame> {
    return this.next((f) => f.type === "message");
  }

  async waitClosed(timeoutMs = WAIT_LIMIT_MS): Promise<{ code: number; reason: string }> {
    const deadline = Date.now() + timeoutMs;
    while (!this.closed) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error("socket did not close");
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return this.closed;
  }

  /** Sends an upstream message with a fresh ackId and waits for its ack. */
  async invoke(message: Record<string, unknown>): Promise<Frame> {
    const ackId = ++this.#ackId;
    this.ws.send(JSON.stringify({ ...message, ackId }));
    return this.next((f) => f.type === "ack" && f.ackId === ackId);
  }

  close(): void {
    if (!this.closed) this.ws.terminate();
  }
}
