// How a WebPubSubServiceClient's inputs become its settings: the arguments of either constructor form, the client
// options (checked, defaults filled in, the REST client created), and the environment variables fromEnvironment reads.
// Every check runs here, before the client exists, and its error names the argument or variable.
import type { KeyCredential, TokenCredential } from "@azure/core-auth";
import { parseConnectionString } from "@webpubsub/core";
import { checkApiVersion, checkTlsOptions, checkTransport, DEFAULT_API_VERSION } from "@webpubsub/rest/endpoint";
import { checkCredential, isKeyCredential } from "./credentials.ts";
import { RestClientLoader } from "./http-stack-loader.ts";
import type { HubContext } from "./operations.ts";
import { checkClientOptionNames } from "./option-names.ts";
import type { WebPubSubServiceClientOptions } from "./options.ts";
import { runsOnNode } from "./payload.ts";
import { checkRetryOptions } from "./retry-policy.ts";
import { checkHub, checkOptionalString, checkOptions, normalizeEndpoint } from "./validation.ts";

/** The constructor's arguments, whichever form was used; not checked yet. */
export interface ClientArguments {
  endpoint: string;
  credential: KeyCredential | TokenCredential;
  hub: unknown;
  options: WebPubSubServiceClientOptions | undefined;
}

/** Sorts out the two constructor forms: (connectionString, hub, options?) and (endpoint, credential, hub, options?). */
export function clientArguments(
  endpointOrConnectionString: string,
  credentialOrHub: KeyCredential | TokenCredential | string,
  hubOrOptions: string | WebPubSubServiceClientOptions | undefined,
  maybeOptions: WebPubSubServiceClientOptions | undefined,
): ClientArguments {
  if (typeof credentialOrHub !== "string") {
    return {
      endpoint: endpointOrConnectionString,
      credential: credentialOrHub,
      hub: hubOrOptions,
      options: maybeOptions,
    };
  }
  if (typeof endpointOrConnectionString !== "string") {
    throw new TypeError("connectionString must be a string such as Endpoint=https://...;AccessKey=...;Version=1.0;");
  }
  const parsed = parseConnectionString(endpointOrConnectionString);
  return {
    endpoint: parsed.endpoint,
    credential: { key: parsed.accessKey },
    hub: credentialOrHub,
    options: hubOrOptions as WebPubSubServiceClientOptions | undefined,
  };
}

/** Checks the arguments and options of a client, and builds what its operations share (REST client included). */
export function hubContext(args: ClientArguments): HubContext & { apiVersion: string } {
  const { credential, hub, options } = args;
  const endpoint = normalizeEndpoint(args.endpoint);
  checkCredential(credential);
  checkHub(hub, "hub");
  checkOptions(options);
  checkClientOptionNames(options);
  const apiVersion = options?.apiVersion ?? DEFAULT_API_VERSION;
  checkApiVersion(apiVersion, "options.apiVersion");
  const reverseProxyEndpoint =
    options?.reverseProxyEndpoint === undefined
      ? undefined
      : normalizeEndpoint(options.reverseProxyEndpoint, "options.reverseProxyEndpoint");
  const retry = checkRetryOptions(options?.retryOptions);
  checkPipelineOptions(options);
  checkTlsOptions(options?.tlsOptions, options?.agent);
  // The REST client is created at the first request; what it would refuse is refused here, at construction.
  checkTransport(endpoint, reverseProxyEndpoint, credential, options?.allowInsecureConnection);
  const keyCredential = isKeyCredential(credential) ? credential : undefined;
  return {
    hub,
    endpoint,
    apiVersion,
    reverseProxyEndpoint,
    rest: new RestClientLoader(endpoint, credential, { ...options, apiVersion, reverseProxyEndpoint }),
    retry,
    accessKey: keyCredential ? () => keyCredential.key : undefined,
    nodeBodies: runsOnNode && (options?.httpClient ?? undefined) === undefined,
    tracing: options?.tracingOptions?.enabled !== false,
  };
}

const POLICY_POSITIONS: ReadonlySet<unknown> = new Set(["perCall", "perRetry", undefined]);

/** An option the HTTP stack takes as absent when it is null (as @azure/web-pubsub does): checked only when set. */
function given(value: unknown): boolean {
  return value !== undefined && value !== null;
}

/**
 * The shapes of the options handed to the HTTP stack, which is created at the first request: checked here so that a
 * malformed one fails the constructor naming it, not every request later inside the pipeline. What the stack accepts
 * is accepted: null for an option it skips (every one here but redirectOptions, which it reads), a policy without a
 * name, a policy without a position (perCall).
 */
