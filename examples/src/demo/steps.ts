// The walkthrough: every capability of the service client, the WebSocket client and the event handler, one step
// each. Every step checks what it observed against what it expected.
import { SendMessageError, WebPubSubClient, type WebPubSubClientOptions, type WebSocketLike } from "@webpubsub/client";
import { decodeJwt } from "@webpubsub/core";
import { odata, type WebPubSubServiceClient } from "@webpubsub/service";
import type { FaultProxy } from "@webpubsub/test-kit";
import { Inbox } from "../support/inbox.ts";
import type { AppServer } from "./app-server.ts";
import { Audience, inGroup, json, text } from "./audience.ts";
import { expectEqual, type Step } from "./runner.ts";

export interface DemoSetup {
  service: WebPubSubServiceClient;
  /** A service client whose endpoint is the proxy: the tokens it mints are for connections through the proxy. */
  proxiedService: WebPubSubServiceClient;
  proxy: FaultProxy;
  app: AppServer;
}

const ALICE_ROLES = ["webpubsub.joinLeaveGroup", "webpubsub.sendToGroup"];

/** Resolves with the first `event` the client emits; rejects after `timeoutMs`. */
function nextEvent(client: WebPubSubClient, event: "recovering" | "recovered", timeoutMs = 5000): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${event} event within ${timeoutMs} ms`)), timeoutMs);
    client.once(event, () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/** Frames carrying m1..m6 that reached dave's socket, counted below the client (replays included). */
let daveFrames = 0;
function countingFrames(url: string, protocols: string | string[]): WebSocketLike {
  const socket = new WebSocket(url, protocols);
  socket.addEventListener("message", (event) => {
    const frame = typeof event.data === "string" ? (JSON.parse(event.data) as { type?: string; data?: unknown }) : {};
    if (frame.type === "message" && typeof frame.data === "string" && /^m\d$/.test(frame.data)) daveFrames++;
  });
  return socket;
}

export function buildSteps({ service, proxiedService, proxy, app }: DemoSetup): { steps: Step[]; audience: Audience } {
  const audience = new Audience(service);
  const everyone = (payload: string) =>
    Object.fromEntries(audience.all().map((p) => [p.name, [payload]])) as Record<string, string[]>;

  async function join(name: string, url: string, how: string, options: WebPubSubClientOptions = {}): Promise<string> {
    // autoReconnect is off so the clients the demo closes stay closed (dave, the reliable one, keeps it on)
    const client = new WebPubSubClient(url, { autoReconnect: false, ...options });
    const inbox = new Inbox(client);
    audience.add({ name, client, inbox });
    await client.start();
    return `${name.padEnd(10)} connected as user ${client.userId} (${how}; connection ${client.connectionId})`;
  }

  const steps: Step[] = [
    {
      title: "a client access token carries the user id, roles and groups",
      async run() {
        const { token, url } = await service.getClientAccessToken({
          userId: "alice",
          roles: ALICE_ROLES,
          groups: ["lobby"],
          expirationTimeInMinutes: 30,
        });
        const claims = decodeJwt(token).payload;
        expectEqual(
          {
            sub: claims.sub,
            role: claims.role,
            group: claims["webpubsub.group"],
            lifetime: (claims.exp ?? 0) - (claims.iat ?? 0),
          },
          { sub: "alice", role: ALICE_ROLES, group: ["lobby"], lifetime: 1800 },
          "token claims",
        );
        return [
          `url  ${url.replace(/access_token=.*/, "access_token=…")}`,
          `sub=${claims.sub}  role=${JSON.stringify(claims.role)}  webpubsub.group=${JSON.stringify(claims["webpubsub.group"])}  expires in 30 min`,
        ];
      },
    },
    {
      title: "clients connect; the app server's connect handler assigns user ids",
      async run() {
        const lines: string[] = [];
        const alice = await service.getClientAccessToken({ userId: "alice", roles: ALICE_ROLES, groups: ["lobby"] });
        lines.push(await join("alice", alice.url, "user id in the token"));
        // no user id in these tokens: the connect handler takes it from ?user=
        const anonymous = await service.getClientAccessToken();
        lines.push(await join("bob/laptop", `${anonymous.url}&user=bob`, "from ?user="));
        lines.push(await join("bob/phone", `${anonymous.url}&user=bob`, "from ?user="));
        // carol's user id is a token claim, which the connect handler keeps
        const carol = await service.getClientAccessToken({ userId: "carol" });
        lines.push(await join("carol", carol.url, "user id in the token"));
        // dave connects through the proxy (the reliable-recovery step cuts it), with the default reliable protocol
        const dave = await proxiedService.getClientAccessToken({ userId: "dave", groups: ["lobby"] });
        lines.push(
          await join("dave", dave.url, "user id in the token, via the proxy", {
            autoReconnect: true,
            webSocketFactory: countingFrames,
          }),
        );
        const users = audience.all().map((p) => p.client.userId);
        expectEqual(users, ["alice", "bob", "bob", "carol", "dave"], "user ids of the connections", lines);
        expectEqual(
          app.accepted,
          ["alice", "bob", "bob", "carol", "dave"],
          "users the connect handler accepted",
          lines,
        );
        return lines;
      },
    },
    {
      title: 'a "chat" event from alice is broadcast by the app server (handler + sendToAll)',
      run: () =>
        audience.deliver(
          () => audience.get("alice").client.sendEvent("chat", "hi everyone", "text"),
          everyone(json({ from: "alice", text: "hi everyone" })),
        ),
    },
    {
      title: 'alice invokes "whoami" on the app server and gets its reply (invokeEvent)',
      async run() {
        const lines: string[] = [];
        let reply: unknown;
        const delivered = await audience.deliver(async () => {
          const result = await audience.get("alice").client.invokeEvent("whoami", { question: "who am I?" }, "json");
          reply = result.data;
          lines.push(`alice → invokeEvent("whoami") ← ${result.dataType} ${JSON.stringify(result.data)}`);
        }, {});
        expectEqual(reply, { userId: "alice", asked: { question: "who am I?" } }, "the handler's reply", lines);
        return [...lines, "the reply went to alice alone, as an answer rather than a message:", ...delivered];
      },
    },
    {
      title: "send to all: text",
      run: () => audience.deliver(() => service.sendToAll("Hello, world"), everyone(text("Hello, world"))),
    },
    {
      title: "send to all: JSON",
      run: () =>
        audience.deliver(() => service.sendToAll({ kind: "notice", n: 1 }), everyone(json({ kind: "notice", n: 1 }))),
    },
    {
      title: "send to a user reaches every connection of that user",
      run: () =>
        audience.deliver(() => service.sendToUser("bob", "psst, bob"), {
          "bob/laptop": [text("psst, bob")],
          "bob/phone": [text("psst, bob")],
        }),
    },
    {
      title: "send to a group (alice and dave joined lobby through their tokens)",
      run: () =>
        audience.deliver(() => service.sendToGroup("lobby", "welcome to the lobby"), {
          alice: [inGroup("lobby", text("welcome to the lobby"))],
          dave: [inGroup("lobby", text("welcome to the lobby"))],
        }),
    },
    {
      title: "alice streams five fragments to lobby; dave reads the stream in order (openGroupStream / onGroupStream)",
      async run() {
        const dave = audience.get("dave").client;
        const parts = ["part 1", "part 2", "part 3", "part 4", "part 5"];
        const read: { streamId: string; data: unknown[]; error?: string }[] = [];
        let finished: () => void = () => {};
        const done = new Promise<void>((resolve) => {
          finished = resolve;
        });
        const subscription = dave.onGroupStream(async (stream) => {
          const entry: { streamId: string; data: unknown[]; error?: string } = { streamId: stream.streamId, data: [] };
          read.push(entry);
          try {
            for await (const fragment of stream) entry.data.push(fragment.data);
          } catch (error) {
            entry.error = (error as Error).name;
          }
          finished();
        });
        await subscription.ready;
        // noEcho: alice is in lobby too, but her own stream does not come back to her
        const writer = await audience.get("alice").client.openGroupStream("lobby", { noEcho: true });
        for (const part of parts) await writer.write(part, "text");
        await writer.end();
        await done;
        await subscription.close();
        const lines = [
          `alice → stream ${writer.streamId} to lobby: ${parts.length} fragments, then end`,
          `dave  ← ${read.map((r) => r.data.join(", ")).join(" | ")}`,
        ];
        expectEqual(read, [{ streamId: writer.streamId, data: parts }], "the streams dave read", lines);
        return lines;
      },
    },
    {
      title: "send to one connection",
      run: () =>
        audience.deliver(() => service.sendToConnection(audience.id("carol"), "just for you, carol"), {
          carol: [text("just for you, carol")],
        }),
    },
    {
      title: "group membership by user: addUserToGroup adds all of bob's connections",
      async run() {
        const lines = await audience.deliver(
          async () => {
            await service.addUserToGroup("news", "bob");
            await service.sendToGroup("news", "breaking news");
          },
          {
            "bob/laptop": [inGroup("news", text("breaking news"))],
            "bob/phone": [inGroup("news", text("breaking news"))],
          },
        );
        return ["addUserToGroup(news, bob)", ...lines];
      },
    },
    {
      title: "group membership by connection: addConnectionToGroup, then list the members",
      async run() {
        await service.addConnectionToGroup("news", audience.id("carol"));
        const members: string[] = [];
        for await (const member of service.listConnectionsInGroup("news")) members.push(member.userId ?? "?");
        expectEqual(members.sort(), ["bob", "bob", "carol"], "users of the members of news");
        const lines = await audience.deliver(() => service.sendToGroup("news", "more news"), {
          "bob/laptop": [inGroup("news", text("more news"))],
          "bob/phone": [inGroup("news", text("more news"))],
          carol: [inGroup("news", text("more news"))],
        });
        return [`addConnectionToGroup(news, carol's connection); members: ${members.join(", ")}`, ...lines];
      },
    },
    {
      title: "removeUserFromGroup takes all of bob's connections out of the group",
      async run() {
        const lines = await audience.deliver(
          async () => {
            await service.removeUserFromGroup("news", "bob");
            await service.sendToGroup("news", "late news");
          },
          { carol: [inGroup("news", text("late news"))] },
        );
        return ["removeUserFromGroup(news, bob)", ...lines];
      },
    },
    {
      title: "filters: send to all except bob, built with the odata template",
      async run() {
        const filter = odata`userId ne ${"bob"}`;
        const lines = await audience.deliver(() => service.sendToAll("not for bob", { filter }), {
          alice: [text("not for bob")],
          carol: [text("not for bob")],
          dave: [text("not for bob")],
        });
        return [`filter: ${filter}`, ...lines];
      },
    },
    {
      title: "filters: group membership and user id combined",
      async run() {
        const filter = odata`${"lobby"} in groups and userId ne ${"dave"}`;
        const lines = await audience.deliver(() => service.sendToAll("lobby, not dave", { filter }), {
          alice: [text("lobby, not dave")],
        });
        return [`filter: ${filter}`, ...lines];
      },
    },
    {
      title: "connection, user and group existence",
      async run() {
        const observed = {
          "connectionExists(carol)": await service.connectionExists(audience.id("carol")),
          "connectionExists(no-such-id)": await service.connectionExists("no-such-id"),
          "userExists(bob)": await service.userExists("bob"),
          "userExists(zed)": await service.userExists("zed"),
          "groupExists(news)": await service.groupExists("news"),
          "groupExists(ghosts)": await service.groupExists("ghosts"),
        };
        expectEqual(Object.values(observed), [true, false, true, false, true, false], Object.keys(observed).join(", "));
        return [
          Object.entries(observed)
            .map(([k, v]) => `${k}=${v}`)
            .join("  "),
        ];
      },
    },
    {
      title: "permissions: check, grant, use, revoke",
      async run() {
        const carol = audience.get("carol").client;
        const id = audience.id("carol");
        const stage = { targetName: "stage" };
        const lines: string[] = [];
        const before = await service.checkPermission(id, "joinLeaveGroup", stage);
        const denied = await carol.joinGroup("stage").then(
          () => "allowed",
          (e: unknown) => (e instanceof SendMessageError ? (e.errorDetail?.name ?? e.message) : String(e)),
        );
        lines.push(`checkPermission(carol, joinLeaveGroup, stage)=${before}; carol.joinGroup(stage) → ${denied}`);
        await service.grantPermission(id, "joinLeaveGroup", stage);
        await service.grantPermission(id, "sendToGroup", stage);
        const granted = await service.checkPermission(id, "joinLeaveGroup", stage);
        await carol.joinGroup("stage");
        const sent = await audience.deliver(() => carol.sendToGroup("stage", "carol on stage", "text"), {
          carol: [inGroup("stage", text("carol on stage"))],
        });
        lines.push(`grantPermission(joinLeaveGroup, sendToGroup on stage); check=${granted}; carol joins and sends:`);
        lines.push(...sent.map((l) => `  ${l}`));
        await service.revokePermission(id, "joinLeaveGroup", stage);
        const after = await service.checkPermission(id, "joinLeaveGroup", stage);
        lines.push(`revokePermission(carol, joinLeaveGroup, stage); check=${after}`);
        expectEqual(
          { before, denied, granted, after },
          { before: false, denied: "Forbidden", granted: true, after: false },
          "permission results",
          lines,
        );
        return lines;
      },
    },
    {
      title: "close a connection with a reason",
      async run() {
        const carol = audience.get("carol");
        const id = audience.id("carol");
        await service.closeConnection(id, { reason: "carol was idle" });
        await carol.inbox.waitForDisconnect();
        const exists = await service.connectionExists(id);
        const got = carol.inbox.disconnects[0]?.message;
        expectEqual(
          { got, exists },
          { got: "carol was idle", exists: false },
          "carol's disconnected message, and whether her connection still exists",
        );
        return [`carol disconnected: "${got}"; connectionExists=${exists}`];
      },
    },
    {
      title: "close all of a user's connections",
      async run() {
        await service.closeUserConnections("bob", { reason: "bob signed out" });
        const bobs = [audience.get("bob/laptop"), audience.get("bob/phone")];
        await Promise.all(bobs.map((b) => b.inbox.waitForDisconnect()));
        const messages = bobs.map((b) => b.inbox.disconnects[0]?.message);
        const exists = await service.userExists("bob");
        expectEqual(
          { messages, exists },
          { messages: ["bob signed out", "bob signed out"], exists: false },
          "bob's disconnects",
        );
        return bobs.map((b, i) => `${b.name} disconnected: "${messages[i]}"`).concat(`userExists(bob)=${exists}`);
      },
    },
    {
      title: "the reliable client recovers a dropped connection without losing or repeating messages",
      async run() {
        const dave = audience.get("dave");
        const connectionId = dave.client.connectionId;
        dave.inbox.take();
        daveFrames = 0;
        const expected = ["m1", "m2", "m3", "m4", "m5", "m6"];
        // m1-m3 arrive before the cut; dave acknowledges sequence ids only every 500 ms, so the service still
        // holds them and replays them on recovery: the client must drop the repeats.
        for (const m of expected.slice(0, 3)) await service.sendToUser("dave", m);
        await dave.inbox.waitForCount(3);
        const recovering = nextEvent(dave.client, "recovering");
        const recovered = nextEvent(dave.client, "recovered", 10_000);
        // the TCP connection dies without a close frame (code 1006), and new connections are refused
        proxy.refuseNew(true);
        proxy.cutAll();
        await recovering;
        for (const m of expected.slice(3)) await service.sendToUser("dave", m); // sent while dave is offline
        const outage = dave.client.state;
        proxy.refuseNew(false);
        await recovered;
        await dave.inbox.waitForCount(6);
        const received = dave.inbox.messages.map((m) => m.data);
        // a fence: any late duplicate would arrive before it and fail the step
        const fence = await audience.deliver(async () => {}, {});
        const lines2 = [
          `proxy cut while dave was connected; state during the outage: ${outage}; m4-m6 sent via REST meanwhile`,
          `recovered on the same connection: ${dave.client.connectionId === connectionId} (${connectionId})`,
          `dave ← ${received.join(", ")}  (${daveFrames} frames of them reached the socket; ${daveFrames - received.length} replays dropped by the client)`,
        ];
        expectEqual(received, expected, "messages dave received, in order, each once", lines2);
        expectEqual(dave.client.connectionId, connectionId, "connection id after recovery", lines2);
        expectEqual(outage, "Recovering", "client state during the outage", lines2);
        return [...lines2, `then a fence message: ${fence.join("; ")}`];
      },
    },
  ];
  return { steps, audience };
}
