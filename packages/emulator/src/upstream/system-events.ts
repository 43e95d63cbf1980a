// The system events an event handler can subscribe to (protocol.md 5.1): the one list every setting, check and type
// of the emulator uses.

export const SYSTEM_EVENT_NAMES = ["connect", "connected", "disconnected"] as const;

export type SystemEventName = (typeof SYSTEM_EVENT_NAMES)[number];

/** Whether `name` is a system event name, exactly as the settings spell it (lowercase). */
export function isSystemEventName(name: unknown): name is SystemEventName {
  return (SYSTEM_EVENT_NAMES as readonly unknown[]).includes(name);
}
