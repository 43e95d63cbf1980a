// @webpubsub/rest: the REST-level client of the Azure Web PubSub data-plane API, generated from swagger/webpubsub.json.
// Public: the generated types and helpers, and `createWebPubSubRestClient` (the generated factory with Web PubSub
// authentication); the bare generated factory (generated/create-client.ts) stays internal.
export { AzureKeyCredential, type KeyCredential, type TokenCredential } from "@azure/core-auth";
// The base types of every generated parameter and response type, for code generic over operations.
export type { HttpResponse, RequestParameters } from "@azure-rest/core-client";
export {
  API_VERSION_PATTERN,
  checkApiVersion,
  checkCredential,
  checkTransport,
  DEFAULT_API_VERSION,
  isKeyCredential,
  isLoopbackEndpoint,
  isTokenCredential,
  normalizeEndpoint,
} from "./endpoint.ts";
export * from "./generated/client-definitions.ts";
export * from "./generated/is-unexpected.ts";
export * from "./generated/models.ts";
export * from "./generated/output-models.ts";
export * from "./generated/paginate-helper.ts";
export * from "./generated/parameters.ts";
export * from "./generated/responses.ts";
export {
  type KeyCredentialPolicyOptions,
  keyCredentialPolicy,
  keyCredentialPolicyName,
} from "./key-credential-policy.ts";
export {
  createWebPubSubRestClient,
  WEBPUBSUB_SCOPE,
  type WebPubSubRestClientOptions,
} from "./rest-client.ts";
export { errorDetails, responseError, toRestError } from "./rest-error.ts";
export { reverseProxyPolicy, reverseProxyPolicyName } from "./reverse-proxy-policy.ts";
