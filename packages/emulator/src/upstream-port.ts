// The CloudEvents upstream invoker (src/upstream/) as the connection lifecycle uses it: a structural type, so the
// lifecycle does not depend on the invoker's internals and tests can substitute it.

import type { MessagePayload } from "@webpubsub/core";

export type { MessagePayload };

export interface UpstreamContext {
  hub: string;
  connectionId: string;
  userId: string | null;
  subprotocol?: string;
  connectionState?: string;
  nextEventId(): number;
}

export type ConnectResult =
  | {
      kind: "accept";
      userId?: string;
      groups?: string[];
      roles?: string[];
      subprotocol?: string;
      connectionState?: string | null;
    }
  | { kind: "reject"; status: number; message: string };

export type UserEventResult =
  | { kind: "ok"; reply?: MessagePayload; connectionState?: string | null }
  | { kind: "error"; status?: number; message: string }
  | { kind: "no-handler" };

export interface ConnectBody {
  claims: Record<string, unknown>;
  query: Record<string, string[]>;
  headers: Record<string, string[]>;
  subprotocols: string[];
  clientCertificates: [];
}

export interface UpstreamPort {
  hasHandler(hub: string, event: "connect" | "connected" | "disconnected" | { user: string }): boolean;
  connect(ctx: UpstreamContext, body: ConnectBody): Promise<ConnectResult>;
  connected(ctx: UpstreamContext): void;
  disconnected(ctx: UpstreamContext, reason: string): void;
  userEvent(ctx: UpstreamContext, event: string, payload: MessagePayload): Promise<UserEventResult>;
  close?(): void | Promise<void>;
}

/** Used when no hub has event handlers: every hasHandler() is false. */
export const noUpstream: UpstreamPort = {
  hasHandler: () => false,
  connect: async () => ({ kind: "accept" }),
  connected: () => {},
  disconnected: () => {},
  userEvent: async () => ({ kind: "no-handler" }),
};
