// The seam through which features plug into a client without client.ts importing them, so that an app which never
// uses a feature does not bundle it (invokeEvent and group streams are meant to attach here). A feature module calls
// useFeature(client, key, create) from client.ts; `create` receives the client's FeatureHost, through which the feature
// writes messages, runs acked operations and takes over downstream message types. The client then calls the feature's
// lifecycle hooks (ClientFeature) at each step of its connections.
//
// How the planned features attach (so that their code stays out of apps that never call them, they are functions of
// their own modules taking the client, not methods of WebPubSubClient, whose methods are always bundled):
// - invokeEvent(client, event, data, dataType, options): useFeature(client, INVOKE, (host) => new Invocations(host));
//   Invocations takes over `invokeResponse` (host.handle), writes `invoke` frames with an invocationId (host.write, or
//   a wait for the connection to add to FeatureHost), sends `cancelInvocation` when the caller aborts, and rejects what
//   is pending in `disconnected` and `stopped`.
// - openGroupStream / onGroupStream(client, ...): take over `streamAck`, `streamNack`, `streamClosed`; watch `data` for
//   group messages that carry stream metadata; pause outbound streams in `recovering`, resume them in `recovered`,
//   fail them in `disconnected`, end everything in `stopped`, end and forget a group's received streams in `left`.
// @webpubsub/core then needs the new message types in DownstreamMessage / UpstreamMessage and their codecs.
import type {
  DownstreamMessage,
  JsonOnlyDownstreamMessage,
  JsonOnlyUpstreamMessage,
  UpstreamMessage,
} from "@webpubsub/core";
import type { WebPubSubResult } from "./ack-manager.ts";
import type { ClientLogger } from "./log-levels.ts";
import type { BinaryType } from "./options.ts";
import type { JsonOnlyCodec } from "./protocols.ts";
import type { DataMessage, OnConnectedArgs, OnDisconnectedArgs, SendOptions, WebPubSubClientState } from "./types.ts";

/**
 * What a feature may do when the client's connection changes. Hooks run synchronously, in the order features were
 * installed, before the client emits the public event of the same moment.
 */
export interface ClientFeature {
  /** A new connection (a new session) is up and writable; the client is re-joining its groups and emits `connected` after. */
  connected?(args: OnConnectedArgs): void;
  /** The connection dropped and the client tries to resume the session: writes fail until `recovered` (pause). */
  recovering?(): void;
  /** The session was resumed on a new socket: what the service had not acknowledged may be written again. */
  recovered?(): void;
  /** The session is gone for good (not recovered): work bound to it fails. The client may open a new connection next. */
  disconnected?(args: OnDisconnectedArgs): void;
  /** The client stopped: end everything (after this the feature stays installed, for the next start()). */
  stopped?(error: unknown): void;
  /** The first connection of start() failed: the client is Stopped again (without a `stopped` event); work that
   * waited for that connection fails. */
  startFailed?(error: unknown): void;
  /** The service acknowledged leaveGroup(`group`): no more of that group's messages reach this connection. Called as
   * the ack is handled, before any message that followed it. */
  left?(group: string): void;
  /** A data message (server or group), after duplicate detection, right after the client emitted its event. */
  data?(message: DataMessage): void;
  /** A text frame of the current connection that the client could not decode (malformed, or past core's JSON bounds)
   * and ignored: a feature may still read from it what it waits for (see core's topMembers). */
  undecoded?(frame: string): void;
}

/** Every message the service may send, JSON-only ones included. */
export type AnyDownstreamMessage = DownstreamMessage | JsonOnlyDownstreamMessage;

/** Handles downstream messages of one type. */
export type DownstreamHandler<T extends AnyDownstreamMessage["type"]> = (
  message: Extract<AnyDownstreamMessage, { type: T }>,
) => void;

/** The client as a feature sees it. */
export interface FeatureHost {
  /** The client's logger (`webpubsub-client`). */
  readonly logger: ClientLogger;
  state(): WebPubSubClientState;
  /** The current (or recovering) session's connection id. */
  connectionId(): string | undefined;
  /** Takes over downstream messages of `type`: one handler per type; a type the client or another feature handles throws. */
  handle<T extends AnyDownstreamMessage["type"]>(type: T, handler: DownstreamHandler<T>): void;
  /** Writes on the current connection now; false when the client is not Connected (nothing is queued). */
  write(message: UpstreamMessage): boolean;
  /**
   * Adds the JSON-only messages to the client's codec (idempotent). False on a protobuf protocol, which has none;
   * after true, writeJsonOnly can be used.
   */
  enableJsonOnly(codec: JsonOnlyCodec): boolean;
  /** Writes a JSON-only message like write(); false when not Connected or enableJsonOnly was not called. */
  writeJsonOnly(message: JsonOnlyUpstreamMessage): boolean;
  /** Unsent bytes the current socket buffers (0 without one). */
  bufferedAmount(): number;
  /** How received binary data is handed over (options.binaryType). */
  readonly binaryType: BinaryType;
  /** Runs an acked operation the way sendToGroup does: it waits for the connection, retries with the same ackId. */
  operation(message: UpstreamMessage & { ackId?: number }, options: SendOptions): Promise<WebPubSubResult>;
}

type Hook = keyof ClientFeature;
type HookArgs<K extends Hook> = Parameters<NonNullable<ClientFeature[K]>>;

/** A client's installed features and its downstream message router (the client's own types go through it too). */
export class Features {
  readonly #installed = new Map<symbol, ClientFeature>();
  readonly #handlers = new Map<string, (message: AnyDownstreamMessage) => void>();

  /** Registers the handler of a downstream message type. Throws when the type has one already. */
  handle<T extends AnyDownstreamMessage["type"]>(type: T, handler: DownstreamHandler<T>): void {
    if (this.#handlers.has(type)) throw new Error(`Downstream messages of type "${type}" already have a handler`);
    this.#handlers.set(type, handler as (message: AnyDownstreamMessage) => void);
  }

  /** Hands `message` to the handler of its type. Returns false when none handles it (the message is then ignored). */
  route(message: AnyDownstreamMessage): boolean {
    const handler = this.#handlers.get(message.type);
    if (!handler) return false;
    handler(message);
    return true;
  }

  /** Installs the feature under `key` once; later calls return the installed one. */
  install<F extends ClientFeature>(key: symbol, create: () => F): F {
    let feature = this.#installed.get(key);
    if (!feature) {
      feature = create();
      this.#installed.set(key, feature);
    }
    return feature as F;
  }

  /** Calls `hook` of every installed feature that has it, in installation order. */
  notify<K extends Hook>(hook: K, ...args: HookArgs<K>): void {
    if (this.#installed.size === 0) return;
    for (const feature of this.#installed.values()) {
      (feature[hook] as ((...a: HookArgs<K>) => void) | undefined)?.apply(feature, args);
    }
  }
}
