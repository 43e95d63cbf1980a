// The lazy listing of a group's connections (listConnectionsInGroup): pages fetched one at a time through the
// operation table, the service's nextLinks followed only when they point at the configured endpoint, and one tracing
// span per iteration (the item iterator, or one `byPage()` iteration), from its first page request until it ends.
import {
  createPagedIterator,
  fromPages,
  type Page,
  type PagedAsyncIterableIterator,
  type PageSettings,
} from "@webpubsub/async";
import { shown } from "@webpubsub/core/shown";
import type { HttpResponse } from "@webpubsub/rest";
import { proxyLinkToService } from "@webpubsub/rest/endpoint";
import { malformedResponse } from "./errors.ts";
import { loadedHttpStack } from "./http-stack-loader.ts";
import { checkOperationOptions } from "./operation-options.ts";
import { OPERATIONS } from "./operation-table.ts";
import type { HubOperations } from "./operations.ts";
import type { ListConnectionsOptions, OperationOptions, WebPubSubGroupMember } from "./options.ts";
import { tracedIteration } from "./tracing.ts";
import { checkGroup, checkPositiveInteger, MAX_PAGE_SIZE } from "./validation.ts";

const LIST = OPERATIONS.listConnectionsInGroup;

/**
 * The listing of `group`'s connections; `span` names the tracing span of each iteration. Bad arguments throw
 * synchronously here, since the iterator is returned directly.
 */
export function listConnectionsInGroup(
  ops: HubOperations,
  span: string,
  group: unknown,
  options: ListConnectionsOptions | undefined,
): PagedAsyncIterableIterator<WebPubSubGroupMember, WebPubSubGroupMember[], PageSettings> {
  checkGroup(group, "groupName");
  checkOperationOptions(LIST, options, span);
  const pages = new GroupMemberPages(ops, group, options);
  return fromPages((settings: PageSettings = {}) =>
    tracedIteration(ops.ctx.tracing, span, options ?? {}, (o) =>
      createPagedIterator<WebPubSubGroupMember>((s) => pages.fetch(s, o)).byPage(settings),
    ),
  );
}

/** The pages of one listing, and the nextLinks the service returned during it. */
class GroupMemberPages {
  readonly #ops: HubOperations;
  readonly #group: string;
  readonly #options: ListConnectionsOptions | undefined;
  /**
   * nextLinks the service returned (already checked to point at the endpoint): only these are followed as URLs. Any
   * other continuation token is the service's `continuationToken` query value.
   */
  readonly #followed = new Set<string>();
  /** nextLinks refused (another origin): the page that carried one is still delivered, following it fails. */
  readonly #refused = new Map<string, Error>();

  constructor(ops: HubOperations, group: string, options: ListConnectionsOptions | undefined) {
    this.#ops = ops;
    this.#group = group;
    this.#options = options;
  }

  /** One page; `o` carries the iteration's span. */
  async fetch(settings: PageSettings, o: OperationOptions): Promise<Page<WebPubSubGroupMember>> {
    checkPositiveInteger(settings.maxPageSize, "maxPageSize", MAX_PAGE_SIZE);
    const token = settings.continuationToken || this.#options?.continuationToken || undefined;
    const refusal = token === undefined ? undefined : this.#refused.get(token);
    if (refusal !== undefined) throw refusal;
    const response = await this.#request(token, settings.maxPageSize, o);
    const body = response.body as { value?: unknown; nextLink?: unknown } | undefined | null;
    if (typeof body !== "object" || body === null || !Array.isArray(body.value)) {
      throw malformedResponse(response, LIST.name, "a `value` array in the response body");
    }
    const items = body.value.map((raw, i) => toMember(raw, i, response));
    if (typeof body.nextLink !== "string" || body.nextLink === "") return { items };
    try {
      const nextLink = this.#serviceLink(body.nextLink, response);
      this.#followed.add(nextLink);
      return { items, continuationToken: nextLink };
    } catch (error) {
      this.#refused.set(body.nextLink, error as Error);
      return { items, continuationToken: body.nextLink };
    }
  }

  /** The request of a page: the listing route, or a nextLink the service returned. */
  #request(token: string | undefined, maxPageSize: number | undefined, o: OperationOptions): Promise<HttpResponse> {
    if (token !== undefined && this.#followed.has(token)) {
      // The service's nextLink carries what the next page needs (continuationToken, remaining top).
      let next = token;
      if (maxPageSize !== undefined) {
        const url = new URL(next);
        url.searchParams.set("maxpagesize", String(maxPageSize));
        next = url.toString();
      }
      return this.#ops.nextPage(LIST, next, o);
    }
    const queryParameters = {
      maxpagesize: maxPageSize ?? this.#options?.maxPageSize,
      top: this.#options?.top,
      continuationToken: token,
    };
    return this.#ops.request(LIST, [this.#ops.ctx.hub, this.#group], { queryParameters }, o);
  }

  /**
   * The nextLink of a listing page, as a URL of the service endpoint. A link to the reverse proxy is mapped back to
   * the endpoint (the pipeline sends it through the proxy again); a link to any other origin is refused, so the
   * request credentials never go to a host the client was not configured for.
   */
  #serviceLink(nextLink: string, response: HttpResponse): string {
    const { endpoint, reverseProxyEndpoint } = this.#ops.ctx;
    const service = new URL(endpoint);
    let url: URL;
    try {
      url = new URL(nextLink, `${service.origin}/`);
    } catch {
      throw malformedResponse(response, LIST.name, "a valid `nextLink` URL");
    }
    if (url.origin === service.origin) return url.toString();
    const mapped =
      reverseProxyEndpoint === undefined ? undefined : proxyLinkToService(url, endpoint, reverseProxyEndpoint);
    if (mapped !== undefined) return mapped;
    const allowed =
      reverseProxyEndpoint === undefined
        ? service.origin
        : `${service.origin} or ${new URL(reverseProxyEndpoint).origin}`;
    throw loadedHttpStack().responseError(
      response,
      `${LIST.name}: refusing to follow the nextLink to ${shown(url.origin)}, which is not ${allowed}; credentials are only sent to the configured endpoint.`,
    );
  }
}

function toMember(raw: unknown, index: number, response: HttpResponse): WebPubSubGroupMember {
  const item = (typeof raw === "object" && raw !== null ? raw : {}) as { connectionId?: unknown; userId?: unknown };
  if (typeof item.connectionId !== "string" || item.connectionId === "") {
    throw malformedResponse(response, LIST.name, `a \`connectionId\` string in value[${index}]`);
  }
  const member: WebPubSubGroupMember = { connectionId: item.connectionId };
  if (typeof item.userId === "string") member.userId = item.userId;
  return member;
}
