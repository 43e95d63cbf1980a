// @webpubsub/service: the public surface (the clients, their option types, odata, and the Azure types they use).
export type { KeyCredential, TokenCredential } from "@azure/core-auth";
export type { PagedAsyncIterableIterator, PageSettings } from "@webpubsub/async";
export { WebPubSubGroupClient, WebPubSubGroupClient as WebPubSubGroup } from "./group-client.ts";
export { AzureKeyCredential } from "./key-credential.ts";
export { type ODataValue, odata } from "./odata.ts";
export type {
  AdditionalPolicyConfig,
  ClientTokenResponse,
  CloseConnectionOptions,
  CloseConnectionsOptions,
  GenerateClientTokenOptions,
  GetClientAccessTokenOptions,
  GroupAddConnectionOptions,
  GroupAddUserOptions,
  GroupCloseAllConnectionsOptions,
  GroupListConnectionsOptions,
  GroupRemoveConnectionOptions,
  GroupRemoveUserOptions,
  GroupSendTextToAllOptions,
  GroupSendToAllOptions,
  HasConnectionOptions,
  HubCloseAllConnectionsOptions,
  HubCloseConnectionOptions,
  HubCloseUserConnectionsOptions,
  HubGrantPermissionOptions,
  HubHasGroupOptions,
  HubHasPermissionOptions,
  HubHasUserOptions,
  HubRemoveUserFromAllGroupsOptions,
  HubRevokePermissionOptions,
  HubSendTextToAllOptions,
  HubSendTextToConnectionOptions,
  HubSendTextToUserOptions,
  HubSendToAllOptions,
  HubSendToConnectionOptions,
  HubSendToUserOptions,
  ListConnectionsOptions,
  OperationOptions,
  PermissionOptions,
  RawResponse,
  RawResponseCallback,
  SendOptions,
  SendToAllOptions,
  SendToConnectionOptions,
  SendToGroupOptions,
  SendToUserOptions,
  WebPubSubGroupMember,
  WebPubSubServiceClientOptions,
} from "./options.ts";
export type { BinaryMessage, JSONTypes, MessageContent, MessageContentType, NodeReadableLike } from "./payload.ts";
export { isRestError, RestError, type RestErrorOptions } from "./rest-error.ts";
export type { ServiceRetryOptions } from "./retry-policy.ts";
export { DEFAULT_API_VERSION, type FromEnvironmentOptions, WebPubSubServiceClient } from "./service-client.ts";
export type { Permission, WebPubSubClientProtocol } from "./validation.ts";
