// The recorder's modes (playback, record, live) and how TEST_MODE selects one.
import { shownValue } from "@webpubsub/core/shown";

/** How a recorder treats traffic: replay a recording, record a new one, or pass everything through. */
export type RecorderMode = "playback" | "record" | "live";

const MODES: readonly RecorderMode[] = ["playback", "record", "live"];

/** True when `value` is one of the three recorder modes. */
export function isRecorderMode(value: unknown): value is RecorderMode {
  return typeof value === "string" && (MODES as readonly string[]).includes(value);
}

/**
 * Reads the mode from `TEST_MODE` (case-insensitive). Unset or empty means `playback`, so CI never reaches the
 * network by accident. Any other value fails fast.
 */
export function getTestMode(env: Record<string, string | undefined> = process.env): RecorderMode {
  const raw = env.TEST_MODE?.trim().toLowerCase();
  if (raw === undefined || raw === "") return "playback";
  if (!isRecorderMode(raw)) {
    throw new RangeError(`TEST_MODE must be one of "playback", "record" or "live" (got ${shownValue(env.TEST_MODE)})`);
  }
  return raw;
}
