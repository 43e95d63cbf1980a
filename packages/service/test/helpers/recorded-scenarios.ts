// The operations each vendored recording captured, replayed through @webpubsub/test-recorder in
// recorder-playback.test.ts.
import { isRestError } from "@azure/core-rest-pipeline";
import { expect } from "vitest";
import type { WebPubSubServiceClient } from "../../src/index.ts";

export interface Scenario {
  name: string;
  /** Path under fixtures/reference/recordings. */
  file: string;
  hub: string;
  /** Use a TokenCredential (the recording used DefaultAzureCredential). */
  entra?: boolean;
  /** The recording went through a reverse proxy at this host, the client's endpoint being the service. */
  reverseProxy?: boolean;
  /** Query keys left out of request matching, where the recording was made by another client version. */
  ignoredQueryParameters?: string[];
  run(client: WebPubSubServiceClient): Promise<void>;
}

export async function expectRestError(p: Promise<unknown>, status: number, code: string): Promise<void> {
  const error = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(isRestError(error), String(error)).toBe(true);
  expect((error as { statusCode?: number }).statusCode).toBe(status);
  expect((error as { code?: string }).code).toBe(code);
}

const ASSETS = "azure-sdk-assets/js/sdk/web-pubsub/web-pubsub/recordings/node";
const REPO = "azure-sdk-for-js/sdk/web-pubsub/web-pubsub/recordings/node";

