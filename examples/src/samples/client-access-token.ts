// Client access tokens: getClientAccessToken({ userId, roles, groups, expirationTimeInMinutes }) returns the token
// and the URL a WebSocket client connects with. The claims decide who the client is and what it may do.
import { decodeJwt } from "@webpubsub/core";
import { uniqueName } from "../support/environment.ts";
import { expectEqual, log, runSample } from "../support/sample.ts";

await runSample("mint client access tokens", async ({ service, connect, settle }) => {
  const room = uniqueName("room");
  const token = await service.getClientAccessToken({
    userId: "alice",
    roles: [`webpubsub.sendToGroup.${room}`], // may send to this group (and only this one)
    groups: [room], // joined on connect
    expirationTimeInMinutes: 5,
  });
  log(`url: ${token.url.replace(/access_token=.*/, "access_token=<token>")}`);
  const { payload } = decodeJwt(token.token);
  log(`claims: ${JSON.stringify(payload)}`);
  expectEqual(token.url, `${token.baseUrl}?access_token=${token.token}`, "url = baseUrl + ?access_token=token");
  expectEqual(payload.sub, "alice", "sub is the user id");
  expectEqual(payload.role, [`webpubsub.sendToGroup.${room}`], "role lists the roles");
  expectEqual(payload["webpubsub.group"], [room], "webpubsub.group lists the initial groups");
  expectEqual((payload.exp ?? 0) - (payload.iat ?? 0), 300, "the token expires after 5 minutes");

  // The claims take effect: the client is alice, is in the group, and may send to it.
  const alice = await connect({ userId: "alice", roles: [`webpubsub.sendToGroup.${room}`], groups: [room] });
  expectEqual(alice.client.userId, "alice", "the connection belongs to alice");
  await alice.client.sendToGroup(room, "hello from alice", "text");
  await alice.inbox.waitForCount(1);
  expectEqual(alice.inbox.data(), ["hello from alice"], "alice, a member of the group, got her own group message");

  // Without the role the service refuses the send.
  const anonymous = await connect({ groups: [room] });
  const refused = await anonymous.client.sendToGroup(room, "not allowed", "text").then(
    () => "sent",
    (error: Error) => error.name,
  );
  expectEqual(refused, "SendMessageError", "a client without the sendToGroup role is refused");
  await settle(alice);
  expectEqual(alice.inbox.data(), ["hello from alice"], "the refused message reached nobody");
});
