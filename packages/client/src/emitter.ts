// The client's typed event emitter (on / off / once / emit), with listeners isolated from each other and the client.

import { shownValue } from "@webpubsub/core/client-wire";

/**
 * A tiny typed event emitter with no Node built-ins. Every listener is isolated: a listener that throws (or returns a
 * rejected promise) is reported through `onListenerError` and never stops the other listeners or the client.
 */
// biome-ignore lint/suspicious/noExplicitAny: listener maps are keyed by event name with arbitrary argument types.
export type Listener<A> = (args: A) => any;

function checkListener(event: PropertyKey, listener: unknown): void {
  if (typeof listener !== "function") throw new TypeError(`listener for ${shownValue(event)} must be a function`);
}

export class TypedEmitter<Events extends object> {
  readonly #listeners = new Map<keyof Events, Listener<never>[]>();
  readonly #onListenerError: (event: string, error: unknown) => void;

  constructor(onListenerError: (event: string, error: unknown) => void) {
    this.#onListenerError = onListenerError;
  }

  on<K extends keyof Events>(event: K, listener: Listener<Events[K]>): void {
    checkListener(event, listener);
    const list = this.#listeners.get(event);
    // Copy on write, so emit() can iterate a snapshot without copying.
    this.#listeners.set(event, list ? [...list, listener as Listener<never>] : [listener as Listener<never>]);
  }

  off<K extends keyof Events>(event: K, listener: Listener<Events[K]>): void {
    const list = this.#listeners.get(event);
    if (!list) return;
    const index = list.findIndex((l) => l === listener || (l as { inner?: unknown }).inner === listener);
    if (index < 0) return;
    const next = list.slice();
    next.splice(index, 1);
    if (next.length) this.#listeners.set(event, next);
    else this.#listeners.delete(event);
  }

  once<K extends keyof Events>(event: K, listener: Listener<Events[K]>): void {
    checkListener(event, listener);
    const wrapper = Object.assign(
      (args: Events[K]) => {
        this.off(event, wrapper);
        return listener(args);
      },
      { inner: listener },
    );
    this.on(event, wrapper);
  }

  emit<K extends keyof Events>(event: K, args: Events[K]): void {
    const list = this.#listeners.get(event) as Listener<Events[K]>[] | undefined;
    if (!list) return;
    for (const listener of list) {
      try {
        const result = listener(args);
        if (result && typeof (result as PromiseLike<unknown>).then === "function") {
          (result as Promise<unknown>).then(undefined, (error: unknown) => this.#onListenerError(String(event), error));
        }
      } catch (error) {
        this.#onListenerError(String(event), error);
      }
    }
  }
}
