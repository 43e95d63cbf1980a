// The Recorder: loads or writes one recording per test and hands out its HTTP adapters and playback environment.
import { readFile } from "node:fs/promises";
import type { PipelinePolicy } from "@azure/core-rest-pipeline";
import { shown, shownValue } from "@webpubsub/core/shown";
import { applyEnv, DEFAULT_FAKE_ENDPOINT, defaultPlaybackEnv, type EnvSanitizing, sanitizingFromEnv } from "./env.ts";
import {
  mismatchError,
  RecordingMismatchError,
  RecordingNotFoundError,
  RecordingSecretError,
  shownPart,
} from "./errors.ts";
import { createRecorderFetch } from "./fetch.ts";
import type { HttpRecorderCore } from "./http-core.ts";
import { diffRequest, findMatch, type MatcherOptions, type RequestPart } from "./matcher.ts";
import { getTestMode, isRecorderMode, type RecorderMode } from "./mode.ts";
import { createRecorderPolicy } from "./policy.ts";
import {
  parseRecording,
  type RecordEntry,
  type RecordingFile,
  serializeRecording,
  type WebSocketSession,
} from "./recording-format.ts";
import { identityFromContext, recordingPathFor, type TestContextLike } from "./recording-path.ts";
import { writeRecordingFile } from "./recording-write.ts";
import {
  compileSanitizer,
  connectionStringKeyStep,
  DEFAULT_SECRET_HEADERS,
  hostStep,
  jwtStep,
  literalStep,
  type Sanitizer,
  type SanitizerStep,
  sanitizeEntry,
  sanitizeFrameBinary,
  sanitizeFrameText,
  sanitizeProtocols,
  sanitizeSession,
  sanitizeUri,
  sasSignatureStep,
  secretHeadersStep,
  secretPropertiesStep,
  urlCredentialsStep,
} from "./sanitizers.ts";
import { scanRecording } from "./secret-scan.ts";
import {
  defaultWebSocketFactory,
  instrumentSocket,
  protocolList,
  ReplayWebSocket,
  type WebSocketFactory,
} from "./websocket.ts";

/** Options of a recorder. Everything is validated when the recorder is created, before any I/O. */
export interface RecorderOptions {
  /** Overrides `TEST_MODE`. */
  mode?: RecorderMode;
  /** Exact recording file path; overrides the path derived from the test. */
  recordingPath?: string;
  /** Folder for derived paths (default: `recordings/` next to the test file). */
  recordingsDir?: string;
  /** User sanitizers, run after the built-in ones, in order. */
  sanitizers?: Sanitizer[];
  /** Extra header names whose values are replaced by "Sanitized" (on top of Authorization and friends). */
  secretHeaders?: string[];
  /** Values that must never appear in a written recording; the record run refuses to write if one survives. */
  secrets?: string[];
  /** How requests are matched in playback. */
  matcher?: MatcherOptions;
  /** The endpoint that replaces real host names (default https://fake.webpubsub.azure.com). */
  fakeEndpoint?: string;
  /** Extra fake environment values for playback; record mode writes them in place of the real values. */
  envSetupForPlayback?: Record<string, string>;
  /** The environment to read and set (default `process.env`). */
  env?: Record<string, string | undefined>;
  /** In playback, make stop() fail when recorded HTTP entries were never requested. Default false. */
  failOnUnusedEntries?: boolean;
  /** The fetch used in record and live modes by `recorder.fetch` (default: global fetch). */
  fetch?: typeof fetch;
  /** The socket factory used in record and live modes (default: the global WebSocket). */
  webSocketFactory?: WebSocketFactory;
}

/** Identifies a test when no vitest context is at hand. */
export interface TestIdentityOptions {
  testFile: string;
  /** The test name, or the describe chain ending with the test name. */
  testName: string | string[];
}

