// WebPubSubServiceClient, the server-side client of one hub: its constructors (their arguments, options and the
// environment are sorted out and checked in client-settings.ts), and one method per operation of the official
// @azure/web-pubsub client, each naming its tracing span and delegating to HubOperations (operations.ts).
import type { KeyCredential, TokenCredential } from "@azure/core-auth";
import type { PagedAsyncIterableIterator, PageSettings } from "@webpubsub/async";
import { DEFAULT_API_VERSION } from "@webpubsub/rest/endpoint";
import { clientArguments, hubContext, processEnvironment, readEnvironment } from "./client-settings.ts";
import { defaultAzureCredential } from "./credentials.ts";
import { WebPubSubGroupClient } from "./group-client.ts";
import { listConnectionsInGroup } from "./group-listing.ts";
import { HubOperations } from "./operations.ts";
import { checkClientOptionNames } from "./option-names.ts";
import type {
  ClientTokenResponse,
  CloseConnectionOptions,
  CloseConnectionsOptions,
  GetClientAccessTokenOptions,
  ListConnectionsOptions,
  OperationOptions,
  PermissionOptions,
  SendToAllOptions,
  SendToConnectionOptions,
  SendToGroupOptions,
  SendToUserOptions,
  WebPubSubGroupMember,
  WebPubSubServiceClientOptions,
} from "./options.ts";
import type { MessageContent } from "./payload.ts";
import { checkGroup, checkOptions, type Permission } from "./validation.ts";

export { DEFAULT_API_VERSION };

export interface FromEnvironmentOptions extends WebPubSubServiceClientOptions {
  /** Hub name; defaults to AZURE_WEBPUBSUB_HUB. */
  hub?: string;
  /** Credential used with AZURE_WEBPUBSUB_ENDPOINT; defaults to DefaultAzureCredential from @azure/identity. */
  credential?: TokenCredential;
  /** Variables to read instead of process.env. */
  env?: Record<string, string | undefined>;
}

const SPAN = "WebPubSubServiceClient.";

/** The server-side client of one hub: send messages, manage groups, connections and permissions, mint client URLs. */
export class WebPubSubServiceClient {
  /** The hub every call addresses. */
  readonly hubName: string;
  /** The service endpoint, e.g. https://contoso.webpubsub.azure.com (no trailing slash). */
  readonly endpoint: string;
  /** The REST API version sent with every request. */
  readonly apiVersion: string;
  readonly #ops: HubOperations;

  /** From a connection string: `Endpoint=...;AccessKey=...;Version=1.0;[Port=...]`. */
  constructor(connectionString: string, hub: string, options?: WebPubSubServiceClientOptions);
  /** From an endpoint and an AzureKeyCredential or a TokenCredential (e.g. DefaultAzureCredential). */
  constructor(
    endpoint: string,
    credential: KeyCredential | TokenCredential,
    hub: string,
    options?: WebPubSubServiceClientOptions,
  );
  constructor(
    endpointOrConnectionString: string,
    credentialOrHub: KeyCredential | TokenCredential | string,
    hubOrOptions?: string | WebPubSubServiceClientOptions,
    maybeOptions?: WebPubSubServiceClientOptions,
  ) {
    const context = hubContext(
      clientArguments(endpointOrConnectionString, credentialOrHub, hubOrOptions, maybeOptions),
    );
    this.hubName = context.hub;
    this.endpoint = context.endpoint;
    this.apiVersion = context.apiVersion;
    this.#ops = new HubOperations(context);
  }

  /** Parses `Endpoint=...;AccessKey=...;Version=1.0;[Port=...]` (keys case-insensitive). */
  static fromConnectionString(
    connectionString: string,
    hub: string,
    options?: WebPubSubServiceClientOptions,
  ): WebPubSubServiceClient {
    if (typeof connectionString !== "string" || connectionString.trim() === "") {
      throw new TypeError("connectionString must be a non-empty string such as Endpoint=https://...;AccessKey=...;");
    }
    return new WebPubSubServiceClient(connectionString, hub, options);
  }

