// @webpubsub/async: the public surface. Each helper is in a file named after it; errors and timer limits in errors.ts.
// The files a WebSocket client needs are entry points of their own too (async-queue, deferred, delay, errors, retry:
// see package.json "exports"), so that it loads only those.
export {
  AsyncQueue,
  type AsyncQueueOptions,
  fromEvents,
  type OverflowPolicy,
  QueueOverflowError,
} from "./async-queue.ts";
export { Deferred } from "./deferred.ts";
export { delay } from "./delay.ts";
export { AbortError, abortReason, checkTimerDuration, MAX_TIMER_MS, TimeoutError, throwIfAborted } from "./errors.ts";
export { type MapConcurrentOptions, mapConcurrent } from "./map-concurrent.ts";
export {
  createPagedIterator,
  fromPages,
  type Page,
  type PagedAsyncIterableIterator,
  type PageSettings,
} from "./paging.ts";
export { backoffDelay, type RetryOptions, retry } from "./retry.ts";
export { withTimeout } from "./timeout.ts";