function checkPipelineOptions(options: WebPubSubServiceClientOptions | undefined): void {
  for (const name of ["loggingOptions", "tlsOptions", "agent", "telemetryOptions", "tracingOptions"] as const) {
    const value: unknown = options?.[name];
    if (given(value)) checkOptions(value, `options.${name}`);
  }
  checkOptions(options?.redirectOptions, "options.redirectOptions");
  const userAgent: unknown = options?.userAgentOptions;
  if (given(userAgent)) {
    checkOptions(userAgent, "options.userAgentOptions");
    const prefix: unknown = (userAgent as { userAgentPrefix?: unknown }).userAgentPrefix;
    checkOptionalString(prefix, "options.userAgentOptions.userAgentPrefix");
  }
  const proxy: unknown = options?.proxyOptions;
  if (given(proxy)) {
    checkOptions(proxy, "options.proxyOptions");
    const host: unknown = (proxy as { host?: unknown }).host;
    if (typeof host !== "string" || host === "") {
      throw new TypeError("options.proxyOptions.host must be a non-empty string (the proxy's URL or host).");
    }
  }
  const httpClient: unknown = options?.httpClient;
  if (given(httpClient) && typeof (httpClient as { sendRequest?: unknown }).sendRequest !== "function") {
    throw new TypeError("options.httpClient must be an HttpClient (an object with a sendRequest function) when given.");
  }
  const policies: unknown = options?.additionalPolicies;
  if (policies === undefined) return;
  if (!Array.isArray(policies)) {
    throw new TypeError("options.additionalPolicies must be an array of { policy, position } when given.");
  }
  policies.forEach((entry: unknown, i) => {
    const { policy, position } = (typeof entry === "object" && entry !== null ? entry : {}) as {
      policy?: { sendRequest?: unknown } | null;
      position?: unknown;
    };
    if (typeof policy?.sendRequest !== "function") {
      throw new TypeError(
        `options.additionalPolicies[${i}].policy must be a pipeline policy (with a sendRequest function).`,
      );
    }
    if (!POLICY_POSITIONS.has(position)) {
      throw new TypeError(`options.additionalPolicies[${i}].position must be "perCall" or "perRetry" when given.`);
    }
  });
}

/** What fromEnvironment connects with: an endpoint and hub, and the access key when a connection string gave one. */
export interface EnvironmentSettings {
  endpoint: string;
  hub: string;
  /** Absent when only AZURE_WEBPUBSUB_ENDPOINT is set: Microsoft Entra ID is used then. */
  accessKey?: string;
}

/** The process's environment variables, where there is a process. */
export function processEnvironment(): Record<string, string | undefined> {
  return (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env ?? {};
}

/**
 * Reads AZURE_WEBPUBSUB_CONNECTION_STRING, or else AZURE_WEBPUBSUB_ENDPOINT, and AZURE_WEBPUBSUB_HUB (or `hubOption`).
 * Where to connect is reported first: with nothing set, that is what the user needs to hear about. Errors name where
 * a bad value came from: the variable, or the option that overrides it.
 */
export function readEnvironment(
  env: Record<string, string | undefined>,
  hubOption: string | undefined,
): EnvironmentSettings {
  const hub = hubOption ?? env.AZURE_WEBPUBSUB_HUB;
  const hubMissing = hub === undefined || hub === "";
  const connectionString = env.AZURE_WEBPUBSUB_CONNECTION_STRING;
  const endpoint = env.AZURE_WEBPUBSUB_ENDPOINT;
  if (!connectionString && !endpoint) {
    throw new TypeError(
      "Neither AZURE_WEBPUBSUB_CONNECTION_STRING nor AZURE_WEBPUBSUB_ENDPOINT is set: set the connection string, or the endpoint to use Microsoft Entra ID" +
        (hubMissing ? "; AZURE_WEBPUBSUB_HUB (the hub name, or options.hub) is not set either." : "."),
    );
  }
  if (hubMissing) {
    throw new TypeError("AZURE_WEBPUBSUB_HUB is not set: set it to the hub name, or pass options.hub.");
  }
  checkHub(hub, hubOption === undefined ? "AZURE_WEBPUBSUB_HUB" : "options.hub");
  if (!connectionString) {
    return { endpoint: normalizeEndpoint(endpoint, "AZURE_WEBPUBSUB_ENDPOINT"), hub };
  }
  try {
    const parsed = parseConnectionString(connectionString);
    normalizeEndpoint(parsed.endpoint, "its Endpoint");
    return { endpoint: parsed.endpoint, hub, accessKey: parsed.accessKey };
  } catch (error) {
    throw new TypeError(
      `AZURE_WEBPUBSUB_CONNECTION_STRING is not a valid connection string (Endpoint=https://...;AccessKey=...;Version=1.0;): ${(error as Error).message}`,
    );
  }
}
