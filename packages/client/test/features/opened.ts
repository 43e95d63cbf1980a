// Opening group streams against the scripted service, for the group-stream tests: openStream opens one on a started
// client, opened starts a client with stream s1 of group g open.
import { started } from "./started.ts";

type Started = Pick<Awaited<ReturnType<typeof started>>, "client" | "socket">;

/** Opens stream `streamId` of group g on a started client and has the service accept it (its streamAck 1). */
export async function openStream(
  ctx: Started,
  streamId: string,
  options: { idleTimeoutInMs?: number; abortSignal?: AbortSignal } = {},
) {
  const starts = () => ctx.socket.framesOf("sendToGroup").length;
  const before = starts();
  const opening = ctx.client.openGroupStream("g", { streamId, ...options });
  await ctx.socket.waitForFrame(() => starts() > before);
  ctx.socket.push({ type: "streamAck", streamId, expectedSequenceId: 1 });
  return opening;
}

export async function opened(options: Parameters<typeof started>[0] = {}, idleTimeoutInMs?: number) {
  const ctx = await started(options);
  return { ...ctx, writer: await openStream(ctx, "s1", idleTimeoutInMs ? { idleTimeoutInMs } : {}) };
}
