// WebPubSubGroupClient (alias WebPubSubGroup), from `client.group(name)`: the operations on one group, with the method
// names of the official WebPubSubGroup, each naming its tracing span and delegating to HubOperations.
import type { PagedAsyncIterableIterator, PageSettings } from "@webpubsub/async";
import { listConnectionsInGroup } from "./group-listing.ts";
import type { HubOperations } from "./operations.ts";
import type {
  CloseConnectionsOptions,
  ListConnectionsOptions,
  OperationOptions,
  SendToGroupOptions,
  WebPubSubGroupMember,
} from "./options.ts";
import type { MessageContent } from "./payload.ts";

/** Operations on one group, from `client.group(name)`. Method names follow the official `WebPubSubGroup`. */
export class WebPubSubGroupClient {
  readonly groupName: string;
  readonly hubName: string;
  readonly endpoint: string;
  readonly apiVersion: string;
  readonly #ops: HubOperations;

  /** @internal Use `WebPubSubServiceClient.group(name)`. */
  constructor(ops: HubOperations, groupName: string, apiVersion: string) {
    this.#ops = ops;
    this.groupName = groupName;
    this.hubName = ops.ctx.hub;
    this.endpoint = ops.ctx.endpoint;
    this.apiVersion = apiVersion;
  }

  /** Sends to every connection in the group. Strings go as text, binary as bytes, other values as JSON. */
  sendToAll(message: MessageContent, options?: SendToGroupOptions): Promise<void> {
    return this.#ops.sendToGroup("WebPubSubGroupClient.sendToAll", this.groupName, message, options);
  }

  addUser(userId: string, options?: OperationOptions): Promise<void> {
    return this.#ops.addUserToGroup("WebPubSubGroupClient.addUser", this.groupName, userId, options);
  }

  removeUser(userId: string, options?: OperationOptions): Promise<void> {
    return this.#ops.removeUserFromGroup("WebPubSubGroupClient.removeUser", this.groupName, userId, options);
  }

  addConnection(connectionId: string, options?: OperationOptions): Promise<void> {
    return this.#ops.addConnectionToGroup("WebPubSubGroupClient.addConnection", this.groupName, connectionId, options);
  }

  removeConnection(connectionId: string, options?: OperationOptions): Promise<void> {
    return this.#ops.removeConnectionFromGroup(
      "WebPubSubGroupClient.removeConnection",
      this.groupName,
      connectionId,
      options,
    );
  }

  /** Closes every connection in the group, except `excluded`. */
  closeAllConnections(options?: CloseConnectionsOptions): Promise<void> {
    return this.#ops.closeGroupConnections("WebPubSubGroupClient.closeAllConnections", this.groupName, options);
  }

  /** True when the group has at least one connection. */
  exists(options?: OperationOptions): Promise<boolean> {
    return this.#ops.groupExists("WebPubSubGroupClient.exists", this.groupName, options);
  }

  /**
   * The group's connections, fetched lazily page by page. Returned directly (no `await` needed, though awaiting it
   * works too, like the official package's `Promise<iterator>`); `byPage({ maxPageSize })` is supported.
   */
  listConnections(
    options?: ListConnectionsOptions,
  ): PagedAsyncIterableIterator<WebPubSubGroupMember, WebPubSubGroupMember[], PageSettings> {
    return listConnectionsInGroup(this.#ops, "WebPubSubGroupClient.listConnections", this.groupName, options);
  }
}
