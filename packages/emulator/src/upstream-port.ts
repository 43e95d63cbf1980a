// The CloudEvents upstream invoker (src/upstream/) as the connection lifecycle uses it: a structural type, so the
// lifecycle does not depend on the invoker's internals and tests can substitute it.

import type { MessagePayload } from "@webpubsub/core";
import type {
  ConnectEventInput,
  ConnectResult,
  UpstreamContext,
  UpstreamEvent,
  UserEventResult,
} from "./upstream/types.ts";

export type { ConnectResult, MessagePayload, UpstreamContext, UserEventResult };

/** What the handshake hands to `connect` (the invoker accepts this and a few looser shapes). */
export type ConnectBody = ConnectEventInput & {
  query: Record<string, string[]>;
  headers: Record<string, string[]>;
};

export interface UpstreamPort {
  hasHandler(hub: string, event: UpstreamEvent): boolean;
  connect(ctx: UpstreamContext, body: ConnectBody): Promise<ConnectResult>;
  connected(ctx: UpstreamContext): void;
  disconnected(ctx: UpstreamContext, reason: string): void;
  /** A blocking user event; aborting `cancel` ends the call (an `error` result with reason `cancelled`). */
  userEvent(
    ctx: UpstreamContext,
    event: string,
    payload: MessagePayload,
    cancel?: AbortSignal,
  ): Promise<UserEventResult>;
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
