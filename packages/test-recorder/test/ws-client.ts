import type { WebSocketFactory, WebSocketLike } from "../src/index.ts";

/**
 * How long one wait may take before it fails with what was received. Only a hung peer reaches it: it sits just under
 * the test timeout (20 s) so that a slow machine never fails a wait the test itself would still allow.
 */
export const WAIT_LIMIT_MS = 15_000;

/** A tiny JSON-subprotocol client for tests: collects every message and lets a test wait for one. */
export interface TestClient {
  ws: WebSocketLike;
  messages: unknown[];
  opened: Promise<void>;
  closed: Promise<{ code: number; reason: string }>;
  waitFor(predicate: (m: Record<string, unknown>) => boolean, what: string): Promise<Record<string, unknown>>;
  send(message: unknown): void;
}

export function openClient(
  factory: WebSocketFactory,
  url: string,
  protocols?: string | string[],
  timeoutMs = WAIT_LIMIT_MS,
): TestClient {
  const ws = factory(url, protocols);
  ws.binaryType = "arraybuffer";
  const messages: unknown[] = [];
  const waiters = new Set<() => void>();
  ws.onmessage = (event) => {
    messages.push(
      typeof event.data === "string"
        ? JSON.parse(event.data)
        : { binary: [...new Uint8Array(event.data as ArrayBuffer)] },
    );
    for (const w of [...waiters]) w();
  };
  const opened = new Promise<void>((resolve, reject) => {
    ws.onopen = () => resolve();
    ws.onerror = () => reject(new Error("socket error before open"));
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) => {
    ws.onclose = (event) => resolve({ code: event.code, reason: event.reason });
  });
  opened.catch(() => {});
  return {
    ws,
    messages,
    opened,
    closed,
    send: (message) => ws.send(JSON.stringify(message)),
    waitFor: (predicate, what) =>
      new Promise((resolve, reject) => {
        const check = () => {
          const found = messages.find((m) => predicate(m as Record<string, unknown>));
          if (found) {
            clearTimeout(timer);
            waiters.delete(check);
            resolve(found as Record<string, unknown>);
          }
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`timed out waiting for ${what}; got ${JSON.stringify(messages)}`));
        }, timeoutMs);
        waiters.add(check);
        check();
      }),
  };
}
