// The recorder as a core-rest-pipeline policy: records or replays each attempt as it goes on the wire.
import { Readable } from "node:stream";
import { createHttpHeaders, type PipelinePolicy, type PipelineResponse } from "@azure/core-rest-pipeline";
import { readRequestBody, readResponseBody } from "./http-capture.ts";
import { abortError, type HttpRecorderCore } from "./http-core.ts";
import { decodeBody, getHeader, type RecordEntry, requestPart, responsePart } from "./recording-format.ts";

/** Name of the recorder's pipeline policy. */
export const recorderPolicyName = "webPubSubRecorderPolicy";

/**
 * The recorder as a core-rest-pipeline policy. Add it last (`position: "perRetry"` in `additionalPolicies`, or
 * `pipeline.addPolicy(policy, { afterPhase: "Sign" })`) so it sees each attempt exactly as it goes on the wire.
 */
export function createRecorderPolicy(core: HttpRecorderCore): PipelinePolicy {
  return {
    name: recorderPolicyName,
    async sendRequest(request, next) {
      core.assertActive();
      if (core.mode === "live") return next(request);
      const requestHeaders = request.headers.toJSON({ preserveCase: true });
      const bytes = await readRequestBody(request);
      const part = requestPart(request.url, request.method, requestHeaders, bytes);
      if (core.mode === "playback") {
        if (request.abortSignal?.aborted) throw abortError();
        return toPipelineResponse(core.playback(part), request);
      }
      const response = await next(request);
      const responseHeaders = response.headers.toJSON({ preserveCase: true });
      const body = await readResponseBody(response);
      core.record({ ...part, ...responsePart(response.status, responseHeaders, body) });
      return response;
    },
  };
}

function toPipelineResponse(
  entry: RecordEntry,
  request: Parameters<PipelinePolicy["sendRequest"]>[0],
): PipelineResponse {
  const headers = createHttpHeaders(entry.ResponseHeaders);
  const bytes = decodeBody(entry.ResponseBody, getHeader(entry.ResponseHeaders, "content-type"));
  const codes = request.streamResponseStatusCodes;
  const response: PipelineResponse = { request, status: entry.StatusCode, headers };
  // Like the Node HTTP client: a response to HEAD has no body, whatever the recording holds.
  if (request.method.toUpperCase() === "HEAD") return response;
  if (codes?.has(entry.StatusCode) || codes?.has(Number.POSITIVE_INFINITY)) {
    response.readableStreamBody = Readable.from(bytes ? [Buffer.from(bytes)] : []);
  } else {
    response.bodyAsText = bytes ? Buffer.from(bytes).toString("utf8") : "";
  }
  return response;
}
