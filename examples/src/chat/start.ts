// `pnpm start`: the chat app on localhost until Ctrl+C. PORT sets the page's port (default: a free one).
import { startChat } from "./server.ts";

const chat = await startChat({ port: Number(process.env.PORT ?? 0) });
const dashboard = `${chat.emulator.endpoint}/_emulator`;
// the emulator's dashboard, when this emulator version serves one
const hasDashboard = await fetch(dashboard).then(
  async (r) => {
    await r.body?.cancel();
    return r.ok;
  },
  () => false,
);

console.log("Web PubSub chat is running");
console.log(`  chat page   ${chat.url}   (open it in two browser windows)`);
console.log(`  emulator    ${chat.emulator.endpoint}`);
if (hasDashboard) console.log(`  dashboard   ${dashboard}`);
console.log("Press Ctrl+C to stop.");

let stopping = false;
async function stop(signal: string): Promise<void> {
  if (stopping) process.exit(1); // a second Ctrl+C forces it
  stopping = true;
  console.log(`\n${signal}: stopping`);
  const force = setTimeout(() => process.exit(1), 5000);
  await chat.close();
  clearTimeout(force);
  process.exit(0);
}
process.on("SIGINT", () => void stop("SIGINT"));
process.on("SIGTERM", () => void stop("SIGTERM"));
