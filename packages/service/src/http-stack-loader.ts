// Loading the HTTP stack (http-stack.ts) on first use: one dynamic import per process, one REST client per service
// client, created at its first request with the options checked at construction. After the first answer has arrived
// the module is loaded, so code that handles answers can reach it synchronously (`loadedHttpStack`).
import type { KeyCredential, TokenCredential } from "@azure/core-auth";
import type { WebPubSubRestClient } from "@webpubsub/rest";
import type { WebPubSubServiceClientOptions } from "./options.ts";

export type HttpStackModule = typeof import("./http-stack.ts");

let loading: Promise<HttpStackModule> | undefined;
let loaded: HttpStackModule | undefined;

/** The HTTP stack module, imported the first time it is asked for. */
export function loadHttpStack(): Promise<HttpStackModule> {
  loading ??= import("./http-stack.ts").then((module) => {
    loaded = module;
    return module;
  });
  return loading;
}

/** The HTTP stack module where it must already be loaded (code handling an answer); an internal error otherwise. */
export function loadedHttpStack(): HttpStackModule {
  if (loaded === undefined) throw new Error("Internal error: the HTTP stack is used before it was loaded.");
  return loaded;
}

/** One client's REST client, created on first use. */
export class RestClientLoader {
  readonly #endpoint: string;
  readonly #credential: KeyCredential | TokenCredential;
  readonly #options: WebPubSubServiceClientOptions & { apiVersion: string };
  #client: Promise<WebPubSubRestClient> | undefined;
  #created: WebPubSubRestClient | undefined;

  constructor(
    endpoint: string,
    credential: KeyCredential | TokenCredential,
    options: WebPubSubServiceClientOptions & { apiVersion: string },
  ) {
    this.#endpoint = endpoint;
    this.#credential = credential;
    this.#options = options;
  }

  /** The REST client (the HTTP stack is loaded and the client created the first time). */
  get(): Promise<WebPubSubRestClient> {
    this.#client ??= loadHttpStack().then((stack) => {
      this.#created = stack.createRestClient(this.#endpoint, this.#credential, this.#options);
      return this.#created;
    });
    return this.#client;
  }

  /** The REST client once created (requests after the first reach it without waiting a turn); else undefined. */
  get created(): WebPubSubRestClient | undefined {
    return this.#created;
  }
}
