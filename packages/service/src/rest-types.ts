// The slice of the @webpubsub/rest client this package uses, typed structurally. Every call goes through
// `path(template, ...params)` of the REST-level client, so there is exactly one HTTP stack: rest's pipeline.
import type { PipelineRequest, PipelineResponse, TransferProgressEvent } from "@azure/core-rest-pipeline";
import type { OperationTracingOptions } from "@azure/core-tracing";

/**
 * The raw HTTP answer of one request with its parsed body: the shape of core-client's `FullOperationResponse`, which
 * the official clients hand to `onResponse`.
 */
export interface RawResponse extends PipelineResponse {
  request: PipelineRequest;
  parsedBody?: unknown;
  parsedHeaders?: Record<string, unknown>;
}

export interface RestResponse {
  status: string;
  headers: Record<string, string>;
  body: unknown;
  request: PipelineRequest;
}

export interface QueryArray {
  value: string[];
  explode: true;
}

export interface RestRequestParameters {
  queryParameters?: Record<string, string | number | boolean | QueryArray | undefined>;
  body?: unknown;
  contentType?: string;
  headers?: Record<string, string>;
  abortSignal?: AbortSignal;
  timeout?: number;
  tracingOptions?: OperationTracingOptions;
  onUploadProgress?: (progress: TransferProgressEvent) => void;
  onDownloadProgress?: (progress: TransferProgressEvent) => void;
  /** Called by the REST client with every raw response. */
  onResponse?: (response: RawResponse) => void;
}

export interface RestResource {
  get(options?: RestRequestParameters): PromiseLike<RestResponse>;
  post(options?: RestRequestParameters): PromiseLike<RestResponse>;
  put(options?: RestRequestParameters): PromiseLike<RestResponse>;
  delete(options?: RestRequestParameters): PromiseLike<RestResponse>;
  head(options?: RestRequestParameters): PromiseLike<RestResponse>;
}

export interface RestClientLike {
  // biome-ignore lint/suspicious/noExplicitAny: the generated client's path parameters are typed per route template.
  path(path: string, ...pathParameters: any[]): RestResource;
}
