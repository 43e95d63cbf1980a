// @webpubsub/rest: the REST-level client of the Azure Web PubSub data-plane API, generated from swagger/webpubsub.json.
export { AzureKeyCredential, type KeyCredential, type TokenCredential } from "@azure/core-auth";
export {
  API_VERSION_PATTERN,
  checkApiVersion,
  checkCredential,
  isKeyCredential,
  isLoopbackEndpoint,
  normalizeEndpoint,
} from "./endpoint.ts";
export * from "./generated/index.ts";
export { default as createWebPubSubServiceClient } from "./generated/index.ts";
export {
  type KeyCredentialPolicyOptions,
  keyCredentialPolicy,
  keyCredentialPolicyName,
} from "./keyCredentialPolicy.ts";
export { errorDetails, toRestError } from "./restError.ts";
export { reverseProxyPolicy, reverseProxyPolicyName } from "./reverseProxyPolicy.ts";
export {
  createWebPubSubRestClient,
  DEFAULT_API_VERSION,
  WEBPUBSUB_SCOPE,
  type WebPubSubRestClient,
  type WebPubSubRestClientOptions,
} from "./webPubSubRestClient.ts";
