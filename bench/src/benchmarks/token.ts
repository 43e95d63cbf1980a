// getClientAccessToken with a user id, 2 roles and 2 groups, key credential: ours vs the official package.
import { WebPubSubServiceClient as Official } from "@azure/web-pubsub";
import { WebPubSubServiceClient as Ours } from "@webpubsub/service";
import { type Benchmark, interleave, opsPerSecond } from "../harness.ts";

const connectionString =
  "Endpoint=http://localhost:8080;AccessKey=ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789ABCDEFGH;Version=1.0;";
const options = {
  userId: "alice",
  roles: ["webpubsub.joinLeaveGroup.chat", "webpubsub.sendToGroup.chat"],
  groups: ["chat", "news"],
};

export const token: Benchmark = {
  name: "token",
  description: "getClientAccessToken (user id, 2 roles, 2 groups, key credential), tokens/s",
  async run(ctx) {
    const ours = Ours.fromConnectionString(connectionString, "chat");
    const official = new Official(connectionString, "chat");
    const ms = ctx.quick ? 400 : 1500;
    // Warm both up so neither pays first-call costs inside a round.
    await opsPerSecond(100, () => ours.getClientAccessToken(options));
    await opsPerSecond(100, () => official.getClientAccessToken(options));
    const samples = await interleave(
      ctx.rounds,
      {
        ours: () => opsPerSecond(ms, () => ours.getClientAccessToken(options)),
        official: () => opsPerSecond(ms, () => official.getClientAccessToken(options)),
      },
      ctx.log,
    );
    return [
      {
        metric: "tokens/s",
        unit: "ops/s",
        better: "higher",
        ours: samples.ours,
        baseline: samples.official,
        baselineName: "@azure/web-pubsub 1.2.0",
        target: 5,
      },
    ];
  },
};
