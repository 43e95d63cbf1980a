// The runtime's hints that the network changed or the page woke up: `online` / `offline` on the global scope (browsers
// and web workers) and `visibilitychange` on `document` (browsers). Node has neither, so nothing is listened to there.

export interface NetworkEventHandlers {
  /** The device reports network connectivity again. */
  online(): void;
  /** The device reports it lost network connectivity. */
  offline(): void;
  /** The page became visible (after a tab switch, a screen lock or device sleep). */
  visible(): void;
}

interface ListenerTarget {
  addEventListener(type: string, listener: () => void): void;
  removeEventListener(type: string, listener: () => void): void;
}

function isListenerTarget(value: unknown): value is ListenerTarget {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as ListenerTarget).addEventListener === "function" &&
    typeof (value as ListenerTarget).removeEventListener === "function"
  );
}

/** Listens where the runtime offers these events; returns the function that removes every listener it added. */
export function watchNetworkEvents(handlers: NetworkEventHandlers): () => void {
  const removers: (() => void)[] = [];
  const listen = (target: ListenerTarget, type: string, listener: () => void) => {
    target.addEventListener(type, listener);
    removers.push(() => target.removeEventListener(type, listener));
  };
  const scope: unknown = globalThis;
  if (isListenerTarget(scope)) {
    listen(scope, "online", () => handlers.online());
    listen(scope, "offline", () => handlers.offline());
  }
  const document: unknown = (globalThis as { document?: unknown }).document;
  if (isListenerTarget(document)) {
    listen(document, "visibilitychange", () => {
      if ((document as { visibilityState?: unknown }).visibilityState === "visible") handlers.visible();
    });
  }
  return () => {
    for (const remove of removers.splice(0)) remove();
  };
}
