import { getEventListeners } from "node:events";

/** How many abort listeners are still registered on `signal`: every helper must remove its own. */
export function abortListeners(signal: AbortSignal): number {
  return getEventListeners(signal, "abort").length;
}
