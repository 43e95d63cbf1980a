// Sends requests to a reverse proxy (e.g. Azure API Management) instead of the service host. It runs after the
// authentication policy, so the token audience stays the service URL, and puts the service URL back once the
// response is in, so a retry signs the service URL again.
import type { PipelinePolicy } from "@azure/core-rest-pipeline";
import { normalizeEndpoint } from "./endpoint.ts";

export const reverseProxyPolicyName = "webPubSubReverseProxyPolicy";

/** Rewrites scheme, host and port to those of `proxyEndpoint`, and prefixes its path (if any) to the request path. */
export function reverseProxyPolicy(proxyEndpoint: string): PipelinePolicy {
  const normalized = normalizeEndpoint(proxyEndpoint, "proxyEndpoint");
  const proxy = new URL(normalized);
  const prefix = normalized.slice(proxy.origin.length); // the path without a trailing slash: "" or "/wps"
  return {
    name: reverseProxyPolicyName,
    async sendRequest(request, next) {
      const original = request.url;
      const url = new URL(original);
      url.protocol = proxy.protocol;
      url.hostname = proxy.hostname;
      url.port = proxy.port; // "" for the scheme's default port: setting the host alone would keep the service's port
      url.pathname = prefix + url.pathname;
      request.url = url.toString();
      try {
        return await next(request);
      } finally {
        request.url = original;
      }
    },
  };
}
