// invokeEvent: a request to the hub's event handler answered by an `invokeResponse` with the same invocationId. A
// feature module (see features.ts): the client's invokeEvent method loads it with import(), so apps that never invoke
// do not bundle it (with a bundler that splits chunks).
//
// Lifecycle of one invocation: registered (its id refused while pending), written as soon as the client is Connected
// (at once, or on the next `connected` / `recovered`), then settled by the first of: the response, the caller's abort
// (which writes `cancelInvocation`), the end of the session it was written on (`disconnected`), or stop(). A reliable
// recovery resumes the same session, so a written invocation keeps waiting through it: its response may still arrive.
// A response the client cannot decode (past core's JSON bounds, or malformed) fails its invocation instead of leaving
// it waiting, when its top-level type and invocationId can still be read.
import type { InvokeMessage, InvokeResponseMessage, JsonOnlyUpstreamMessage } from "@webpubsub/core";
import { shown } from "@webpubsub/core/client-wire";
import { topMembers } from "@webpubsub/core/json-only";
import { useFeature, type WebPubSubClient } from "./client.ts";
import { InvocationError } from "./errors.ts";
import type { ClientFeature, FeatureHost } from "./features.ts";
import type { InvokeEventOptions, InvokeEventResult } from "./invocation-types.ts";
import { checkId, encodeNow, freshId, MAX_ID_LENGTH, requireJsonOnly } from "./json-only.ts";
import { toPayload, type WebPubSubDataType, withBinaryType } from "./payload.ts";
import { checkSignal } from "./validation.ts";

const INVOCATIONS = Symbol("invocations");

interface Pending {
  readonly invocationId: string;
  /** The invoke frame, encoded at the call (see encodeNow). */
  readonly frame: JsonOnlyUpstreamMessage;
  written: boolean;
  /** Written before the connection dropped: it belongs to the session a recovery resumes, and fails if a new session
   * is announced instead (a recovered socket may carry a new session). */
  beforeDrop?: boolean;
  resolve(result: InvokeEventResult): void;
  reject(error: InvocationError): void;
}

class Invocations implements ClientFeature {
  readonly #host: FeatureHost;
  readonly #pending = new Map<string, Pending>();

