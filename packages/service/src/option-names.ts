// Which option names each call accepts. Every option of the official @azure/web-pubsub client and operations is either
// honoured here or refused with an error naming it; a name that is neither (a typo, an option of another operation)
// is refused too, so no option is ever silently ignored.
import { shown } from "@webpubsub/core/shown";

/** Options every operation takes (core-client's OperationOptions, all honoured). */
const OPERATION_OPTIONS = ["abortSignal", "tracingOptions", "requestOptions", "onResponse"] as const;
const OPERATION_OPTION_SET: ReadonlySet<string> = new Set(OPERATION_OPTIONS);

/** Official options this client refuses, with the reason given in the error. */
const REFUSED: Readonly<Record<string, string>> = {
  serializerOptions: "this API sends and receives JSON only, so there is no XML serializer to configure",
};

/** `requestOptions` keys (core-client's OperationRequestOptions) that are honoured. */
const REQUEST_OPTIONS = ["customHeaders", "timeout", "onUploadProgress", "onDownloadProgress"] as const;
const REQUEST_OPTION_SET: ReadonlySet<string> = new Set(REQUEST_OPTIONS);

const REFUSED_REQUEST: Readonly<Record<string, string>> = {
  shouldDeserialize: "responses are always parsed as the API describes them; read the raw response with onResponse",
  allowInsecureConnection:
    "plain http with a token credential is a client setting: pass allowInsecureConnection in the client options",
};

/** Client options: the official WebPubSubServiceClientOptions (CommonClientOptions) plus this package's own. */
export const CLIENT_OPTIONS = [
  // official
  "reverseProxyEndpoint",
  "loggingOptions",
  "httpClient",
  "allowInsecureConnection",
  "additionalPolicies",
  "retryOptions",
  "proxyOptions",
  "agent",
  "tlsOptions",
  "redirectOptions",
  "userAgentOptions",
  "telemetryOptions",
  // ours
  "apiVersion",
  "tracingOptions",
  // Put there by @webpubsub/test-recorder's configureClientOptions(), whose one options object also serves
  // @webpubsub/client; this client opens no WebSocket, so the factory has nothing to do here (README, "Client options").
  "webSocketFactory",
] as const;
const CLIENT_OPTION_SET: ReadonlySet<string> = new Set(CLIENT_OPTIONS);

/**
 * The own keys of `options` with a value that are not `known` ("toString" is unknown, like any typo). The names are
 * a set plus an operation's few extra ones, so that a call builds nothing: this runs on every request.
 */
function unknownKeys(options: object, known: ReadonlySet<string>, extra: readonly string[] = []): string[] {
  return Object.keys(options).filter(
    (key) => !known.has(key) && !extra.includes(key) && (options as Record<string, unknown>)[key] !== undefined,
  );
}

/** The reason `key` is refused, when `reasons` has one of its own (never an inherited "toString" or "constructor"). */
function reasonFor(reasons: Readonly<Record<string, string>>, key: string): string | undefined {
  return Object.hasOwn(reasons, key) ? reasons[key] : undefined;
}

/**
 * Throws for option `key` under `path`: an official option refused for `reason` is named as written (it is one of
 * ours); any other key is the caller's, so it is shown bounded (`options["<first 64 characters>"...]`).
 */
function refuse(path: string, key: string, where: string, reason: string | undefined): never {
  throw new TypeError(
    reason === undefined
      ? `${path}[${shown(key)}] is not an option of ${where}; it would be ignored, so it is refused.`
      : `${path}.${key} is not supported by ${where}: ${reason}.`,
  );
}

/**
 * Throws a TypeError naming the first option `where` does not take. `options` has passed checkOptions (absent or an
 * object). `extra` are the operation's own options besides the common ones; `unsupported` maps official options the
 * operation has no use for to the reason.
 */
export function checkOptionNames(
  options: object | undefined,
  where: string,
  extra: readonly string[],
  unsupported: Readonly<Record<string, string>>,
): void {
  if (options === undefined) return;
  const [key] = unknownKeys(options, OPERATION_OPTION_SET, extra);
  if (key !== undefined) refuse("options", key, where, reasonFor(unsupported, key) ?? reasonFor(REFUSED, key));
  const request = (options as { requestOptions?: unknown }).requestOptions;
  if (typeof request === "object" && request !== null) {
    const [requestKey] = unknownKeys(request, REQUEST_OPTION_SET);
    if (requestKey !== undefined) {
      refuse("options.requestOptions", requestKey, where, reasonFor(REFUSED_REQUEST, requestKey));
    }
  }
}

/**
 * Throws a TypeError naming the first client option that is not one (see CLIENT_OPTIONS). `options` has passed
 * checkOptions (absent or an object).
 */
export function checkClientOptionNames(options: object | undefined, extra: readonly string[] = []): void {
  if (options === undefined) return;
  const [key] = unknownKeys(options, CLIENT_OPTION_SET, extra);
  if (key !== undefined) refuse("options", key, "WebPubSubServiceClient", undefined);
}
