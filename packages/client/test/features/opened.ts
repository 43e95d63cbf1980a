// A started client with stream s1 of group g open (the service accepted its start), for the group-stream tests.
import { started } from "./started.ts";

export async function opened(options: Parameters<typeof started>[0] = {}, idleTimeoutInMs?: number) {
  const ctx = await started(options);
  const writerPromise = ctx.client.openGroupStream("g", {
    streamId: "s1",
    ...(idleTimeoutInMs ? { idleTimeoutInMs } : {}),
  });
  await ctx.socket.waitForFrame((f) => f.type === "sendToGroup");
  ctx.socket.push({ type: "streamAck", streamId: "s1", expectedSequenceId: 1 });
  return { ...ctx, writer: await writerPromise };
}