  constructor(host: FeatureHost) {
    this.#host = host;
    host.handle("invokeResponse", (message) => this.#response(message));
  }

  invoke(
    invocationId: string,
    frame: JsonOnlyUpstreamMessage,
    signal: AbortSignal | undefined,
  ): Promise<InvokeEventResult> {
    const state = this.#host.state();
    if (state === "Stopped" || state === "Stopping") {
      throw new InvocationError(`The client is ${state}: call start() first`, { invocationId });
    }
    if (this.#pending.has(invocationId)) {
      throw new InvocationError("An invocation with this invocationId is still pending", { invocationId });
    }
    if (signal?.aborted) {
      throw new InvocationError("The invocation was aborted before it was sent", {
        invocationId,
        cause: signal.reason,
      });
    }
    return new Promise<InvokeEventResult>((resolve, reject) => {
      const onAbort = () => {
        const entry = this.#pending.get(invocationId);
        if (entry !== pending) return;
        this.#pending.delete(invocationId);
        // Tell the service to stop the upstream call (best effort: without a connection there is nothing to cancel
        // on this session).
        if (entry.written) this.#host.writeJsonOnly({ type: "cancelInvocation", invocationId });
        reject(new InvocationError("The invocation was aborted", { invocationId, cause: signal?.reason }));
      };
      const pending: Pending = {
        invocationId,
        frame,
        written: false,
        resolve: (result) => {
          signal?.removeEventListener("abort", onAbort);
          resolve(result);
        },
        reject: (error) => {
          signal?.removeEventListener("abort", onAbort);
          reject(error);
        },
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      this.#pending.set(invocationId, pending);
      this.#write(pending);
    });
  }

  #write(pending: Pending): void {
    if (!pending.written) pending.written = this.#host.writeJsonOnly(pending.frame);
  }

  #response(message: InvokeResponseMessage): void {
    const pending = this.#pending.get(message.invocationId);
    if (!pending) return; // aborted, or not ours
    this.#pending.delete(message.invocationId);
    const { invocationId } = message;
    if (!message.success) {
      const errorDetail = message.error ?? { name: "Unknown", message: "The invocation failed" };
      // The service's texts are shown bounded in the message; errorDetail keeps them whole.
      const text = `The invocation failed: error ${shown(errorDetail.name)}, message ${shown(errorDetail.message)}`;
      pending.reject(new InvocationError(text, { invocationId, errorDetail }));
      return;
    }
    const result: InvokeEventResult = { invocationId };
    if (message.dataType !== undefined) {
      const delivered = withBinaryType(message, this.#host.binaryType);
      result.dataType = delivered.dataType as WebPubSubDataType;
      result.data = delivered.data as InvokeEventResult["data"];
    }
    pending.resolve(result);
  }

  undecoded(frame: string): void {
    if (this.#pending.size === 0) return;
    const top = topMembers(frame, ["type", "invocationId"]);
    if (stringIn(top.get("type"), "invokeResponse".length) !== "invokeResponse") return;
    const invocationId = stringIn(top.get("invocationId"), MAX_ID_LENGTH);
    if (invocationId === undefined) return;
    const pending = this.#pending.get(invocationId);
    if (!pending) return;
    this.#pending.delete(invocationId);
    const text = "The invoke response could not be decoded: it is malformed or past the client's JSON bounds";
    pending.reject(new InvocationError(text, { invocationId }));
  }

  #writeWaiting(): void {
    for (const pending of this.#pending.values()) this.#write(pending);
  }

  connected(): void {
    // A new session: invocations written on an older one (a recovered socket that announced a new session; after a
    // lost session `disconnected` has rejected them already) cannot be answered any more.
    this.#rejectWritten(true, "The session was replaced before the invoke response arrived");
    this.#writeWaiting();
  }

  recovering(): void {
    for (const pending of this.#pending.values()) if (pending.written) pending.beforeDrop = true;
  }

  recovered(): void {
    // Written invocations keep waiting (same session); the ones issued meanwhile go out now.
    this.#writeWaiting();
  }

  disconnected(): void {
    // The session is gone: what it carried cannot be answered any more. Invocations not written yet wait for the next
    // connection.
    this.#rejectWritten(false, "The connection was lost before the invoke response arrived");
  }

  #rejectWritten(onlyBeforeDrop: boolean, text: string): void {
    for (const [invocationId, pending] of this.#pending) {
      if (!pending.written || (onlyBeforeDrop && !pending.beforeDrop)) continue;
      this.#pending.delete(invocationId);
      pending.reject(new InvocationError(text, { invocationId }));
    }
  }

  stopped(): void {
    this.#rejectAll("The client stopped before the invoke response arrived");
  }

  startFailed(): void {
    this.#rejectAll("The client did not connect: start() failed");
  }

  #rejectAll(text: string): void {
    const all = [...this.#pending.values()];
    this.#pending.clear();
    for (const { invocationId, reject } of all) reject(new InvocationError(text, { invocationId }));
  }
}

/**
 * The string that `raw` (a member's raw JSON text) holds, if it is a JSON string of at most `maxLength` characters
 * (each written as at most a 6-character escape), else undefined.
 */
function stringIn(raw: string | undefined, maxLength: number): string | undefined {
  if (raw === undefined || raw.length > 6 * maxLength + 2 || raw.charCodeAt(0) !== 34 /* " */) return undefined;
  try {
    const value: unknown = JSON.parse(raw);
    return typeof value === "string" && value.length <= maxLength ? value : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Invokes the hub's event handler for `eventName` and resolves with its reply. Rejects with an InvocationError when
 * the handler (or the service) fails, the session ends first, the caller aborts, or the id is pending already; with a
 * TypeError for bad arguments (before anything is sent).
 */
export async function invokeEvent(
  client: WebPubSubClient,
  eventName: string,
  content: unknown,
  dataType: WebPubSubDataType,
  options: InvokeEventOptions = {},
): Promise<InvokeEventResult> {
  // client.invokeEvent, the only caller, checked the event name, the content and the options object.
  const payload = toPayload(content, dataType, "content");
  checkId(options.invocationId, "options.invocationId");
  checkSignal(options.abortSignal, "options.abortSignal");
  const invocationId = options.invocationId ?? freshId();
  // Encoded now: content that cannot be encoded (a cycle, a nested BigInt) is a TypeError before anything is
  // registered, and the request sent (perhaps later, once connected) is the content as it was at this call.
  const frame = encodeNow({
    type: "invoke",
    invocationId,
    target: "event",
    event: eventName,
    ...payload,
  } as InvokeMessage);
  const invocations = useFeature(client, INVOCATIONS, (host) => {
    requireJsonOnly(host, "invokeEvent");
    return new Invocations(host);
  });
  return invocations.invoke(invocationId, frame, options.abortSignal);
}
