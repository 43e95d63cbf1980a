// The emulator of a test file: started before its tests, closed after them.
import { afterAll, beforeAll } from "vitest";
import { type EmulatorOptions, type RunningEmulator, startEmulator } from "../../src/index.ts";

/**
 * Starts an emulator with `options` in beforeAll and closes it in afterAll. The returned object stands for it: its
 * properties and methods are those of the running emulator (read inside tests; before beforeAll it throws).
 */
export function useEmulator(options: EmulatorOptions = {}): RunningEmulator {
  let running: RunningEmulator | undefined;
  beforeAll(async () => {
    running = await startEmulator(options);
  });
  afterAll(async () => {
    await running?.close();
  });
  return new Proxy({} as RunningEmulator, {
    get(_, property) {
      if (running === undefined) throw new Error("the emulator is not started yet (use it inside a test)");
      const value = Reflect.get(running, property, running);
      return typeof value === "function" ? value.bind(running) : value;
    },
  });
}
