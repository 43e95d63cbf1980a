// The optional status page (`dashboard: true` / `--dashboard`): GET /_emulator shows hubs, connections, groups and
// users, refreshed every second from GET /_emulator/state, and a live feed of recent activity pushed over
// Server-Sent Events from GET /_emulator/events. Read-only; no secrets (the access key and tokens are not shown).
// Every answer forbids sniffing and framing; the page runs under a Content-Security-Policy that admits only its own
// inline script and style (by hash) and requests to its own origin.
import { createHash } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { ActivityEntry, ActivityFeed } from "./activity-feed.ts";
import type { Service } from "./service.ts";

/** What the dashboard shows: the service's state and the activity feed (which exists while the dashboard is on). */
export interface DashboardSource {
  service: Service;
  feed: ActivityFeed;
  startedAt: Date;
}

/** Connections, groups and users listed per hub; the counts stay exact. */
const MAX_LISTED = 200;
/**
 * Groups listed per connection (groupCount counts them all): a client may join any number of groups of up to 1,024
 * characters, and the page polls the state every second.
 */
export const MAX_GROUPS_SHOWN = 20;

export interface DashboardState {
  startedAt: string;
  /** the most recent activity, oldest first (what a page that just opened shows before the live stream) */
  activity: ActivityEntry[];
  totals: { hubs: number; connections: number; groups: number };
  hubs: {
    name: string;
    connectionCount: number;
    connections: {
      connectionId: string;
      userId: string | null;
      protocol: string;
      /** the first MAX_GROUPS_SHOWN of its groups */
      groups: string[];
      /** how many groups it is in */
      groupCount: number;
      connected: boolean;
      unacked?: number;
    }[];
    groups: { name: string; members: number }[];
    users: { userId: string; connections: number }[];
  }[];
}

export function dashboardState({ service, feed, startedAt }: DashboardSource): DashboardState {
  let connections = 0;
  let groups = 0;
  const hubs: DashboardState["hubs"] = [];
  for (const hub of [...service.hubs.values()].sort((a, b) => a.name.localeCompare(b.name))) {
    connections += hub.connections.size;
    groups += hub.groups.size;
    const listed: DashboardState["hubs"][number]["connections"] = [];
    for (const c of hub.connections.values()) {
      if (listed.length >= MAX_LISTED) break;
      const mine = hub.groupsOf(c);
      const entry: DashboardState["hubs"][number]["connections"][number] = {
        connectionId: c.id,
        userId: c.userId,
        protocol: c.protocol.label ?? c.subprotocol ?? "(simple)",
        groups: mine === null ? [] : firstOf(mine, MAX_GROUPS_SHOWN),
        groupCount: mine?.size ?? 0,
        connected: c.socket !== null,
      };
      if (c.reliable) entry.unacked = c.unackedCount;
      listed.push(entry);
    }
    hubs.push({
      name: hub.name,
      connectionCount: hub.connections.size,
      connections: listed,
      groups: firstOf(hub.groups, MAX_LISTED).map(([name, members]) => ({ name, members: members.size })),
      users: firstOf(hub.users, MAX_LISTED).map(([userId, conns]) => ({ userId, connections: conns.size })),
    });
  }
  return {
    startedAt: startedAt.toISOString(),
    activity: feed.entries(),
    totals: { hubs: hubs.length, connections, groups },
    hubs,
  };
}

/** The first `n` items, without copying the rest. */
function firstOf<T>(items: Iterable<T>, n: number): T[] {
  const out: T[] = [];
  for (const item of items) {
    if (out.length >= n) break;
    out.push(item);
  }
  return out;
}

/** The id after which an SSE stream starts: the Last-Event-ID header (a reconnect) or ?since=; NaN when invalid. */
function resumeAfter(req: IncomingMessage): number {
  const header = req.headers["last-event-id"];
  const since = new URL(req.url ?? "/", "http://localhost").searchParams.get("since");
  let after = 0;
  for (const v of [typeof header === "string" ? header : undefined, since ?? undefined]) {
    if (v === undefined || v === "") continue;
    if (!/^\d{1,15}$/.test(v)) return Number.NaN;
    after = Math.max(after, Number(v));
  }
  return after;
}

