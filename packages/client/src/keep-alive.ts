// Keep-alive of the current connection, in every runtime: an application-level `ping` when nothing was received for
// keepAliveIntervalInMs, and the connection declared dead when nothing at all (not even a pong) arrived for
// keepAliveTimeoutInMs. A liveness probe checks the connection at once when the browser hints that the network changed.

/** Close code of a connection dropped for silence: not 1000, since a normal close ends the session on the service. */
export const KEEPALIVE_CLOSE_CODE = 4000;
/** How long a liveness probe waits for any frame (keepAliveTimeoutInMs instead when that is shorter). */
export const LIVENESS_PROBE_TIMEOUT_MS = 5000;

export interface KeepAliveSettings {
  /** `ping` after this long without a frame; 0 disables. */
  readonly keepAliveIntervalInMs: number;
  /** Dead after this long without a frame; 0 disables. */
  readonly keepAliveTimeoutInMs: number;
}

/** The client, as keep-alive sees it. */
export interface KeepAliveOwner {
  /** Whether there is a Connected connection to watch. */
  watching(): boolean;
  /** Writes a `ping` on the current connection; false when it cannot. */
  ping(): boolean;
  /** Nothing came back in time: the connection is half-open and must be dropped (recoverably). */
  dead(reason: string): void;
}

export class KeepAlive {
  readonly #settings: KeepAliveSettings;
  readonly #owner: KeepAliveOwner;
  #lastReceivedAt = 0;
  /** Frames received on any socket of the client: a liveness probe passes when it moves. */
  #framesReceived = 0;
  #timer: ReturnType<typeof setInterval> | undefined;
  #probeTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(settings: KeepAliveSettings, owner: KeepAliveOwner) {
    this.#settings = settings;
    this.#owner = owner;
  }

  /** A frame arrived. */
  received(): void {
    this.#lastReceivedAt = Date.now();
    this.#framesReceived++;
  }

  /** A connection is up: watch it from now on (restarts the period). */
  start(): void {
    const { keepAliveIntervalInMs: interval, keepAliveTimeoutInMs: timeout } = this.#settings;
    clearInterval(this.#timer);
    this.#timer = undefined;
    if (interval === 0 && timeout === 0) return;
    const tick = Math.max(10, Math.min(interval || Infinity, timeout ? timeout / 4 : Infinity));
    this.#lastReceivedAt = Date.now();
    this.#timer = setInterval(() => this.#tick(), tick);
    (this.#timer as { unref?: () => void }).unref?.();
  }

  /** The connection is gone or the client stops: no timer is left. */
  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
    clearTimeout(this.#probeTimer);
    this.#probeTimer = undefined;
  }

  /**
   * Checks the connection now rather than at the next tick (the browser reported a network change or the page woke
   * up): pings, and declares it dead when no frame at all arrives within LIVENESS_PROBE_TIMEOUT_MS (or
   * keepAliveTimeoutInMs when shorter; with 0 it only pings). One probe at a time.
   */
  probe(): void {
    if (!this.#owner.watching() || this.#probeTimer !== undefined) return;
    const frames = this.#framesReceived;
    if (!this.#owner.ping()) return;
    const { keepAliveTimeoutInMs } = this.#settings;
    if (keepAliveTimeoutInMs === 0) return;
    this.#probeTimer = setTimeout(
      () => {
        this.#probeTimer = undefined;
        if (!this.#owner.watching() || this.#framesReceived !== frames) return;
        this.#owner.dead("liveness probe timeout");
      },
      Math.min(LIVENESS_PROBE_TIMEOUT_MS, keepAliveTimeoutInMs),
    );
    (this.#probeTimer as { unref?: () => void }).unref?.();
  }

  #tick(): void {
    if (!this.#owner.watching()) return;
    const idle = Date.now() - this.#lastReceivedAt;
    const { keepAliveIntervalInMs: interval, keepAliveTimeoutInMs: timeout } = this.#settings;
    if (timeout > 0 && idle >= timeout) {
      this.#owner.dead("keep-alive timeout");
      return;
    }
    if (interval > 0 && idle >= interval) this.#owner.ping();
  }
}
