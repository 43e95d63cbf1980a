// An in-memory HttpClient for tests: each request goes to a handler that returns status, headers and body.
import {
  createHttpHeaders,
  type HttpClient,
  type PipelineRequest,
  type PipelineResponse,
} from "@azure/core-rest-pipeline";

export interface FakeReply {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
}

export interface SeenRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: unknown;
}

export function fakeHttpClient(handler: (request: PipelineRequest, index: number) => FakeReply | Promise<FakeReply>) {
  const seen: SeenRequest[] = [];
  const client: HttpClient = {
    async sendRequest(request): Promise<PipelineResponse> {
      seen.push({ method: request.method, url: request.url, headers: request.headers.toJSON(), body: request.body });
      const reply = await handler(request, seen.length - 1);
      const isJson = reply.body !== undefined && typeof reply.body !== "string";
      const headers = createHttpHeaders({
        ...(isJson ? { "content-type": "application/json" } : {}),
        ...reply.headers,
      });
      const bodyAsText = reply.body === undefined ? "" : isJson ? JSON.stringify(reply.body) : (reply.body as string);
      return { request, status: reply.status, headers, bodyAsText };
    },
  };
  return { client, seen };
}