  /**
   * Reads AZURE_WEBPUBSUB_CONNECTION_STRING, or else AZURE_WEBPUBSUB_ENDPOINT (authenticating with
   * DefaultAzureCredential from the optional peer @azure/identity, or `options.credential`), and AZURE_WEBPUBSUB_HUB.
   * The error says which variable is missing.
   */
  static async fromEnvironment(options: FromEnvironmentOptions = {}): Promise<WebPubSubServiceClient> {
    checkOptions(options);
    checkClientOptionNames(options, ["hub", "credential", "env"]);
    const { hub: hubOption, credential, env, ...clientOptions } = options;
    const { endpoint, hub, accessKey } = readEnvironment(env ?? processEnvironment(), hubOption);
    const chosen = accessKey !== undefined ? { key: accessKey } : (credential ?? (await defaultAzureCredential()));
    return new WebPubSubServiceClient(endpoint, chosen, hub, clientOptions);
  }

  /** A client for one group of this hub (validated now, no request sent). */
  group(groupName: string): WebPubSubGroupClient {
    checkGroup(groupName, "groupName");
    return new WebPubSubGroupClient(this.#ops, groupName, this.apiVersion);
  }

  // ---- messages ---------------------------------------------------------------------------------------------------

  /** Sends to every connection of the hub. Strings go as text, binary as bytes (streamed), other values as JSON. */
  sendToAll(message: MessageContent, options?: SendToAllOptions): Promise<void> {
    return this.#ops.sendToAll(`${SPAN}sendToAll`, message, options);
  }

  /** Sends to every connection of a user. */
  sendToUser(userId: string, message: MessageContent, options?: SendToUserOptions): Promise<void> {
    return this.#ops.sendToUser(`${SPAN}sendToUser`, userId, message, options);
  }

  /** Sends to every connection in a group. */
  sendToGroup(groupName: string, message: MessageContent, options?: SendToGroupOptions): Promise<void> {
    return this.#ops.sendToGroup(`${SPAN}sendToGroup`, groupName, message, options);
  }

  /** Sends to one connection. */
  sendToConnection(connectionId: string, message: MessageContent, options?: SendToConnectionOptions): Promise<void> {
    return this.#ops.sendToConnection(`${SPAN}sendToConnection`, connectionId, message, options);
  }

  // ---- groups -----------------------------------------------------------------------------------------------------

  addUserToGroup(groupName: string, userId: string, options?: OperationOptions): Promise<void> {
    return this.#ops.addUserToGroup(`${SPAN}addUserToGroup`, groupName, userId, options);
  }

  removeUserFromGroup(groupName: string, userId: string, options?: OperationOptions): Promise<void> {
    return this.#ops.removeUserFromGroup(`${SPAN}removeUserFromGroup`, groupName, userId, options);
  }

  addConnectionToGroup(groupName: string, connectionId: string, options?: OperationOptions): Promise<void> {
    return this.#ops.addConnectionToGroup(`${SPAN}addConnectionToGroup`, groupName, connectionId, options);
  }

  removeConnectionFromGroup(groupName: string, connectionId: string, options?: OperationOptions): Promise<void> {
    return this.#ops.removeConnectionFromGroup(`${SPAN}removeConnectionFromGroup`, groupName, connectionId, options);
  }

  /** Adds every connection matching the OData `filter` to each of `groups`. */
  addConnectionsToGroups(groups: string[], filter: string, options?: OperationOptions): Promise<void> {
    return this.#ops.addConnectionsToGroups(`${SPAN}addConnectionsToGroups`, groups, filter, options);
  }

  /** Removes every connection matching the OData `filter` from each of `groups`. */
  removeConnectionsFromGroups(groups: string[], filter: string, options?: OperationOptions): Promise<void> {
    return this.#ops.removeConnectionsFromGroups(`${SPAN}removeConnectionsFromGroups`, groups, filter, options);
  }

  removeConnectionFromAllGroups(connectionId: string, options?: OperationOptions): Promise<void> {
    return this.#ops.removeConnectionFromAllGroups(`${SPAN}removeConnectionFromAllGroups`, connectionId, options);
  }

  removeUserFromAllGroups(userId: string, options?: OperationOptions): Promise<void> {
    return this.#ops.removeUserFromAllGroups(`${SPAN}removeUserFromAllGroups`, userId, options);
  }

  /** The connections in a group, lazily, page by page (returned directly; `byPage()` for pages). */
  listConnectionsInGroup(
    groupName: string,
    options?: ListConnectionsOptions,
  ): PagedAsyncIterableIterator<WebPubSubGroupMember, WebPubSubGroupMember[], PageSettings> {
    return listConnectionsInGroup(this.#ops, `${SPAN}listConnectionsInGroup`, groupName, options);
  }

  // ---- connections ------------------------------------------------------------------------------------------------

  connectionExists(connectionId: string, options?: OperationOptions): Promise<boolean> {
    return this.#ops.connectionExists(`${SPAN}connectionExists`, connectionId, options);
  }

  userExists(userId: string, options?: OperationOptions): Promise<boolean> {
    return this.#ops.userExists(`${SPAN}userExists`, userId, options);
  }

  groupExists(groupName: string, options?: OperationOptions): Promise<boolean> {
    return this.#ops.groupExists(`${SPAN}groupExists`, groupName, options);
  }

  closeConnection(connectionId: string, options?: CloseConnectionOptions): Promise<void> {
    return this.#ops.closeConnection(`${SPAN}closeConnection`, connectionId, options);
  }

  closeAllConnections(options?: CloseConnectionsOptions): Promise<void> {
    return this.#ops.closeAllConnections(`${SPAN}closeAllConnections`, options);
  }

  closeUserConnections(userId: string, options?: CloseConnectionsOptions): Promise<void> {
    return this.#ops.closeUserConnections(`${SPAN}closeUserConnections`, userId, options);
  }

  closeGroupConnections(groupName: string, options?: CloseConnectionsOptions): Promise<void> {
    return this.#ops.closeGroupConnections(`${SPAN}closeGroupConnections`, groupName, options);
  }

  // ---- permissions ------------------------------------------------------------------------------------------------

  /** Grants `permission` to a connection, for the group `targetName` or (without it) for every group. */
  grantPermission(connectionId: string, permission: Permission, options?: PermissionOptions): Promise<void> {
    return this.#ops.grantPermission(`${SPAN}grantPermission`, connectionId, permission, options);
  }

  revokePermission(connectionId: string, permission: Permission, options?: PermissionOptions): Promise<void> {
    return this.#ops.revokePermission(`${SPAN}revokePermission`, connectionId, permission, options);
  }

  checkPermission(connectionId: string, permission: Permission, options?: PermissionOptions): Promise<boolean> {
    return this.#ops.checkPermission(`${SPAN}checkPermission`, connectionId, permission, options);
  }

  /** Alias of checkPermission (the official package's name). */
  hasPermission(connectionId: string, permission: Permission, options?: PermissionOptions): Promise<boolean> {
    return this.#ops.checkPermission(`${SPAN}hasPermission`, connectionId, permission, options);
  }

  // ---- tokens and health ------------------------------------------------------------------------------------------

  /**
   * A token and URL a WebSocket client connects with. Signed locally for key credentials (no request); fetched from
   * the service (`:generateToken`) for token credentials.
   */
  getClientAccessToken(options?: GetClientAccessTokenOptions): Promise<ClientTokenResponse> {
    return this.#ops.getClientAccessToken(`${SPAN}getClientAccessToken`, options);
  }

  /** True when the service answers its health check with 2xx, false on 503; other failures throw. */
  getServiceStatus(options?: OperationOptions): Promise<boolean> {
    return this.#ops.getServiceStatus(`${SPAN}getServiceStatus`, options);
  }
}
