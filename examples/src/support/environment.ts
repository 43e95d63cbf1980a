// Where the examples run: against a real Web PubSub resource when AZURE_WEBPUBSUB_CONNECTION_STRING is set,
// otherwise against an emulator started in this process on a free port.
import { type EmulatorOptions, type RunningEmulator, startEmulator } from "@webpubsub/emulator";

export interface ServiceEnvironment {
  /** Endpoint=...;AccessKey=...;Version=1.0; of the resource or of the emulator */
  connectionString: string;
  /** The hub the example uses: AZURE_WEBPUBSUB_HUB, or "samples" */
  hub: string;
  /** The emulator started for this run; undefined against a real resource */
  emulator: RunningEmulator | undefined;
  /** Stops the emulator, if one was started. */
  close(): Promise<void>;
}

/** Opens the environment an example runs in (see the top of this file). */
export async function openEnvironment(emulatorOptions: EmulatorOptions = {}): Promise<ServiceEnvironment> {
  const hub = process.env.AZURE_WEBPUBSUB_HUB || "samples";
  const connectionString = process.env.AZURE_WEBPUBSUB_CONNECTION_STRING;
  if (connectionString) {
    return { connectionString, hub, emulator: undefined, close: async () => {} };
  }
  const emulator = await startEmulator({ port: 0, ...emulatorOptions });
  return { connectionString: emulator.connectionString, hub, emulator, close: () => emulator.close() };
}

/** A name unique to this run, so runs against a shared resource do not see each other's users and groups. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${Math.random().toString(36).slice(2, 8)}`;
}
