// Drives a client over real `ws` sockets while its timers run on vitest's fake clock: socket I/O happens for real, and
// fake time moves only when every socket the client opened has closed and the client is waiting on a timer. The fake
// time at which each socket was opened is therefore exactly the sum of the delays the client chose.
import { vi } from "vitest";
import WebSocket from "ws";
import type { WebSocketFactory } from "../src/index.ts";

/** Only timers and Date: real I/O (and setImmediate, which `ws` and the test's own turns use) stays real. */
export const FAKE_TIMERS: Parameters<typeof vi.useFakeTimers>[0] = {
  toFake: ["setTimeout", "clearTimeout", "setInterval", "clearInterval", "Date"],
};

/** One real event-loop turn, so promise chains started by socket events finish (setImmediate is not faked). */
export const realTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

export class SocketLog {
  /** Fake Date.now() at each socket the client created, in order. */
  readonly openedAt: number[] = [];
  readonly urls: string[] = [];
  /** For each socket, how many connections had been confirmed (see confirmed()) before it was opened. */
  readonly confirmedBefore: number[] = [];
  #confirmed = 0;
  #open = 0;
  #waiters: (() => void)[] = [];

  readonly factory: WebSocketFactory = (url, protocols) => {
    this.openedAt.push(Date.now());
    this.urls.push(url);
    this.confirmedBefore.push(this.#confirmed);
    const socket = new WebSocket(url, protocols);
    this.#open++;
    // Registered before the client sets onclose, so it runs first; waiters resume after the client's handler.
    socket.on("close", () => {
      this.#open--;
      if (this.#open === 0) for (const w of this.#waiters.splice(0)) w();
    });
    return socket;
  };

  /** Counts a connection the client reported up (its `connected` or `recovered` event). */
  confirmed(): void {
    this.#confirmed++;
  }

  get confirmations(): number {
    return this.#confirmed;
  }

  /** Resolves once every socket opened so far has closed (or at once), after the client reacted to the last close. */
  async allClosed(timeoutMs = 10_000): Promise<void> {
    if (this.#open > 0) {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeoutReal(
          () => reject(new Error(`a socket is still open after ${timeoutMs} ms (real time)`)),
          timeoutMs,
        );
        this.#waiters.push(() => {
          clearTimeoutReal(timer);
          resolve();
        });
      });
    }
    for (let i = 0; i < 3; i++) await realTurn();
  }

  /** Gaps between consecutive sockets in fake ms: the wait before each reconnect or recovery attempt. */
  get gaps(): number[] {
    return this.openedAt.slice(1).map((t, i) => t - (this.openedAt[i] as number));
  }
}

// Real timers, captured before any test fakes them (for safety timeouts only, never for the behaviour under test).
const setTimeoutReal = globalThis.setTimeout;
const clearTimeoutReal = globalThis.clearTimeout;

/**
 * Lets fake time pass while the client runs: each step waits (in real time) until the client's sockets are closed,
 * then jumps to the next timer. Stops after `ms` of fake time, when no timer is left, or when `until()` holds.
 */
export async function runFakeTime(log: SocketLog, ms: number, until: () => boolean = () => false): Promise<void> {
  const end = Date.now() + ms;
  for (;;) {
    await log.allClosed();
    if (until() || Date.now() >= end || vi.getTimerCount() === 0) return;
    await vi.advanceTimersToNextTimerAsync();
    await realTurn();
  }
}