/** Answers /_emulator, /_emulator/state and /_emulator/events; returns false for other paths. */
export function handleDashboard(source: DashboardSource, req: IncomingMessage, res: ServerResponse): boolean {
  const path = (req.url ?? "/").split("?")[0]!.replace(/\/+$/, "");
  if (path !== "/_emulator" && path !== "/_emulator/state" && path !== "/_emulator/events") return false;
  for (const [name, value] of Object.entries(SECURITY_HEADERS)) res.setHeader(name, value);
  if (req.method !== "GET" && req.method !== "HEAD") {
    res.writeHead(405, { allow: "GET, HEAD" }).end();
    return true;
  }
  if (path === "/_emulator/events") {
    const after = resumeAfter(req);
    if (Number.isNaN(after)) {
      const text = "since / Last-Event-ID must be an entry id.\n";
      res.writeHead(400, { "content-type": "text/plain; charset=utf-8" }).end(text);
      return true;
    }
    if (req.method === "HEAD") {
      res.writeHead(200, { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-store" }).end();
      return true;
    }
    source.feed.subscribe(res, after);
    return true;
  }
  const json = path === "/_emulator/state";
  const body = json ? JSON.stringify(dashboardState(source)) : PAGE;
  if (!json) res.setHeader("content-security-policy", PAGE_CSP);
  res.writeHead(200, {
    "content-type": json ? "application/json; charset=utf-8" : "text/html; charset=utf-8",
    "content-length": String(Buffer.byteLength(body)),
    "cache-control": "no-store",
  });
  res.end(req.method === "HEAD" ? undefined : body);
  return true;
}

const STYLE = `
  body { font: 14px system-ui, sans-serif; margin: 2rem; color: #222; }
  h1 { font-size: 1.3rem; } h2 { font-size: 1.1rem; margin-top: 2rem; }
  table { border-collapse: collapse; margin: .5rem 0 1rem; }
  td, th { border: 1px solid #ccc; padding: .25rem .6rem; text-align: left; font-family: ui-monospace, monospace; }
  th { background: #f3f3f3; font-family: system-ui, sans-serif; }
  .muted { color: #777; }
  #feed td { vertical-align: top; } #feed td.detail { white-space: pre-wrap; word-break: break-all; max-width: 60rem; }
  #feed tr[data-kind="message"] td.kind { color: #05a; } #feed tr[data-kind="upstream"] td.kind { color: #850; }
  #feed tr[data-kind="disconnected"] td.kind, #feed tr[data-kind="dropped"] td.kind { color: #a00; }
  #feed tr[data-kind="connected"] td.kind, #feed tr[data-kind="recovered"] td.kind { color: #070; }
`;

const SCRIPT = `
const MAX_ROWS = 200;
const esc = (s) => String(s).replace(/[&<>"']/g, (c) => "&#" + c.charCodeAt(0) + ";");
const table = (head, rows) => rows.length === 0 ? '<p class="muted">none</p>' :
  "<table><tr>" + head.map((h) => "<th>" + esc(h) + "</th>").join("") + "</tr>" +
  rows.map((r) => "<tr>" + r.map((c) => "<td>" + esc(c) + "</td>").join("") + "</tr>").join("") + "</table>";
let lastId = 0;
function detail(e) {
  const data = e.dataType !== undefined ? "[" + e.dataType + "] " + (e.preview ?? "") : "";
  switch (e.kind) {
    case "connected": return "user " + (e.userId ?? "(anonymous)") + ", protocol " + e.subprotocol;
    case "disconnected": case "dropped": case "recovered":
      return (e.reason ?? "") + (e.code !== undefined ? " (code " + e.code + ")" : "");
    case "joined": return "joined group " + e.group;
    case "left": return "left group " + e.group;
    case "message": return e.from + " -> " + e.to + ": " + data + " (" + e.recipients + " recipient(s))";
    case "event": return "event " + e.event + ": " + data;
    case "invoke": return "invoke " + e.event + " (" + e.invocationId + "): " + e.reason + (data ? ": " + data : "");
    case "stream": return "stream " + e.streamId + " to group " + e.group + ": " + e.reason;
    case "upstream": return e.event + " -> " + (e.status !== undefined ? "HTTP " + e.status : "failed: " + e.error) +
      " (" + e.durationMs + " ms)" + (e.to ? " " + e.to : "");
    default: return "";
  }
}
function addEntry(e) {
  if (e.id <= lastId) return;
  lastId = e.id;
  const row = document.createElement("tr");
  row.dataset.kind = e.kind;
  row.dataset.id = String(e.id);
  const conn = e.connectionId === undefined ? "" : e.connectionId + (e.userId ? " (" + e.userId + ")" : "");
  row.innerHTML = "<td>" + esc(new Date(e.time).toLocaleTimeString()) + "</td><td>" + esc(e.hub) +
    '</td><td class="kind">' + esc(e.kind) + "</td><td>" + esc(conn) + '</td><td class="detail">' + esc(detail(e)) + "</td>";
  const rows = document.getElementById("feed-rows");
  rows.insertBefore(row, rows.firstChild);
  while (rows.children.length > MAX_ROWS) rows.removeChild(rows.lastChild);
}
function render(s) {
  document.getElementById("totals").textContent =
    s.totals.hubs + " hub(s), " + s.totals.connections + " connection(s), " + s.totals.groups + " group(s); up since " + s.startedAt;
  document.getElementById("hubs").innerHTML = s.hubs.map((h) =>
    "<h2>hub " + esc(h.name) + " (" + h.connectionCount + " connection(s))</h2>" +
    "<h3>connections</h3>" + table(["connectionId", "userId", "protocol", "groups", "socket", "unacked"],
      h.connections.map((c) => [c.connectionId, c.userId ?? "(anonymous)", c.protocol,
        c.groups.join(", ") + (c.groupCount > c.groups.length ? " (" + c.groupCount + " in all)" : ""),
        c.connected ? "open" : "awaiting recovery", c.unacked ?? ""])) +
    "<h3>groups</h3>" + table(["group", "members"], h.groups.map((g) => [g.name, g.members])) +
    "<h3>users</h3>" + table(["userId", "connections"], h.users.map((u) => [u.userId, u.connections]))
  ).join("");
}
async function refresh() {
  try {
    const s = await (await fetch("/_emulator/state", { cache: "no-store" })).json();
    render(s);
    return s;
  } catch {
    document.getElementById("totals").textContent = "the emulator is not answering";
    return undefined;
  }
}
async function start() {
  const first = await refresh();
  for (const e of first?.activity ?? []) addEntry(e);
  const live = document.getElementById("live");
  const source = new EventSource("/_emulator/events?since=" + lastId);
  source.onopen = () => { live.textContent = "(live)"; };
  source.onerror = () => { live.textContent = "(reconnecting...)"; };
  source.addEventListener("activity", (m) => addEntry(JSON.parse(m.data)));
  setInterval(refresh, 1000);
}
start();
`;

/**
 * Headers of every dashboard answer: no MIME sniffing, no framing (clickjacking), no referrer, and for the page a
 * Content-Security-Policy that runs only its own inline script and style (by hash) and talks only to its own origin.
 */
const SECURITY_HEADERS = {
  "x-content-type-options": "nosniff",
  "x-frame-options": "DENY",
  "referrer-policy": "no-referrer",
  "cross-origin-resource-policy": "same-origin",
};
const sha256 = (text: string) => `'sha256-${createHash("sha256").update(text, "utf8").digest("base64")}'`;
const PAGE_CSP =
  `default-src 'none'; script-src ${sha256(SCRIPT)}; style-src ${sha256(STYLE)}; connect-src 'self'; ` +
  "img-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Web PubSub emulator</title>
<style>${STYLE}</style>
</head>
<body>
<h1>Azure Web PubSub emulator</h1>
<p id="totals" class="muted">loading...</p>
<div id="hubs"></div>
<h2>activity <span id="live" class="muted">(connecting...)</span></h2>
<table id="feed"><thead><tr><th>time</th><th>hub</th><th>kind</th><th>connection</th><th>detail</th></tr></thead>
<tbody id="feed-rows"></tbody></table>
<script>${SCRIPT}</script>
</body>
</html>
`;
