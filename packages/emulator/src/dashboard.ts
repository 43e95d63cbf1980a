// The optional status page (`dashboard: true` / `--dashboard`): GET /_emulator shows hubs, connections, groups and
// users, refreshed every second from GET /_emulator/state. Read-only; no secrets (the access key is not shown).
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Service } from "./service.ts";

/** Connections listed per hub; the counts stay exact. */
const MAX_LISTED = 200;

export interface DashboardState {
  startedAt: string;
  totals: { hubs: number; connections: number; groups: number };
  hubs: {
    name: string;
    connectionCount: number;
    connections: {
      connectionId: string;
      userId: string | null;
      protocol: string;
      groups: string[];
      connected: boolean;
      unacked?: number;
    }[];
    groups: { name: string; members: number }[];
    users: { userId: string; connections: number }[];
  }[];
}

export function dashboardState(service: Service, startedAt: Date): DashboardState {
  let connections = 0;
  let groups = 0;
  const hubs: DashboardState["hubs"] = [];
  for (const hub of [...service.hubs.values()].sort((a, b) => a.name.localeCompare(b.name))) {
    connections += hub.connections.size;
    groups += hub.groups.size;
    const listed: DashboardState["hubs"][number]["connections"] = [];
    for (const c of hub.connections.values()) {
      if (listed.length >= MAX_LISTED) break;
      const entry: DashboardState["hubs"][number]["connections"][number] = {
        connectionId: c.id,
        userId: c.userId,
        protocol: c.subprotocol ?? "(simple)",
        groups: c.groups === null ? [] : [...c.groups],
        connected: c.socket !== null,
      };
      if (c.reliable) entry.unacked = c.unacked?.length ?? 0;
      listed.push(entry);
    }
    hubs.push({
      name: hub.name,
      connectionCount: hub.connections.size,
      connections: listed,
      groups: [...hub.groups].slice(0, MAX_LISTED).map(([name, members]) => ({ name, members: members.size })),
      users: [...hub.users].slice(0, MAX_LISTED).map(([userId, conns]) => ({ userId, connections: conns.size })),
    });
  }
  return { startedAt: startedAt.toISOString(), totals: { hubs: hubs.length, connections, groups }, hubs };
}

/** Answers /_emulator and /_emulator/state; returns false for other paths. */
export function handleDashboard(service: Service, startedAt: Date, req: IncomingMessage, res: ServerResponse): boolean {
  const path = (req.url ?? "/").split("?")[0]!.replace(/\/+$/, "");
  if (path !== "/_emulator" && path !== "/_emulator/state") return false;
  if (req.method !== "GET" && req.method !== "HEAD") {
    res.writeHead(405, { allow: "GET, HEAD" }).end();
    return true;
  }
  const json = path === "/_emulator/state";
  const body = json ? JSON.stringify(dashboardState(service, startedAt)) : PAGE;
  res.writeHead(200, {
    "content-type": json ? "application/json; charset=utf-8" : "text/html; charset=utf-8",
    "content-length": String(Buffer.byteLength(body)),
    "cache-control": "no-store",
  });
  res.end(req.method === "HEAD" ? undefined : body);
  return true;
}

const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Web PubSub emulator</title>
<style>
  body { font: 14px system-ui, sans-serif; margin: 2rem; color: #222; }
  h1 { font-size: 1.3rem; } h2 { font-size: 1.1rem; margin-top: 2rem; }
  table { border-collapse: collapse; margin: .5rem 0 1rem; }
  td, th { border: 1px solid #ccc; padding: .25rem .6rem; text-align: left; font-family: ui-monospace, monospace; }
  th { background: #f3f3f3; font-family: system-ui, sans-serif; }
  .muted { color: #777; }
</style>
</head>
<body>
<h1>Azure Web PubSub emulator</h1>
<p id="totals" class="muted">loading...</p>
<div id="hubs"></div>
<script>
const esc = (s) => String(s).replace(/[&<>"']/g, (c) => "&#" + c.charCodeAt(0) + ";");
const table = (head, rows) => rows.length === 0 ? '<p class="muted">none</p>' :
  "<table><tr>" + head.map((h) => "<th>" + esc(h) + "</th>").join("") + "</tr>" +
  rows.map((r) => "<tr>" + r.map((c) => "<td>" + esc(c) + "</td>").join("") + "</tr>").join("") + "</table>";
async function refresh() {
  try {
    const s = await (await fetch("/_emulator/state", { cache: "no-store" })).json();
    document.getElementById("totals").textContent =
      s.totals.hubs + " hub(s), " + s.totals.connections + " connection(s), " + s.totals.groups + " group(s); up since " + s.startedAt;
    document.getElementById("hubs").innerHTML = s.hubs.map((h) =>
      "<h2>hub " + esc(h.name) + " (" + h.connectionCount + " connection(s))</h2>" +
      "<h3>connections</h3>" + table(["connectionId", "userId", "protocol", "groups", "socket", "unacked"],
        h.connections.map((c) => [c.connectionId, c.userId ?? "(anonymous)", c.protocol, c.groups.join(", "),
          c.connected ? "open" : "awaiting recovery", c.unacked ?? ""])) +
      "<h3>groups</h3>" + table(["group", "members"], h.groups.map((g) => [g.name, g.members])) +
      "<h3>users</h3>" + table(["userId", "connections"], h.users.map((u) => [u.userId, u.connections]))
    ).join("");
  } catch {
    document.getElementById("totals").textContent = "the emulator is not answering";
  }
}
refresh();
setInterval(refresh, 1000);
</script>
</body>
</html>
`;