/** The shape of an `@azure/core-auth` TokenCredential. */
export interface TokenCredentialLike {
  getToken(
    scopes: string | string[],
    options?: unknown,
  ): Promise<{ token: string; expiresOnTimestamp: number; [key: string]: unknown } | null>;
}

/** A pipeline policy with where to put it, as `additionalPolicies` of Azure SDK clients expects. */
export interface AdditionalPolicyConfig {
  policy: PipelinePolicy;
  position: "perCall" | "perRetry";
}

/** Client options after `configureClientOptions`. */
export type RecordedClientOptions<T> = Omit<T, "additionalPolicies" | "webSocketFactory"> & {
  additionalPolicies: AdditionalPolicyConfig[];
  webSocketFactory: WebSocketFactory;
};

function checkStringArray(value: unknown, argName: string): asserts value is string[] | undefined {
  if (value === undefined) return;
  if (!Array.isArray(value) || value.some((v) => typeof v !== "string")) {
    throw new TypeError(`${argName} must be an array of strings`);
  }
}

function checkOptions(options: RecorderOptions): void {
  if (typeof options !== "object" || options === null) throw new TypeError("options must be an object");
  if (options.mode !== undefined && !isRecorderMode(options.mode)) {
    throw new RangeError(`options.mode must be "playback", "record" or "live" (got ${shownValue(options.mode)})`);
  }
  for (const name of ["recordingPath", "recordingsDir"] as const) {
    const v = options[name];
    if (v !== undefined && (typeof v !== "string" || v === ""))
      throw new TypeError(`options.${name} must be a non-empty string`);
  }
  if (options.sanitizers !== undefined && !Array.isArray(options.sanitizers)) {
    throw new TypeError("options.sanitizers must be an array");
  }
  checkStringArray(options.secretHeaders, "options.secretHeaders");
  checkStringArray(options.secrets, "options.secrets");
  checkStringArray(options.matcher?.ignoredQueryParameters, "options.matcher.ignoredQueryParameters");
  checkStringArray(options.matcher?.headers, "options.matcher.headers");
  if (options.fakeEndpoint !== undefined) {
    let url: URL | undefined;
    try {
      url = new URL(options.fakeEndpoint);
    } catch {
      url = undefined;
    }
    if (!url || !/^(https?|wss?):$/.test(url.protocol) || url.pathname !== "/" || url.search !== "") {
      throw new TypeError(`options.fakeEndpoint must be an absolute http(s) origin such as https://fake.example.com`);
    }
  }
  if (options.envSetupForPlayback !== undefined) {
    const env = options.envSetupForPlayback;
    if (typeof env !== "object" || env === null || Object.values(env).some((v) => typeof v !== "string")) {
      throw new TypeError("options.envSetupForPlayback must map variable names to strings");
    }
  }
  if (options.fetch !== undefined && typeof options.fetch !== "function")
    throw new TypeError("options.fetch must be a function");
  if (options.webSocketFactory !== undefined && typeof options.webSocketFactory !== "function") {
    throw new TypeError("options.webSocketFactory must be a function (url, protocols) => WebSocket");
  }
}

function hostOf(url: string): string | undefined {
  try {
    return new URL(url).host || undefined;
  } catch {
    return undefined;
  }
}

/**
 * Records, replays or passes through the HTTP and WebSocket traffic of one test. Create it with `createRecorder`
 * (or `new Recorder(...)` then `start()`), route clients through it, and call `stop()` when the test ends.
 */
export class Recorder {
  readonly mode: RecorderMode;
  readonly recordingPath: string;

