// The runtime's hints that the network changed or the page woke up: `online` / `offline` on the global scope (browsers
// and web workers) and `visibilitychange` on `document` (browsers). Node has neither, so nothing is listened to there.

/**
 * What the runtime hinted: `online` (the device reports network connectivity again), `offline` (it lost it), or
 * `visible` (the page became visible after a tab switch, a screen lock or device sleep).
 */
export type NetworkHint = "online" | "offline" | "visible";

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
export function watchNetworkEvents(onHint: (hint: NetworkHint) => void): () => void {
  const removers: (() => void)[] = [];
  const listen = (target: ListenerTarget, type: string, listener: () => void) => {
    target.addEventListener(type, listener);
    removers.push(() => target.removeEventListener(type, listener));
  };
  const scope: unknown = globalThis;
  if (isListenerTarget(scope)) {
    listen(scope, "online", () => onHint("online"));
    listen(scope, "offline", () => onHint("offline"));
  }
  const document: unknown = (globalThis as { document?: unknown }).document;
  if (isListenerTarget(document)) {
    listen(document, "visibilitychange", () => {
      if ((document as { visibilityState?: unknown }).visibilityState === "visible") onHint("visible");
    });
  }
  return () => {
    for (const remove of removers.splice(0)) remove();
  };
}
