// WebPubSubServiceClient, the server-side client of one hub: construction (connection string, endpoint and credential,
// environment), option checks, and one method per operation of the official @azure/web-pubsub client, each naming its
// tracing span and delegating to HubOperations (operations.ts).
import type { KeyCredential, TokenCredential } from "@azure/core-auth";
import type { PagedAsyncIterableIterator, PageSettings } from "@webpubsub/async";
import { parseConnectionString } from "@webpubsub/core";
import { checkApiVersion, DEFAULT_API_VERSION } from "@webpubsub/rest";
import { checkCredential, defaultAzureCredential, isKeyCredential } from "./credentials.ts";
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
import { type MessageContent, runsOnNode } from "./payload.ts";
import { createRestClient } from "./rest-factory.ts";
import { checkRetryOptions } from "./retry-policy.ts";
import { checkGroup, checkHub, checkOptions, normalizeEndpoint, type Permission } from "./validation.ts";

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
    let endpoint: string;
    let credential: KeyCredential | TokenCredential;
    let hub: unknown;
    let options: WebPubSubServiceClientOptions | undefined;
    if (typeof credentialOrHub === "string") {
      if (typeof endpointOrConnectionString !== "string") {
        throw new TypeError(
          "connectionString must be a string such as Endpoint=https://...;AccessKey=...;Version=1.0;",
        );
      }
      const parsed = parseConnectionString(endpointOrConnectionString);
      endpoint = parsed.endpoint;
      credential = { key: parsed.accessKey };
      hub = credentialOrHub;
      options = hubOrOptions as WebPubSubServiceClientOptions | undefined;
    } else {
      endpoint = endpointOrConnectionString;
      credential = credentialOrHub;
      hub = hubOrOptions;
      options = maybeOptions;
    }
    const normalized = normalizeEndpoint(endpoint);
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
    this.hubName = hub;
    this.endpoint = normalized;
    this.apiVersion = apiVersion;
    const keyCredential = isKeyCredential(credential) ? credential : undefined;
    this.#ops = new HubOperations({
      hub,
      endpoint: normalized,
      reverseProxyEndpoint,
      rest: createRestClient(normalized, credential, { ...options, apiVersion, reverseProxyEndpoint }),
      retry,
      accessKey: keyCredential ? () => keyCredential.key : undefined,
      nodeBodies: runsOnNode && options?.httpClient === undefined,
      tracing: options?.tracingOptions?.enabled !== false,
    });
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
    const { hub: hubOption, credential, env: envOption, ...clientOptions } = options;
    const env =
      envOption ?? (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env ?? {};
    const hub = hubOption ?? env.AZURE_WEBPUBSUB_HUB;
    const hubMissing = hub === undefined || hub === "";
    const connectionString = env.AZURE_WEBPUBSUB_CONNECTION_STRING;
    const endpoint = env.AZURE_WEBPUBSUB_ENDPOINT;
    // Where to connect comes first: with nothing set, that is what the user needs to hear about.
    if (!connectionString && !endpoint) {
      throw new TypeError(
        "Neither AZURE_WEBPUBSUB_CONNECTION_STRING nor AZURE_WEBPUBSUB_ENDPOINT is set: set the connection string, or the endpoint to use Microsoft Entra ID" +
          (hubMissing ? "; AZURE_WEBPUBSUB_HUB (the hub name, or options.hub) is not set either." : "."),
      );
    }
    if (hubMissing) {
      throw new TypeError("AZURE_WEBPUBSUB_HUB is not set: set it to the hub name, or pass options.hub.");
    }
    // Errors name where the bad value came from: the variable, or the option that overrides it.
    checkHub(hub, hubOption === undefined ? "AZURE_WEBPUBSUB_HUB" : "options.hub");
    if (connectionString) {
      let parsed: { endpoint: string; accessKey: string };
      try {
        parsed = parseConnectionString(connectionString);
        normalizeEndpoint(parsed.endpoint, "its Endpoint");
      } catch (error) {
        throw new TypeError(
          `AZURE_WEBPUBSUB_CONNECTION_STRING is not a valid connection string (Endpoint=https://...;AccessKey=...;Version=1.0;): ${(error as Error).message}`,
        );
      }
      return new WebPubSubServiceClient(parsed.endpoint, { key: parsed.accessKey }, hub, clientOptions);
    }
    normalizeEndpoint(endpoint as string, "AZURE_WEBPUBSUB_ENDPOINT");
    return new WebPubSubServiceClient(
      endpoint as string,
      credential ?? (await defaultAzureCredential()),
      hub,
      clientOptions,
    );
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