export const scenarios: Scenario[] = [
  {
    name: "hub: broadcast text, JSON and binary",
    file: `${REPO}/hubclient_working_with_a_hub/recording_can_broadcast.json`,
    hub: "simplechat",
    async run(client) {
      await client.sendToAll("hello");
      await client.sendToAll({ x: 1, y: 2 });
      await client.sendToAll(new Uint8Array(10));
    },
  },
  {
    name: "hub: send to a user",
    file: `${REPO}/hubclient_working_with_a_hub/recording_can_send_messages_to_a_user.json`,
    hub: "simplechat",
    async run(client) {
      await client.sendToUser("brian", "hello");
      await client.sendToUser("brian", { x: 1, y: 2 });
      await client.sendToUser("brian", new Uint8Array(10).buffer);
    },
  },
  {
    name: "hub: broadcast with a filter; an invalid filter is a RestError Error.BadRequest",
    file: `${REPO}/hubclient_working_with_a_hub/recording_can_broadcast_with_filter.json`,
    hub: "simplechat",
    async run(client) {
      await client.sendToAll("hello", { filter: "userId ne 'user1'" });
      await expectRestError(client.sendToAll("hello", { filter: "invalid filter" }), 400, "Error.BadRequest");
    },
  },
  {
    name: "hub: broadcast with excluded connections",
    file: `${ASSETS}/hubclient_working_with_a_hub/recording_can_broadcast_with_excludedconnections.json`,
    hub: "simplechat",
    async run(client) {
      await client.sendToAll("hello", { excludedConnections: ["conn1", "conn2"] });
    },
  },
  {
    name: "hub: send to a user with messageTtlSeconds",
    file: `${ASSETS}/hubclient_working_with_a_hub/recording_can_send_to_a_user_with_messagettlseconds.json`,
    hub: "simplechat",
    async run(client) {
      await client.sendToUser("brian", "hello", { messageTtlSeconds: 60 });
    },
  },
  {
    name: "hub: close all connections with a reason",
    file: `${ASSETS}/hubclient_working_with_a_hub/recording_can_close_all_connections_with_reason.json`,
    hub: "simplechat",
    async run(client) {
      await client.closeAllConnections({ reason: "test reason" });
    },
  },
  {
    name: "hub: grant permission to an unknown connection is a RestError Info.Connection.NotExisted",
    file: `${REPO}/hubclient_working_with_a_hub/recording_can_grant_permissions_to_connections.json`,
    hub: "simplechat",
    async run(client) {
      await expectRestError(
        client.grantPermission("xxx", "joinLeaveGroup", { targetName: "x" }),
        404,
        "Info.Connection.NotExisted",
      );
    },
  },
  {
    name: "hub: manage connections",
    file: `${REPO}/hubclient_working_with_a_hub/recording_can_manage_connections.json`,
    hub: "simplechat",
    async run(client) {
      await client.removeConnectionFromAllGroups("xxx");
    },
  },
  {
    name: "hub: manage users (userExists false on 404)",
    file: `${REPO}/hubclient_working_with_a_hub/recording_can_manage_users.json`,
    hub: "simplechat",
    async run(client) {
      expect(await client.userExists("foo")).toBe(false);
      await client.removeUserFromAllGroups("brian");
    },
  },
  {
    name: "hub: every operation through a reverse proxy",
    file: `${REPO}/hubclient_working_with_a_hub/recording_can_trace_through_the_various_options.json`,
    hub: "simplechat",
    reverseProxy: true,
    async run(client) {
      expect(await client.groupExists("foo")).toBe(false);
      expect(await client.userExists("foo")).toBe(false);
      await client.removeUserFromAllGroups("foo");
      await client.closeConnection("xxxx");
      await client.sendToAll("hello");
      await client.closeUserConnections("xxxx");
      await client.closeAllConnections();
      await client.sendToConnection("xxxx", "hello");
      await client.sendToUser("brian", "hello");
      expect(await client.connectionExists("xxxx")).toBe(false);
      await expectRestError(client.revokePermission("xxxx", "joinLeaveGroup"), 400, "Error.BadRequest");
      await expectRestError(
        client.grantPermission("xxxx", "joinLeaveGroup", { targetName: "x" }),
        404,
        "Info.Connection.NotExisted",
      );
      expect(await client.hasPermission("xxxx", "joinLeaveGroup", { targetName: "x" })).toBe(false);
    },
  },
  {
    name: "group: adding an unknown connection is a RestError Error.Connection.NotExisted",
    file: `${REPO}/group_client_working_with_a_group/recording_can_manage_connections.json`,
    hub: "simplechat",
    async run(client) {
      const group = client.group("group");
      await expectRestError(group.addConnection("xxxx"), 404, "Error.Connection.NotExisted");
      await group.removeConnection("xxxx");
    },
  },
  {
    name: "groups: add connections to several groups by filter; an invalid filter is rejected",
    file: `${REPO}/client_working_with_multiple_groups/recording_can_join_multiple_groups_with_filter.json`,
    hub: "simplechat",
    async run(client) {
      await client.addConnectionsToGroups(["group1", "group2"], "userId eq 'user 1'");
      await expectRestError(
        client.addConnectionsToGroups(["group1", "group2"], "invalid filter"),
        400,
        "Error.BadRequest",
      );
    },
  },
  {
    name: "token credential: a client token from :generateToken",
    file: `${ASSETS}/hubclient_working_with_a_hub/recording_can_generate_default_client_tokens_with_dac.json`,
    hub: "simplechat",
    entra: true,
    async run(client) {
      const res = await client.getClientAccessToken({ userId: "brian", groups: ["group1"], clientProtocol: "default" });
      expect(res.token).toBe("Sanitized");
      expect(res.url).toBe(`${res.baseUrl}?access_token=Sanitized`);
      expect(res.baseUrl).toMatch(/^wss:\/\/[^/]+\/client\/hubs\/simplechat$/);
    },
  },
  {
    name: "paging: 6 connections, top 5, page size 2 -> pages of 2, 2, 1 following nextLink",
    file: `${ASSETS}/group_client_listing_connections/recording_can_list_connections_with_6_connections_maxcounteq5_pagesizeeq2.json`,
    hub: "listconnectionsingroup",
    entra: true,
    // Entry 0 is the token the recorded test fetched for its WebSocket clients with a newer client (1.2.1) that
    // leaves out the default minutesToExpire.
    ignoredQueryParameters: ["minutesToExpire"],
    async run(client) {
      await client.getClientAccessToken({ groups: ["group1"] });
      const pages: string[][] = [];
      for await (const page of client.group("group1").listConnections({ maxPageSize: 2, top: 5 }).byPage()) {
        pages.push(page.map((m) => m.connectionId));
      }
      expect(pages.map((p) => p.length)).toEqual([2, 2, 1]);
      expect(new Set(pages.flat()).size).toBe(5);
    },
  },
];
