// Public entry point of @webpubsub/test-recorder.
export { DEFAULT_FAKE_ENDPOINT, defaultPlaybackEnv } from "./env.ts";
export {
  RecorderError,
  RecordingMismatchError,
  RecordingNotFoundError,
  RecordingSecretError,
  RecordingWriteError,
  type SecretFinding,
} from "./errors.ts";
export { createRecorderFetch } from "./fetch.ts";
export type { HttpRecorderCore } from "./http-core.ts";
export {
  diffRequest,
  findMatch,
  jsonEqual,
  type MatcherOptions,
  type MatchResult,
  type RequestPart,
} from "./matcher.ts";
export { getTestMode, isRecorderMode, type RecorderMode } from "./mode.ts";
export { createRecorderPolicy, recorderPolicyName } from "./policy.ts";
export {
  type AdditionalPolicyConfig,
  createRecorder,
  type RecordedClientOptions,
  Recorder,
  type RecorderOptions,
  type TestIdentityOptions,
  type TokenCredentialLike,
} from "./recorder.ts";
export {
  decodeBody,
  encodeBody,
  type JsonValue,
  parseRecording,
  type RecordEntry,
  type RecordingFile,
  serializeRecording,
  type WebSocketFrame,
  type WebSocketSession,
} from "./recording-format.ts";
export { recordingPathFor, slugify, type TaskLike, type TestContextLike, type TestIdentity } from "./recording-path.ts";
export {
  FAKE_ACCESS_KEY,
  type HeaderSanitizer,
  type JsonPathSanitizer,
  JWT_PATTERN,
  type RegexSanitizer,
  SANITIZED,
  type Sanitizer,
  type UriSanitizer,
} from "./sanitizers.ts";
export { scanRecording } from "./secret-scan.ts";
export { ReplayWebSocket, type WebSocketFactory, type WebSocketLike } from "./websocket.ts";
