// Consuming messages as async iterables: client.messages() (server and group messages) and
// client.groupMessages(name). Buffers are bounded; iteration ends on stop() or when the signal aborts.
import { uniqueName } from "../support/environment.ts";
import { expectEqual, log, runSample } from "../support/sample.ts";

await runSample("consume messages with for await", async ({ service, connect }) => {
  const news = uniqueName("news");
  const { client } = await connect({ userId: "reader", groups: [news] });

  // start both consumers before anything is sent
  const groupOnly = (async () => {
    const texts: unknown[] = [];
    for await (const message of client.groupMessages(news)) {
      texts.push(message.data);
      if (texts.length === 2) break; // leaving the loop unsubscribes
    }
    return texts;
  })();
  const abort = new AbortController();
  const everything = (async () => {
    const seen: string[] = [];
    for await (const message of client.messages({ signal: abort.signal })) {
      seen.push(`${message.from}: ${JSON.stringify(message.data)}`);
      if (message.data === "done") abort.abort(); // an aborted signal ends the iteration
    }
    return seen;
  })();

  await service.sendToGroup(news, "headline 1");
  await service.sendToUser("reader", { direct: true });
  await service.sendToGroup(news, "headline 2");
  await service.sendToUser("reader", "done");

  const headlines = await groupOnly;
  const all = await everything;
  for (const line of all) log(line);
  expectEqual(headlines, ["headline 1", "headline 2"], "groupMessages() yielded the group's messages");
  expectEqual(
    all,
    ['group: "headline 1"', 'server: {"direct":true}', 'group: "headline 2"', 'server: "done"'],
    "messages() yielded server and group messages in order, then ended on abort",
  );
});
