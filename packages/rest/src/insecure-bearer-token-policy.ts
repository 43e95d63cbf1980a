// Bearer tokens from a TokenCredential for plain-http endpoints (a local emulator), where the Azure bearer policy
// refuses to run. https endpoints use @azure/core-rest-pipeline's bearerTokenAuthenticationPolicy instead.
import type { AccessToken, TokenCredential } from "@azure/core-auth";
import type { PipelinePolicy } from "@azure/core-rest-pipeline";

export const insecureBearerTokenPolicyName = "webPubSubInsecureBearerTokenPolicy";

/** Gets a token for `scopes`, reuses it until two minutes before it expires, and sets the Authorization header. */
export function insecureBearerTokenPolicy(credential: TokenCredential, scopes: string[]): PipelinePolicy {
  let cached: AccessToken | null = null;
  return {
    name: insecureBearerTokenPolicyName,
    async sendRequest(request, next) {
      if (!cached || cached.expiresOnTimestamp - Date.now() < 120_000) {
        cached = await credential.getToken(scopes, { abortSignal: request.abortSignal });
        if (!cached) throw new Error(`the credential returned no token for ${scopes.join(", ")}`);
      }
      request.headers.set("Authorization", `Bearer ${cached.token}`);
      return next(request);
    },
  };
}
