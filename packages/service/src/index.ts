// @webpubsub/service: the public surface (the clients, their option types, odata, and the Azure types they use).
export type { KeyCredential, TokenCredential } from "@azure/core-auth";
export type { PagedAsyncIterableIterator, PageSettings } from "@webpubsub/async";
export { WebPubSubGroupClient, WebPubSubGroupClient as WebPubSubGroup } from "./group-client.ts";
export { AzureKeyCredential } from "./key-credential.ts";
export { type ODataValue, odata } from "./odata.ts";
// every option and result type of the clients (options.ts holds only public types)
export type * from "./options.ts";
export type { BinaryMessage, JSONTypes, MessageContent, MessageContentType, NodeReadableLike } from "./payload.ts";
export { isRestError, RestError, type RestErrorOptions } from "./rest-error.ts";
export type { ServiceRetryOptions } from "./retry-policy.ts";
export { DEFAULT_API_VERSION, type FromEnvironmentOptions, WebPubSubServiceClient } from "./service-client.ts";
export type { Permission, WebPubSubClientProtocol } from "./validation.ts";
