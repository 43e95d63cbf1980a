// Handshake step 3, the upstream `connect` event (when a handler subscribes to it): the handler may reject the
// connection (its 4xx status, or 500) or change the user, roles, groups, subprotocol and connection state. The MQTT
// endpoint sends the same request data (connectBody) and takes an acceptance the same way (acceptedPlan).
import type { IncomingMessage } from "node:http";
import { isValidGroupName } from "@webpubsub/core";
import type { Service } from "../service.ts";
import type { ConnectBody, ConnectResult } from "../upstream-port.ts";
import type { Identity } from "./client-auth.ts";
import { UpgradeRefused } from "./refusal.ts";
import type { UpgradeTarget } from "./upgrade-target.ts";

/** The session the handshake will open, once every step agreed. */
export interface SessionPlan {
  connectionId: string;
  userId: string | null;
  roles: string[];
  groups: string[];
  /** the negotiated subprotocol: the first supported one offered, or the one the connect handler chose */
  subprotocol: string | undefined;
  connectionState: string | undefined;
  /** CloudEvents ids the connect event used */
  eventIds: number;
}

/** The plan after the `connect` event; `plan` as it is when no handler subscribes. Throws UpgradeRefused. */
export async function runConnectEvent(
  service: Service,
  req: IncomingMessage,
  target: UpgradeTarget,
  identity: Identity,
  plan: SessionPlan,
): Promise<SessionPlan> {
  // hub names are case-insensitive; the Hub itself is created only once the upgrade is accepted
  const hub = target.hubName.toLowerCase();
  if (!service.upstream.hasHandler(hub, "connect")) return plan;
  let eventIds = plan.eventIds;
  const ctx = {
    hub,
    connectionId: plan.connectionId,
    userId: plan.userId,
    ...(plan.subprotocol ? { subprotocol: plan.subprotocol } : {}),
    nextEventId: () => eventIds++,
  };
  let result: ConnectResult;
  try {
    result = await service.upstream.connect(ctx, connectBody(req, target, identity));
  } catch (e) {
    service.log(`upstream connect failed for ${plan.connectionId}: ${String(e)}`);
    throw new UpgradeRefused(500, "The connect event handler failed.");
  }
  if (result.kind === "reject") {
    const status = result.status >= 400 && result.status < 500 ? result.status : 500;
    throw new UpgradeRefused(status, result.message || "Rejected by the connect event handler.");
  }
  if (result.groups !== undefined && result.groups.length > 0 && !result.groups.every(isValidGroupName)) {
    throw new UpgradeRefused(500, "The connect handler returned invalid groups.");
  }
  if (result.subprotocol !== undefined && result.subprotocol !== "" && !target.offered.includes(result.subprotocol)) {
    throw new UpgradeRefused(
      500,
      `The connect handler chose subprotocol '${result.subprotocol}' the client did not offer.`,
    );
  }
  const next = acceptedPlan({ ...plan, eventIds }, result);
  if (result.subprotocol !== undefined && result.subprotocol !== "") next.subprotocol = result.subprotocol;
  return next;
}

/** `plan` as an accepting connect handler changed it: user ("" = none), roles, groups (when any), connection state. */
export function acceptedPlan<P extends SessionPlan>(plan: P, result: ConnectResult & { kind: "accept" }): P {
  const next: P = { ...plan };
  if (result.userId !== undefined) next.userId = result.userId === "" ? null : result.userId;
  if (result.groups !== undefined && result.groups.length > 0) next.groups = result.groups;
  if (result.roles !== undefined) next.roles = result.roles;
  if (result.connectionState !== undefined && result.connectionState !== null) {
    next.connectionState = result.connectionState;
  }
  return next;
}

/** The connect request data: query without `access_token`, raw headers without `Authorization`. */
export function connectBody(req: IncomingMessage, target: UpgradeTarget, identity: Identity): ConnectBody {
  const query: Record<string, string[]> = {};
  for (const [k, v] of target.url.searchParams) if (k !== "access_token") addTo(query, k, v);
  const headers: Record<string, string[]> = {};
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    const k = req.rawHeaders[i]!;
    if (k.toLowerCase() === "authorization") continue;
    addTo(headers, k, req.rawHeaders[i + 1]!);
  }
  return { claims: identity.claims, query, headers, subprotocols: target.offered, clientCertificates: [] };
}

function addTo(rec: Record<string, string[]>, k: string, v: string): void {
  const list = rec[k];
  if (list === undefined) rec[k] = [v];
  else list.push(v);
}
