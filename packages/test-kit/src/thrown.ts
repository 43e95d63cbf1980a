// The message of what a call throws, synchronously or as a rejection: for tests of error texts.

/** Resolves with the message of the error `call` throws or rejects with; rejects when it neither throws nor rejects. */
export async function thrownMessage(call: () => unknown): Promise<string> {
  try {
    await call();
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error("expected a throw");
}
