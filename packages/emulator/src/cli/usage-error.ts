// The CLI's one kind of failure, a bad command line or config file, and the wrapper that turns an option check's
// TypeError into it.

/** A bad command line: the CLI prints the message and the usage, and exits with code 2. */
export class UsageError extends Error {
  override name = "UsageError";
}

/** Runs a check; its error becomes a UsageError with `prefix` before the message. */
export function asUsage<T>(check: () => T, prefix = ""): T {
  try {
    return check();
  } catch (e) {
    throw new UsageError(`${prefix}${(e as Error).message}`);
  }
}
