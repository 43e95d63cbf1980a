// `pnpm start`: the chat app on localhost until Ctrl+C. PORT sets the page's port (default: a free one).
// `pnpm start -- --tls`: the page over https and the emulator over https/wss with one generated certificate, written to
// a file whose path is printed with the ways to trust it (never by turning certificate checks off).
import { mkdtempSync, writeFileSync } from "node:fs";
import { get } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spkiHash } from "@webpubsub/emulator";
import { startChat } from "./server.ts";

const USAGE = "usage: pnpm start [-- --tls]   (PORT=3000 pnpm start for a fixed port)";

// pnpm passes the arguments after `pnpm start --` with the `--` itself
const args = process.argv.slice(2).filter((a) => a !== "--");
const unknown = args.find((a) => a !== "--tls");
if (unknown !== undefined) {
  console.error(`Unknown argument '${unknown.slice(0, 100)}'\n${USAGE}`);
  process.exit(2);
}
const tls = args.includes("--tls");

const chat = await startChat({ port: Number(process.env.PORT ?? 0), tls });
const dashboard = `${chat.emulator.endpoint}/_emulator`;
const hasDashboard = await reachable(dashboard, chat.certificate);

console.log("Web PubSub chat is running");
console.log(`  chat page   ${chat.url}   (open it in two browser windows)`);
console.log(`  emulator    ${chat.emulator.endpoint}`);
if (hasDashboard) console.log(`  dashboard   ${dashboard}`);
if (chat.certificate !== undefined) {
  const file = writeCertificate(chat.certificate, new URL(chat.url).port);
  console.log(`  certificate ${file}   (self-signed, new on every start; the page and the emulator serve it)`);
  console.log("Trust this certificate (do not turn certificate checks off):");
  console.log(
    `  Chromium:  chromium --ignore-certificate-errors-spki-list=${spkiHash(chat.certificate)} ` +
      `--user-data-dir=$(mktemp -d) ${chat.url}`,
  );
  console.log("             (trusts this one key only), or import the file as an authority in the browser's settings");
  console.log(`  Node:      NODE_EXTRA_CA_CERTS=${file} (or pass the file's content as the \`ca\` TLS option)`);
}
console.log("Press Ctrl+C to stop.");

/** Whether `url` answers 2xx: the emulator's dashboard, when this emulator version serves one. */
function reachable(url: string, ca: string | undefined): Promise<boolean> {
  if (ca === undefined) {
    return fetch(url).then(
      async (r) => {
        await r.body?.cancel();
        return r.ok;
      },
      () => false,
    );
  }
  return new Promise((resolve) => {
    get(url, { ca }, (res) => {
      res.resume();
      resolve((res.statusCode ?? 0) >= 200 && (res.statusCode ?? 0) < 300);
    }).on("error", () => resolve(false));
  });
}

/**
 * Writes the certificate where browsers and Node can be pointed at it; returns the path. A new private directory
 * (mkdtemp, mode 0700) and a file created there: in a shared one another user could swap in an authority of theirs.
 */
function writeCertificate(pem: string, port: string): string {
  const dir = mkdtempSync(join(tmpdir(), "webpubsub-chat-"));
  const file = join(dir, `localhost-${port}.pem`);
  writeFileSync(file, pem, { mode: 0o644, flag: "wx" });
  return file;
}

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
