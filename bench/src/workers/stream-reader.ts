// A raw `ws` reader of group streams in its own process (argv[2]: its client access URL, json.webpubsub.azure.v1), so
// it drains the emulator at its own pace whatever the publisher does. `{ type: "expect", n }` arms it; it answers
// `{ type: "ended", error? }` when a stream ends, with an error unless it got fragments 1..n in order.
import WebSocket from "ws";

const socket = new WebSocket(process.argv[2] as string, "json.webpubsub.azure.v1");
let expected = 0;
let count = 0;
let failure: string | undefined;
const answer = (error?: string) => process.send?.({ type: "ended", ...(error ? { error } : {}) });

socket.once("message", () => process.send?.({ type: "ready" })); // the connected message
socket.on("message", (raw) => {
  const m = JSON.parse(String(raw)) as { stream?: { streamSequenceId: number; endOfStream?: boolean } };
  if (!m.stream) return;
  if (m.stream.endOfStream) {
    answer(failure ?? (count === expected ? undefined : `the stream ended after ${count} of ${expected} fragments`));
    count = 0;
    failure = undefined;
    return;
  }
  if (m.stream.streamSequenceId !== ++count) failure ??= `fragment ${m.stream.streamSequenceId} arrived as ${count}`;
});
socket.on("close", (code) => answer(`the reader was closed (${code})`));
process.on("message", (m: { type?: string; n?: number }) => {
  if (m?.type === "expect") {
    expected = m.n ?? 0;
    process.send?.({ type: "armed" });
  }
});
process.on("disconnect", () => {
  socket.terminate();
  process.exit(0);
});
