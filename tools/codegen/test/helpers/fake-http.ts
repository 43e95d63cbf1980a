// A real @azure-rest/core-client client over an in-memory HttpClient, for the runtime tests: each request goes to a
// handler that returns status and JSON body, and is recorded with the headers and body the pipeline sent.

import { createHttpHeaders, type PipelineRequest, type PipelineResponse } from "@azure/core-rest-pipeline";
import { type Client, getClient } from "@azure-rest/core-client";

export interface Reply {
  status: number;
  body?: unknown;
}

export interface Sent {
  method: string;
  url: string;
  contentType: string | undefined;
  body: unknown;
}

export function fakeClient(
  handler: (url: URL, index: number) => Reply,
  endpoint = "https://h.example",
): { client: Client; sent: Sent[] } {
  const sent: Sent[] = [];
  const client = getClient(endpoint, {
    retryOptions: { maxRetries: 0 },
    httpClient: {
      async sendRequest(request: PipelineRequest): Promise<PipelineResponse> {
        sent.push({
          method: request.method,
          url: request.url,
          contentType: request.headers.get("content-type"),
          body: request.body,
        });
        const reply = handler(new URL(request.url), sent.length - 1);
        const headers = createHttpHeaders(reply.body === undefined ? {} : { "content-type": "application/json" });
        const bodyAsText = reply.body === undefined ? "" : JSON.stringify(reply.body);
        return { request, status: reply.status, headers, bodyAsText };
      },
    },
  });
  return { client, sent };
}
