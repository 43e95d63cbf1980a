// Bearer tokens from a TokenCredential for plain-http endpoints (a local emulator), where the Azure bearer policy
// refuses to run. https endpoints use @azure/core-rest-pipeline's bearerTokenAuthenticationPolicy instead.
import type { AccessToken, TokenCredential } from "@azure/core-auth";
import type { PipelinePolicy } from "@azure/core-rest-pipeline";
import { shown } from "@webpubsub/core/shown";
import { isLoopbackEndpoint } from "./endpoint.ts";

export const insecureBearerTokenPolicyName = "webPubSubInsecureBearerTokenPolicy";

export interface InsecureBearerTokenPolicyOptions {
  /**
   * Send the token over plain http to any host (the caller set allowInsecureConnection: true). Without it, the token
   * goes over http only to localhost, 127.0.0.1 and [::1], for every request: checkTransport() checks the endpoint
   * when the client is made, this checks each request's URL (a redirect may point elsewhere).
   */
  anyHttpHost?: boolean;
}

/** Gets a token for `scopes`, reuses it until two minutes before it expires, and sets the Authorization header. */
export function insecureBearerTokenPolicy(
  credential: TokenCredential,
  scopes: string[],
  options: InsecureBearerTokenPolicyOptions = {},
): PipelinePolicy {
  let cached: AccessToken | null = null;
  return {
    name: insecureBearerTokenPolicyName,
    async sendRequest(request, next) {
      if (!options.anyHttpHost && request.url.startsWith("http:") && !isLoopbackEndpoint(request.url)) {
        throw new Error(
          `A Microsoft Entra bearer token is not sent over plain http to ${shown(new URL(request.url).origin)}: only to localhost, 127.0.0.1 and [::1] unless allowInsecureConnection is true.`,
        );
      }
      if (!cached || cached.expiresOnTimestamp - Date.now() < 120_000) {
        cached = await credential.getToken(scopes, { abortSignal: request.abortSignal });
        if (!cached) throw new Error(`the credential returned no token for ${scopes.join(", ")}`);
      }
      request.headers.set("Authorization", `Bearer ${cached.token}`);
      return next(request);
    },
  };
}