  #options: RecorderOptions;
  #env: Record<string, string | undefined>;
  #fakeEndpoint: string;
  #fakeEnv: Record<string, string>;
  #userSteps: SanitizerStep[];
  #state: "new" | "started" | "stopped" = "new";
  #restoreEnv: (() => void) | undefined;
  #envSanitizing: EnvSanitizing = { replacements: new Map(), hosts: [], secrets: [] };
  // record mode
  #entries: RecordEntry[] = [];
  #sessions: WebSocketSession[] = [];
  #variables: Record<string, string> = {};
  #hosts = new Set<string>();
  #pending: Promise<void>[] = [];
  // playback mode
  #file: RecordingFile | undefined;
  #sanitizedEntries: RecordEntry[] = [];
  #sanitizedSessions: WebSocketSession[] = [];
  #usedEntries = new Set<number>();
  #usedSessions = new Set<number>();
  #errors: Error[] = [];
  #policy: PipelinePolicy | undefined;
  #fetch: typeof fetch | undefined;
  #webSocketFactory: WebSocketFactory | undefined;
  #core: HttpRecorderCore;

  constructor(target: TestContextLike | TestIdentityOptions | undefined, options: RecorderOptions = {}) {
    checkOptions(options);
    this.#options = options;
    this.#env = options.env ?? process.env;
    this.mode = options.mode ?? getTestMode(this.#env);
    this.#fakeEndpoint = (options.fakeEndpoint ?? DEFAULT_FAKE_ENDPOINT).replace(/\/+$/, "");
    this.#fakeEnv = { ...defaultPlaybackEnv(this.#fakeEndpoint), ...options.envSetupForPlayback };
    this.#userSteps = (options.sanitizers ?? []).map((s, i) => compileSanitizer(s, i));
    this.#core = {
      mode: this.mode,
      assertActive: () => this.#assertActive(),
      record: (entry) => {
        const host = hostOf(entry.RequestUri);
        if (host) this.#hosts.add(host);
        this.#entries.push(structuredClone(entry));
      },
      playback: (request) => this.#playback(request),
    };
    if (options.recordingPath !== undefined) {
      this.recordingPath = options.recordingPath;
    } else if (target && (typeof target === "object" || typeof target === "function") && "task" in target) {
      this.recordingPath = recordingPathFor(identityFromContext(target), options.recordingsDir);
    } else if (target && "testFile" in target) {
      const titlePath = typeof target.testName === "string" ? [target.testName] : target.testName;
      if (
        !Array.isArray(titlePath) ||
        titlePath.length === 0 ||
        titlePath.some((t) => typeof t !== "string" || t === "")
      ) {
        throw new TypeError("testName must be a non-empty string or a non-empty array of non-empty strings");
      }
      this.recordingPath = recordingPathFor({ testFile: target.testFile, titlePath }, options.recordingsDir);
    } else {
      throw new TypeError("createRecorder needs a vitest context, { testFile, testName } or options.recordingPath");
    }
  }

  /** Loads the recording (playback) and sets up the environment. Called by createRecorder. */
  async start(): Promise<void> {
    if (this.#state !== "new") throw new Error("recorder.start() was already called");
    if (this.mode === "playback") {
      let text: string;
      try {
        text = await readFile(this.recordingPath, "utf8");
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === "ENOENT") throw new RecordingNotFoundError(this.recordingPath);
        throw error;
      }
      const file = parseRecording(text, this.recordingPath);
      const steps = this.#steps([]);
      this.#file = file;
      this.#sanitizedEntries = file.Entries.map((e) => sanitizeEntry(e, steps));
      this.#sanitizedSessions = (file.WebSocketSessions ?? []).map((s) => sanitizeSession(s, steps));
      this.#restoreEnv = applyEnv(this.#env, this.#fakeEnv);
    } else if (this.mode === "record") {
      this.#envSanitizing = sanitizingFromEnv(this.#env, this.#fakeEnv);
    }
    this.#state = "started";
  }

