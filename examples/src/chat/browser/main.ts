// The chat page's script, bundled by esbuild when the chat server starts. It asks the server for a client access
// URL (/negotiate), connects with @webpubsub/client, and sends and receives messages in the group "chat".
import { type GroupDataMessage, WebPubSubClient } from "@webpubsub/client";

const GROUP = "chat";

function element<T extends HTMLElement>(id: string): T {
  const found = document.getElementById(id);
  if (!found) throw new Error(`#${id} is missing from the page`);
  return found as T;
}

const status = element<HTMLSpanElement>("status");
const joinForm = element<HTMLFormElement>("join-form");
const nameInput = element<HTMLInputElement>("name");
const sendForm = element<HTMLFormElement>("send-form");
const messageInput = element<HTMLInputElement>("message");
const list = element<HTMLUListElement>("messages");

function show(text: string, user?: string): void {
  const item = document.createElement("li");
  if (user === undefined) {
    item.className = "system";
  } else {
    const name = document.createElement("span");
    name.className = "user";
    name.textContent = `${user}:`;
    item.append(name);
  }
  item.append(text);
  list.append(item);
  list.scrollTop = list.scrollHeight;
}

function setStatus(state: string, text: string): void {
  status.dataset.state = state;
  status.textContent = text;
}

async function join(user: string): Promise<void> {
  const client = new WebPubSubClient({
    // called for every new connection, so a reconnect gets a fresh token
    getClientAccessUrl: async ({ abortSignal }) => {
      const response = await fetch(`/negotiate?user=${encodeURIComponent(user)}`, { signal: abortSignal ?? null });
      if (!response.ok) throw new Error(`negotiate failed: ${response.status} ${await response.text()}`);
      return ((await response.json()) as { url: string }).url;
    },
  });
  client.on("connected", () => setStatus("Connected", `connected as ${user}`));
  client.on("recovering", () => setStatus("Recovering", "connection lost, recovering…"));
  client.on("recovered", () => setStatus("Connected", `connected as ${user}`));
  client.on("disconnected", (e) => setStatus("Connecting", `disconnected${e.message ? `: ${e.message}` : ""}`));
  client.on("stopped", () => setStatus("Stopped", "stopped"));
  client.on("group-message", ({ message }: { message: GroupDataMessage }) => {
    if (message.group === GROUP) show(String(message.data), message.fromUserId ?? "?");
  });
  // the server announces who comes and goes
  client.on("server-message", ({ message }) => {
    if (message.dataType === "json") {
      const event = message.data as { event?: string; user?: string };
      if (event.event === "joined" || event.event === "left") show(`${event.user} ${event.event}`);
    }
  });
  // Leaving the page ends the session at once; otherwise the reliable protocol would keep it open for recovery
  // for a while, and the others would see "left" only after that.
  window.addEventListener("pagehide", () => void client.stop());
  setStatus("Connecting", "connecting…");
  await client.start();
  joinForm.hidden = true;
  sendForm.hidden = false;
  messageInput.focus();
  sendForm.addEventListener("submit", (event) => {
    event.preventDefault();
    const text = messageInput.value.trim();
    if (text === "") return;
    messageInput.value = "";
    client.sendToGroup(GROUP, text, "text").catch((error: unknown) => show(`not sent: ${String(error)}`));
  });
}

joinForm.addEventListener("submit", (event) => {
  event.preventDefault();
  const user = nameInput.value.trim();
  if (user === "") return;
  join(user).catch((error: unknown) => {
    setStatus("Stopped", "could not connect");
    show(`could not connect: ${error instanceof Error ? error.message : String(error)}`);
  });
});
