// @webpubsub/emulator: startEmulator() and the types of its options, its dashboard, the OData filter compiler and the
// loopback certificate helpers.
export type { ActivityEntry, ActivityKind } from "./activity-feed.ts";
export type { DashboardState } from "./dashboard.ts";
export { type RunningEmulator, startEmulator } from "./emulator.ts";
export { compileFilter, FilterError, type FilterSubject } from "./odata/index.ts";
export {
  DEFAULT_ACCESS_KEY,
  type EmulatorOptions,
  type EventHandlerSettings,
  type HubSettings,
  type SystemEventName,
} from "./options.ts";
export {
  generateLoopbackCertificate,
  type LoopbackCertificateOptions,
  type PemPair,
  spkiHash,
} from "./tls/self-signed.ts";