  /** Built-in sanitizers (in this order), then the user's. */
  #steps(hosts: Iterable<string>): SanitizerStep[] {
    return [
      secretHeadersStep([...DEFAULT_SECRET_HEADERS, ...(this.#options.secretHeaders ?? [])]),
      literalStep("environment values", this.#envSanitizing.replacements),
      connectionStringKeyStep(),
      jwtStep(),
      sasSignatureStep(),
      secretPropertiesStep(),
      urlCredentialsStep(),
      hostStep(this.#fakeEndpoint, [...this.#envSanitizing.hosts, ...hosts]),
      ...this.#userSteps,
    ];
  }

  #assertActive(): void {
    if (this.#state === "new")
      throw new Error("the recorder is not started: await recorder.start() (createRecorder does)");
    if (this.#state === "stopped") throw new Error("the recorder is stopped: create a new one for the next test");
  }

  #playback(request: RequestPart): RecordEntry {
    const host = hostOf(request.RequestUri);
    const steps = this.#steps(host ? [host] : []);
    const sanitized = sanitizeEntry({ ...request, StatusCode: 0, ResponseHeaders: {}, ResponseBody: null }, steps);
    const result = findMatch(sanitized, this.#sanitizedEntries, this.#usedEntries, this.#options.matcher);
    if (!result.matched) {
      const error = mismatchError(sanitized, result, this.#sanitizedEntries, this.recordingPath);
      this.#errors.push(error);
      throw error;
    }
    this.#usedEntries.add(result.index);
    return this.#file!.Entries[result.index]!;
  }

  /** The core-rest-pipeline policy; put it last in the pipeline (see configureClientOptions). */
  get policy(): PipelinePolicy {
    this.#policy ??= createRecorderPolicy(this.#core);
    return this.#policy;
  }

  /** A fetch-compatible function routed through the recorder. */
  get fetch(): typeof fetch {
    this.#fetch ??= createRecorderFetch(
      this.#core,
      this.#options.fetch ?? ((input, init) => globalThis.fetch(input, init)),
    );
    return this.#fetch;
  }

  /** The socket factory hook: pass it as a client SDK's `webSocketFactory` option. */
  get webSocketFactory(): WebSocketFactory {
    this.#webSocketFactory ??= this.createWebSocketFactory(this.#options.webSocketFactory ?? defaultWebSocketFactory);
    return this.#webSocketFactory;
  }

  /** A socket factory hook over a given underlying factory (used in record and live modes). */
  createWebSocketFactory(underlying: WebSocketFactory): WebSocketFactory {
    if (typeof underlying !== "function")
      throw new TypeError("underlying must be a function (url, protocols) => WebSocket");
    return (url, protocols) => {
      this.#assertActive();
      if (typeof url !== "string" && !(url instanceof URL)) throw new TypeError("url must be a string or a URL");
      if (this.mode === "live") return underlying(url, protocols);
      const href = String(url);
      if (this.mode === "record") {
        const session: WebSocketSession = { Url: href, Protocols: protocolList(protocols), Protocol: "", Frames: [] };
        this.#sessions.push(session);
        const host = hostOf(href);
        if (host) this.#hosts.add(host);
        return instrumentSocket(underlying(url, protocols), session, (p) => this.#pending.push(p));
      }
      return this.#replaySocket(href, protocolList(protocols));
    };
  }

  #replaySocket(url: string, protocols: string[]): ReplayWebSocket {
    const host = hostOf(url);
    const steps = this.#steps(host ? [host] : []);
    const request = {
      RequestUri: sanitizeUri(url, steps),
      RequestMethod: "GET",
      RequestHeaders: {},
      RequestBody: null,
    };
    // Compared sanitized, like the URL: a token offered as a subprotocol is recorded as "Sanitized".
    const offered = sanitizeProtocols(protocols, steps);
    let best: { index: number; diffs: string[] } | undefined;
    for (let index = 0; index < this.#sanitizedSessions.length; index++) {
      const session = this.#sanitizedSessions[index]!;
      const diffs = diffRequest(request, { ...request, RequestUri: session.Url }, this.#options.matcher);
      if ([...offered].sort().join(",") !== [...session.Protocols].sort().join(",")) {
        diffs.push(
          `protocols: client ${shownPart(JSON.stringify(offered))}, recorded ${shownPart(JSON.stringify(session.Protocols))}`,
        );
      }
      if (this.#usedSessions.has(index)) diffs.push("this session was already replayed");
      if (diffs.length === 0) {
        this.#usedSessions.add(index);
        // The socket reports the protocol the client offered that was recorded as selected, not its sanitized form.
        const selected = offered.indexOf(session.Protocol);
        const replayed = selected < 0 ? session : { ...session, Protocol: protocols[selected]! };
        return new ReplayWebSocket(url, replayed, {
          compareText: (sent, recorded) =>
            diffRequest(
              { ...request, RequestBody: sanitizeFrameText(sent, steps) },
              { ...request, RequestBody: recorded },
              { compareBodies: true },
            ).map((d) => d.replace(/^body/, "frame")),
          compareBinary: (sent, recorded) =>
            sanitizeFrameBinary(sent, steps) === recorded ? [] : ["binary payloads differ"],
          fail: (message) => this.#errors.push(new RecordingMismatchError(message, this.recordingPath)),
        });
      }
      if (!best || diffs.length < best.diffs.length) best = { index, diffs };
    }
    const lines = [
      `Unmatched WebSocket connection in playback (recording ${this.recordingPath}).`,
      `Connection: ${shownPart(request.RequestUri)} protocols ${shownPart(JSON.stringify(offered))}`,
    ];
    if (best) {
      lines.push(
        `Closest recorded session: #${best.index} ${shownPart(this.#sanitizedSessions[best.index]!.Url)}`,
        "Differences:",
      );
      lines.push(...best.diffs.map((d) => `    - ${d}`));
    } else {
      lines.push("The recording has no WebSocket sessions.");
    }
    const error = new RecordingMismatchError(lines.join("\n"), this.recordingPath);
    this.#errors.push(error);
    throw error;
  }

  /**
   * A value that differs between runs (random names, timestamps): in record mode `valueInRecordMode` is returned and
   * saved; playback returns the saved value; live returns `valueInRecordMode`.
   */
  variable(name: string, valueInRecordMode?: string): string {
    if (typeof name !== "string" || name === "") throw new TypeError("name must be a non-empty string");
    this.#assertActive();
    if (this.mode === "playback") {
      // Own keys only: "toString" is a variable the recording lacks, not Object.prototype's function.
      const variables = this.#file!.Variables;
      const value = Object.hasOwn(variables, name) ? variables[name] : undefined;
      if (value === undefined) {
        throw new RecordingMismatchError(
          `Variable ${shown(name)} is not in the recording ${this.recordingPath}; re-record with TEST_MODE=record`,
          this.recordingPath,
        );
      }
      return value;
    }
    if (typeof valueInRecordMode !== "string") {
      throw new TypeError(`valueInRecordMode must be a string in ${this.mode} mode (variable ${shown(name)})`);
    }
    if (this.mode === "record") this.#variables[name] = valueInRecordMode;
    return valueInRecordMode;
  }

  /**
   * The credential to give a client: in playback a fake one (no identity provider is reached; the token never
   * leaves the process), otherwise `realCredential`, which record and live modes require.
   */
  credential<T extends TokenCredentialLike>(realCredential?: T): T | TokenCredentialLike {
    if (this.mode === "playback") {
      return { getToken: async () => ({ token: "fake-playback-token", expiresOnTimestamp: Date.now() + 3_600_000 }) };
    }
    if (typeof realCredential?.getToken !== "function") {
      throw new TypeError(`realCredential must be a TokenCredential (getToken) in ${this.mode} mode`);
    }
    return realCredential;
  }

  /**
   * Returns a copy of client options with the recorder policy appended to `additionalPolicies` (per retry, so it is
   * the last policy) and `webSocketFactory` set to the recorder's hook (wrapping the options' own factory if any).
   */
  configureClientOptions<T extends object>(options: T): RecordedClientOptions<T> {
    if (typeof options !== "object" || options === null) throw new TypeError("options must be an object");
    const existing = (options as { additionalPolicies?: unknown }).additionalPolicies;
    if (existing !== undefined && !Array.isArray(existing))
      throw new TypeError("options.additionalPolicies must be an array");
    const ownFactory = (options as { webSocketFactory?: unknown }).webSocketFactory;
    if (ownFactory !== undefined && typeof ownFactory !== "function") {
      throw new TypeError("options.webSocketFactory must be a function");
    }
    return {
      ...options,
      additionalPolicies: [
        ...((existing as AdditionalPolicyConfig[] | undefined) ?? []),
        { policy: this.policy, position: "perRetry" },
      ],
      webSocketFactory: ownFactory
        ? this.createWebSocketFactory(ownFactory as WebSocketFactory)
        : this.webSocketFactory,
    };
  }

  /**
   * Ends the test's recording session. Record mode sanitizes, scans for secrets (refusing to write on a finding)
   * and writes the file. Playback throws the first mismatch seen during the test, even one the code under test
   * caught. The environment is restored in every case.
   */
  async stop(): Promise<void> {
    if (this.#state === "stopped") return;
    if (this.#state === "new") throw new Error("the recorder was never started");
    this.#state = "stopped";
    try {
      if (this.mode === "record") await this.#write();
      if (this.mode === "playback") this.#throwPlaybackErrors();
    } finally {
      this.#restoreEnv?.();
    }
  }

  #throwPlaybackErrors(): void {
    const [first, ...rest] = this.#errors;
    if (first) {
      if (rest.length > 0) first.message += `\n(${rest.length} more mismatch(es) in this test)`;
      throw first;
    }
    if (this.#options.failOnUnusedEntries) {
      const unused = this.#sanitizedEntries.map((e, i) => [e, i] as const).filter(([, i]) => !this.#usedEntries.has(i));
      if (unused.length > 0) {
        throw new RecordingMismatchError(
          `${unused.length} recorded request(s) were never sent (recording ${this.recordingPath}):\n` +
            unused.map(([e, i]) => `    #${i} ${e.RequestMethod} ${e.RequestUri}`).join("\n"),
          this.recordingPath,
        );
      }
    }
  }

  /** The sanitized recording as it would be written (record mode). */
  async #sanitizedRecording(): Promise<RecordingFile> {
    await Promise.all(this.#pending);
    const steps = this.#steps(this.#hosts);
    const variables: Record<string, string> = {};
    for (const [name, value] of Object.entries(this.#variables)) variables[name] = sanitizeFrameText(value, steps);
    return {
      Entries: this.#entries.map((e) => sanitizeEntry(e, steps)),
      Variables: variables,
      WebSocketSessions: this.#sessions.map((s) => sanitizeSession(s, steps)),
    };
  }

  async #write(): Promise<void> {
    const file = await this.#sanitizedRecording();
    const findings = scanRecording(file, [...(this.#options.secrets ?? []), ...this.#envSanitizing.secrets]);
    if (findings.length > 0) throw new RecordingSecretError(this.recordingPath, findings);
    await writeRecordingFile(this.recordingPath, serializeRecording(file));
  }
}

/**
 * Creates and starts a recorder for a vitest test: `const recorder = await createRecorder(ctx)` in `beforeEach`,
 * `await recorder.stop()` in `afterEach`. Outside vitest, pass `{ testFile, testName }` or `options.recordingPath`.
 */
export async function createRecorder(
  ctx: TestContextLike | TestIdentityOptions | undefined,
  options: RecorderOptions = {},
): Promise<Recorder> {
  const recorder = new Recorder(ctx, options);
  await recorder.start();
  return recorder;
}
