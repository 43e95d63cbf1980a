// The mutation-testing scope: one entry per package, naming the source files Stryker mutates. Adding a package (or a
// file) to the scope is one entry (or one line) here; `pnpm mutation <name>` then runs it.
import { shown } from "./shown.ts";

export interface MutationTarget {
  /** The name given on the command line (`pnpm mutation core`) and the folder of its reports. */
  name: string;
  /** The package folder, relative to the repository root: its vitest.config.ts and tests are used. */
  dir: string;
  /** The files to mutate, relative to the repository root (globs allowed). */
  mutate: string[];
  /**
   * Scores for information only: not held to the 90% target (yet), and not run by a bare `pnpm mutation`.
   * Set on packages whose sources are still being restructured.
   */
  informational?: boolean;
  /** The vitest config the mutants are tested with, relative to the repository root. Default `<dir>/vitest.config.ts`. */
  vitestConfig?: string;
  /** Stryker's timeoutMS for this target (default 10 s): how long past its baseline a mutant's tests may run. */
  timeoutMS?: number;
}

export const TARGETS: readonly MutationTarget[] = [
  {
    name: "core",
    dir: "packages/core",
    mutate: [
      // roles and wildcard group patterns
      "packages/core/src/roles.ts",
      "packages/core/src/group-pattern.ts",
      // JWT sign/verify and claims, with the HMAC and base64url it relies on
      "packages/core/src/jwt.ts",
      "packages/core/src/hmac.ts",
      "packages/core/src/base64.ts",
      // audiences, connection strings, ce-signature, hub/group/event names
      "packages/core/src/audience.ts",
      "packages/core/src/connection-string.ts",
      "packages/core/src/connection-signature.ts",
      "packages/core/src/names.ts",
      "packages/core/src/shown.ts", // the bounded echo of a value in an error message
      // the JSON and protobuf wire codecs, the bounds JSON from a peer is scanned for before parsing, and what is read
      // of a refused text (the bound in words, its top-level members)
      "packages/core/src/protocol/json-bounds.ts",
      "packages/core/src/protocol/json-scan.ts",
      "packages/core/src/protocol/json-codec.ts",
      "packages/core/src/protocol/json-upstream-decode.ts",
      "packages/core/src/protocol/protobuf-codec.ts",
      "packages/core/src/protocol/protobuf-wire.ts",
    ],
  },
  {
    name: "handler",
    dir: "packages/handler",
    mutate: [
      // the signature check and request parsing path of the event handler
      "packages/handler/src/body.ts",
      "packages/handler/src/context.ts",
      "packages/handler/src/event-handler.ts",
      // the answers a handler gives the service (success, failWith, user-event replies) and the MQTT reason codes
      "packages/handler/src/responders.ts",
      "packages/handler/src/mqtt-codes.ts",
    ],
  },
  {
    name: "service",
    dir: "packages/service",
    // All its tests but the one that waits on a real clock: see the config for the choice.
    vitestConfig: "tools/mutation/vitest/service-unit.config.ts",
    mutate: [
      // argument validation, and which failed requests are sent again (and after how long)
      "packages/service/src/validation.ts",
      "packages/service/src/retry-policy.ts",
      "packages/service/src/token.ts", // client access tokens: claims (user, roles, groups), lifetime, audience
      "packages/service/src/key-credential.ts", // the rotatable access key
      "packages/service/src/credentials.ts", // DefaultAzureCredential, and the error when @azure/identity is missing
      "packages/service/src/odata.ts", // the odata filter template: quoting and escaping of values
      "packages/service/src/group-listing.ts", // paging of group members, which nextLinks are followed
      "packages/service/src/client-settings.ts", // constructor arguments, client options, environment variables
      "packages/service/src/payload.ts", // a message's body and Content-Type
      "packages/service/src/operation-options.ts", // the checks of every operation's options
      "packages/service/src/option-names.ts", // which option names are taken, which refused
    ],
  },
  {
    name: "client",
    dir: "packages/client",
    // Unit tests only (fake timers): see the config for why the end-to-end tests are left out. The client's rule
    // files; the seven from state-transitions.ts on were added on 2026-12-08, each run alone at --concurrency 1 (figures
    // in tools/mutation/README.md's Time section). None of them is wiring the unit tests cannot reach: keep-alive.ts is
    // driven through its owner interface, operations.ts through the client on fake sockets and fake timers, and
    // network-events.ts through stubbed browser globals.
    vitestConfig: "tools/mutation/vitest/client-unit.config.ts",
    mutate: [
      "packages/client/src/sequence-tracker.ts",
      "packages/client/src/ack-manager.ts",
      "packages/client/src/options.ts", // reconnect and retry options: validation and defaults
      "packages/client/src/reconnect-backoff.ts", // the reconnect and recovery backoff policy
      "packages/client/src/utf8-length.ts", // the UTF-8 length of a text frame
      "packages/client/src/state-transitions.ts", // the lifecycle's allowed transitions
      "packages/client/src/network-events.ts", // the runtime's online/offline/visibilitychange hints
      "packages/client/src/payload.ts", // data checked against its dataType, binary inputs, copies, binaryType
      "packages/client/src/validation.ts", // argument checks and their bounded errors
      "packages/client/src/keep-alive.ts", // pings, the keep-alive timeout and the liveness probe
      "packages/client/src/protocols.ts", // the JSON subprotocols, protocol names and objects, forward compatibility
      "packages/client/src/operations.ts", // acked operations: ackIds, retries, backpressure, fire-and-forget
    ],
  },
  {
    name: "client-streams",
    dir: "packages/client",
    // Held since 2026-12-07: each file at 100% (outbound files 549 mutants in 34.9 min incremental, the other four
    // 457 mutants in 34.3 min forced, both at --concurrency 1 on the shared machine). Its own run, not `client`'s:
    // many mutants here hang a stream and count as timeouts, which makes it the slowest client run.
    vitestConfig: "tools/mutation/vitest/client-unit.config.ts",
    mutate: [
      "packages/client/src/drain-waiter.ts", // waiting for the socket's send buffer to drain
      "packages/client/src/message-streams.ts", // messages() and groupMessages() iterables
      // group streams: publishing (sequence ids, the bounded buffer, nacks, recovery) and receiving
      "packages/client/src/outbound-stream.ts",
      "packages/client/src/outbound-streams.ts",
      "packages/client/src/inbound-streams.ts",
      "packages/client/src/invocations.ts", // invokeEvent and answering the service's invocations
    ],
  },
  {
    name: "emulator",
    dir: "packages/emulator",
    // Fast unit tests only (fake sockets and timers): see the config for why the rest of the suite is left out.
    vitestConfig: "tools/mutation/vitest/emulator-unit.config.ts",
    mutate: [
      "packages/emulator/src/auth.ts", // REST and client token checks, Entra dev mode
      "packages/emulator/src/ws/client-auth.ts", // the client handshake's token and the claims it grants
      "packages/emulator/src/connection.ts", // permission checks, ack history, sending into the reliable buffer
      "packages/emulator/src/reliable-buffer.ts", // the unacked messages of a reliable session
      "packages/emulator/src/ws/recovery.ts", // recovery of a dropped reliable session
      "packages/emulator/src/inbound-queue.ts", // a connection's frames in order, bounded, deferred past the turn budget
      "packages/emulator/src/turn-budget.ts", // the frame-handling time one turn of the event loop may hold
      "packages/emulator/src/odata/*.ts", // the OData filter compiler
    ],
  },
  {
    name: "async",
    dir: "packages/async",
    // Its own config: the tests are unit tests of these files (fake timers, event-driven waits, or real timers of a
    // few milliseconds). The mutants reported as timeouts are hangs (a consumer or a promise never woken), which no
    // narrower config would shorten.
    mutate: [
      "packages/async/src/retry.ts", // retry and its backoff delay
      "packages/async/src/timeout.ts", // withTimeout: the time limit, abort and cleanup
      "packages/async/src/delay.ts",
      "packages/async/src/map-concurrent.ts", // bounded concurrency, fail-fast and settle-all
      "packages/async/src/async-queue.ts", // the bounded queue, its overflow policies, fromEvents
      "packages/async/src/deferred.ts",
      "packages/async/src/paging.ts", // paged iteration and the repeated-token guard
      "packages/async/src/errors.ts", // abort reasons and the signal check
    ],
  },
  {
    name: "emulator-mqtt",
    dir: "packages/emulator",
    // The MQTT endpoint's rule files, with the tests that run fast and event-driven: see the config for the choice.
    vitestConfig: "tools/mutation/vitest/emulator-mqtt-unit.config.ts",
    mutate: [
      "packages/emulator/src/mqtt/topics.ts", // topic names and filters, `$` topics reserved for the server
      "packages/emulator/src/mqtt/subscriptions.ts", // SUBSCRIBE/UNSUBSCRIBE: checks, permissions, the subscription limit
      "packages/emulator/src/mqtt/connect-request.ts", // the CONNECT limits: client id, 3.1.1 keep-alive, last will
      "packages/emulator/src/mqtt/limits.ts", // the endpoint's bounds
      "packages/emulator/src/mqtt/user-properties.ts", // MQTT 5.0 user properties in both shapes
      "packages/emulator/src/mqtt/last-will.ts", // when and with which permission the will is published
      "packages/emulator/src/mqtt/packet-scan.ts", // the pre-scan that counts filters and user properties
      "packages/emulator/src/mqtt/content.ts", // content type <-> data type, the QoS downgrade
      "packages/emulator/src/mqtt/codes.ts", // CONNACK codes per version, an HTTP status as a refusal
    ],
  },
  {
    name: "emulator-mqtt-link",
    dir: "packages/emulator",
    // Held since 2026-12-07 (278 mutants, 98.9%); network-connection.ts at 99.1% after the 2026-12-08 resume fix (one
    // survivor, named in tools/mutation/README.md's Time section).
    // An MQTT client's network connection and its link, apart from `emulator-mqtt`: their tests drive real sockets, and
    // a mutant that loses an event (a CONNACK never sent, a close never handled) leaves them waiting until the mutant
    // timeout. Only their own tests run (see the config), under a short timeoutMS, as for `rest-http`.
    vitestConfig: "tools/mutation/vitest/emulator-mqtt-link.config.ts",
    timeoutMS: 3_000,
    mutate: [
      // the byte stream cut into packets, the size and per-frame bounds, the stop once the service began closing the
      // socket, the send-buffer rule of the endpoint's own answers
      "packages/emulator/src/mqtt/packet-io.ts",
      // CONNECT first and in time, the packets before CONNACK, the keep-alive, link problems as DISCONNECT or close,
      // the close handled after the frames before it
      "packages/emulator/src/mqtt/network-connection.ts",
    ],
  },
  {
    name: "emulator-rules",
    dir: "packages/emulator",
    // Held since 2026-12-08 (975 mutants, 100%, 21 equivalent; a full run 18.9 min at --concurrency 1).
    // The emulator's REST and upstream rule files, apart from `emulator`: many of their tests drive an in-process
    // emulator or a local handler server over real sockets, so only those run (see the config), under a short
    // timeoutMS, as for `rest-http`. Left out as wiring: ws/handshake.ts (the order of the handshake's steps, each
    // step's rules in its own file) and the REST operations that call these checks.
    vitestConfig: "tools/mutation/vitest/emulator-rules.config.ts",
    timeoutMS: 3_000,
    mutate: [
      "packages/emulator/src/rest/params.ts", // REST parameter checks, the body limit, JSON bounds of bodies
      "packages/emulator/src/rest/targets.ts", // connections by id, OData filter and excluded ids; the bulk close
      "packages/emulator/src/rest/failure.ts", // REST error answers: status, error code, the service's body shapes
      "packages/emulator/src/upstream/connect-event.ts", // the connect request body and the handler's answer
      "packages/emulator/src/upstream/abuse-protection.ts", // webhook validation and the bounded URL memory
      "packages/emulator/src/upstream/event-handler-settings.ts", // URL templates, matching events to handlers
      "packages/emulator/src/ws/upgrade-target.ts", // the endpoint, hub, subprotocols and mode of an upgrade
    ],
  },
  {
    name: "test-recorder",
    dir: "packages/test-recorder",
    // Its tests without real WebSocket sessions (wall-clock wait limits): see the config for the choice.
    vitestConfig: "tools/mutation/vitest/test-recorder-unit.config.ts",
    // The recorder's rule files. Left out as wiring: recorder.ts (the Recorder class: mode dispatch, file I/O, the
    // order of the built-in sanitizers), websocket.ts (socket instrumentation and replay), policy.ts, fetch.ts,
    // http-capture.ts, http-core.ts (adapters that hand requests to the recorder), errors.ts (error classes and their
    // messages) and index.ts (exports).
    mutate: [
      "packages/test-recorder/src/sanitizers.ts", // what is rewritten in recordings: secret headers, keys, JWTs, hosts
      "packages/test-recorder/src/secret-scan.ts", // the scan that refuses to write a recording holding a secret
      "packages/test-recorder/src/matcher.ts", // which recorded exchange answers a request in playback
      "packages/test-recorder/src/json-path.ts", // the JSONPath subset of jsonPath sanitizers
      "packages/test-recorder/src/recording-path.ts", // where a test's recording lives
      "packages/test-recorder/src/recording-format.ts", // the test-proxy format: bodies by content type, validation
      "packages/test-recorder/src/mode.ts", // TEST_MODE: playback unless set otherwise
      "packages/test-recorder/src/env.ts", // the fake playback environment, and the real values record mode hides
      "packages/test-recorder/src/recording-write.ts", // a recording written whole or not at all
    ],
  },
  {
    name: "rest",
    dir: "packages/rest",
    // The package's own config: the tests of these files call them directly or drive a client over an in-memory
    // HttpClient (rest-error.ts's send, read and abort errors are also reached by the HTTP client's loopback tests,
    // which fail at once when those errors change). Not mutated here: the generated files (src/generated/, written by
    // tools/codegen; the paging and route-table runtimes, copied verbatim from tools/codegen/src/runtime/, are
    // `codegen-runtime`'s) and node-http-client.ts, which is `rest-http`'s: its tests
    // drive real loopback sockets, and a mutant that loses an event hangs them until the mutant timeout (with this
    // config and the default timeout, 46 of its 307 mutants, about half of a 41-minute run).
    mutate: [
      "packages/rest/src/endpoint.ts", // endpoint, api-version and credential checks; the Entra token's transport rule
      "packages/rest/src/key-credential-policy.ts", // access-key JWTs per request URL, their cache and lifetime
      "packages/rest/src/insecure-bearer-token-policy.ts", // an Entra token over plain http: loopback hosts only
      "packages/rest/src/reverse-proxy-policy.ts", // requests sent to the proxy, the service URL signed
      "packages/rest/src/policy-shortcuts.ts", // the default policies' shortcuts: the same work, less of it
      "packages/rest/src/rest-client.ts", // the client factory: its checks and how it wires the pipeline
      "packages/rest/src/rest-error.ts", // RestErrors from responses, bounded relays of the service's message
    ],
  },
  {
    name: "rest-http",
    dir: "packages/rest",
    // Held since 2026-12-07 (309 mutants, 100%). The REST clients' Node HttpClient, apart from `rest`: its tests drive
    // real loopback sockets, and a mutant that loses an event leaves them waiting until the mutant timeout (about 50 of
    // its mutants). Only its own tests run (see the config), under a short timeoutMS: their baseline is under a
    // second, so 3 s past twice the baseline is still far above a slow pass.
    vitestConfig: "tools/mutation/vitest/rest-http.config.ts",
    timeoutMS: 3_000,
    mutate: [
      // plain requests sent directly: agents, TLS, proxies' agents, abort, timeouts, gzip/deflate, the fallback
      "packages/rest/src/node-http-client.ts",
      "packages/rest/src/request-targets.ts", // its parsed request URLs, and the bound of that cache
    ],
  },
  {
    name: "codegen-runtime",
    dir: "tools/codegen",
    // The generated REST client's run-time helpers: written in tools/codegen and copied verbatim into
    // packages/rest/src/generated/ by `pnpm regen`, so their tests live here. Only those tests run (see the config):
    // the generator's other tests read these files as text, which an instrumented copy is not.
    vitestConfig: "tools/mutation/vitest/codegen-runtime.config.ts",
    mutate: [
      // following next-page links: success statuses, item and link names, the origin check, the repeated-link guard
      "tools/codegen/src/runtime/paging.ts",
      // routes by URL (literal segments over placeholders, query-qualified routes), isUnexpected, array query
      // formats, default content types, and the route URL built once per client.path call
      "tools/codegen/src/runtime/route-table.ts",
    ],
  },
];

/** The error for a target name given on the command line that names no target (the name shown bounded). */
export function unknownTargetMessage(name: string): string {
  return `unknown mutation target ${shown(name)}; known: ${TARGETS.map((t) => t.name).join(", ")}`;
}
