export {
  AsyncQueue,
  type AsyncQueueOptions,
  fromEvents,
  type OverflowPolicy,
  QueueOverflowError,
} from "./async-queue.ts";
export { Deferred } from "./deferred.ts";
export { delay } from "./delay.ts";
export { AbortError, TimeoutError } from "./errors.ts";
export { type MapConcurrentOptions, mapConcurrent } from "./map-concurrent.ts";
export { createPagedIterator, type Page, type PagedAsyncIterableIterator, type PageSettings } from "./paging.ts";
export { backoffDelay, type RetryOptions, retry } from "./retry.ts";
export { withTimeout } from "./timeout.ts";
