// Shortcuts for the pipeline's default policies where they do nothing for a request, or do the same small thing every
// time: each policy keeps its name and place, and a request it would act on still goes through the policy itself.
// Each default policy is an async function (a promise and microtask hops per request even when it does nothing);
// the shortcut decides synchronously, from the request or from what the policy did to an earlier request, that the
// policy would do nothing (then passes the request on) or what it would do (then does that). Anything else is the
// policy's own code, so its rules are not copied here.
import type {
  Pipeline,
  PipelinePolicy,
  PipelineRequest,
  PipelineResponse,
  SendRequest,
} from "@azure/core-rest-pipeline";

/** What the shortcuts cannot read from a request: facts of the pipeline, fixed when the client is made. */
export interface PolicyShortcutFacts {
  /** The logger the pipeline's logPolicy writes to (it logs nothing while this is not enabled). */
  logger: { readonly enabled: boolean };
  /** Whether the pipeline's proxyPolicy has a proxy of its own (proxyOptions, or one from the environment). */
  proxy: boolean;
}

type Shortcut = (original: SendRequestOf, facts: PolicyShortcutFacts) => PipelinePolicy["sendRequest"];
type SendRequestOf = PipelinePolicy["sendRequest"];

/** Most request URLs whose api-version rewrite is remembered. */
const API_VERSION_CACHE_SIZE = 256;

/**
 * The headers `policy` adds to `request` (its names as the policy spelled them, with their values), found by running
 * the policy once with a `next` that looks at the request and then sends it on.
 */
function runAndWatch(
  original: SendRequestOf,
  request: PipelineRequest,
  next: SendRequest,
  seen: (added: [string, string][]) => void,
): Promise<PipelineResponse> {
  const before = new Map(Object.entries(request.headers.toJSON()));
  return original(request, (sent) => {
    const added: [string, string][] = [];
    for (const [name, value] of Object.entries(sent.headers.toJSON({ preserveCase: true }))) {
      if (before.get(name.toLowerCase()) !== value) added.push([name, value]);
    }
    seen(added);
    return next(sent);
  });
}

/**
 * Policies that set one header unless the request has it: once the policy has been seen to set it (its name and
 * value, or its value being the request's own id), the shortcut sets it the same way.
 */
function headerUnlessPresent(kind: "constant" | "requestId"): Shortcut {
  return (original) => {
    let learned: { name: string; value: string } | undefined;
    return (request, next) => {
      if (learned === undefined) {
        return runAndWatch(original, request, next, (added) => {
          const only = added.length === 1 ? added[0] : undefined;
          if (only && (kind === "constant" || only[1] === request.requestId)) {
            learned = { name: only[0], value: only[1] };
          }
        });
      }
      if (!request.headers.has(learned.name)) {
        request.headers.set(learned.name, kind === "constant" ? learned.value : request.requestId);
      }
      return next(request);
    };
  };
}

/** The shortcut of each default policy, by its name. */
const SHORTCUTS: Readonly<Record<string, Shortcut>> = {
  // Sets an agent only for a request with proxySettings, or when the pipeline has a proxy of its own.
  proxyPolicy: (original, facts) =>
    facts.proxy ? original : (request, next) => (request.proxySettings ? original(request, next) : next(request)),
  // Sets Accept-Encoding (overwriting it) on every request but HEAD: the same header every time.
  decompressResponsePolicy: (original) => {
    let learned: [string, string] | undefined;
    return (request, next) => {
      if (request.method === "HEAD") return next(request);
      if (learned === undefined) {
        return runAndWatch(original, request, next, (added) => {
          if (added.length === 1) learned = added[0];
        });
      }
      request.headers.set(learned[0], learned[1]);
      return next(request);
    };
  },
  // Wraps an abort signal: nothing to do without one.
  wrapAbortSignalLikePolicy: (original) => (request, next) =>
    request.abortSignal ? original(request, next) : next(request),
  // The same User-Agent on every request that has none.
  userAgentPolicy: headerUnlessPresent("constant"),
  // The request's own id, under the header name the policy was made with, on every request that has none.
  setClientRequestIdPolicy: headerUnlessPresent("requestId"),
  // Adds api-version to a URL without one: the new URL depends only on the old one, so it is remembered per URL.
  ApiVersionPolicy: (original) => {
    const rewritten = new Map<string, string>();
    return (request, next) => {
      const known = rewritten.get(request.url);
      if (known !== undefined) {
        request.url = known;
        return next(request);
      }
      const before = request.url;
      return original(request, (sent) => {
        if (sent === request) {
          if (rewritten.size >= API_VERSION_CACHE_SIZE) rewritten.clear();
          rewritten.set(before, sent.url);
        }
        return next(sent);
      });
    };
  },
  // Follows only 3xx answers with a Location header: any other answer is returned as it is.
  redirectPolicy: (original) => (request, next) =>
    next(request).then((response) => {
      if (response.status < 300 || response.status >= 400 || !response.headers.has("location")) return response;
      // The policy decides from this answer (its first `next` returns it) and sends any follow-up itself.
      let first: PipelineResponse | undefined = response;
      return original(request, (sent) => {
        if (first === undefined) return next(sent);
        const answer = first;
        first = undefined;
        return Promise.resolve(answer);
      });
    }),
  // Formats and writes log lines only while its logger is enabled.
  logPolicy: (original, facts) => (request, next) => (facts.logger.enabled ? original(request, next) : next(request)),
};

/** The names of the default policies that get a shortcut. */
export const SHORTCUT_POLICY_NAMES: readonly string[] = Object.keys(SHORTCUTS);

/**
 * Gives the default policies of `pipeline` their shortcuts (see the file header); policies it does not know, the
 * caller's own ones included, are left as they are. Each policy object is one of this pipeline's own.
 */
export function shortcutIdlePolicies(pipeline: Pipeline, facts: PolicyShortcutFacts): void {
  for (const policy of pipeline.getOrderedPolicies()) {
    const shortcut = Object.hasOwn(SHORTCUTS, policy.name) ? SHORTCUTS[policy.name] : undefined;
    if (shortcut === undefined) continue;
    const original = policy.sendRequest.bind(policy);
    policy.sendRequest = shortcut(original, facts);
  }
}
