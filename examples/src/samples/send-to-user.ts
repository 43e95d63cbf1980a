// sendToUser: a message to every connection of one user (a user may have several, e.g. laptop and phone).
import { uniqueName } from "../support/environment.ts";
import { expectEqual, runSample } from "../support/sample.ts";

await runSample("send to a user", async ({ service, connect, settle }) => {
  const user = uniqueName("bob");
  const laptop = await connect({ userId: user });
  const phone = await connect({ userId: user });
  const someoneElse = await connect({ userId: uniqueName("carol") });

  await service.sendToUser(user, `hi ${user}`);
  await service.sendToUser(user, { unread: 3 });
  await settle(laptop, phone, someoneElse);

  expectEqual(laptop.inbox.data(), [`hi ${user}`, { unread: 3 }], "the user's first connection got both messages");
  expectEqual(phone.inbox.data(), [`hi ${user}`, { unread: 3 }], "the user's second connection got both messages");
  expectEqual(someoneElse.inbox.data(), [], "another user got nothing");
});
