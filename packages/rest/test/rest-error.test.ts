// The RestErrors of src/rest-error.ts, called directly: what errorDetails reads from a failed response (the code from
// the x-ms-error-code header, else the body; the message from the body's message, else its title, else a plain-text
// body; nothing made up), what responseError and toRestError attach and say, and the errors of the HTTP client (a
// request not sent, an answer not read, an exchange cut short).
import { createPipelineRequest, isRestError, RestError } from "@azure/core-rest-pipeline";
import type { HttpResponse } from "@azure-rest/core-client";
import { describe, expect, it } from "vitest";
import { abortError, errorDetails, readError, responseError, sendError, toRestError } from "../src/rest-error.ts";

const request = createPipelineRequest({
  url: "https://h.example/api/hubs/chat/:send?api-version=2024-12-01&secret=s",
  method: "POST",
});

function response(status: string, body: unknown, headers: Record<string, string> = {}): HttpResponse {
  return { status, body, headers, request };
}

describe("errorDetails", () => {
  it("takes the code from the x-ms-error-code header before the body's code", () => {
    expect(errorDetails(response("400", { code: "Body.Code" }, { "x-ms-error-code": "Header.Code" }))).toStrictEqual({
      code: "Header.Code",
    });
    expect(errorDetails(response("400", { code: "Body.Code" }))).toStrictEqual({ code: "Body.Code" });
    expect(errorDetails(response("400", { code: "Body.Code" }, { "x-ms-error-code": "" }))).toStrictEqual({
      code: "Body.Code",
    });
  });

  it("takes the message from the body's message, else its title, else a plain-text body", () => {
    expect(errorDetails(response("400", { message: "m", title: "t" }))).toStrictEqual({ message: "m" });
    expect(errorDetails(response("400", { message: "", title: "t" }))).toStrictEqual({ message: "t" });
    expect(errorDetails(response("400", { title: "t" }))).toStrictEqual({ message: "t" });
    expect(errorDetails(response("502", "bad gateway"))).toStrictEqual({ message: "bad gateway" });
  });

  it("makes nothing up: empty or non-string fields, an empty or absent body give no code and no message", () => {
    for (const body of [
      undefined,
      null,
      "",
      {},
      [],
      42,
      { code: "", message: "", title: "" },
      { code: 5, message: { text: "m" }, title: ["t"] },
    ]) {
      expect(errorDetails(response("500", body)), JSON.stringify(body)).toStrictEqual({});
    }
  });
});

describe("responseError", () => {
  it("carries the numeric status, the request, and the answer's headers and body as text", () => {
    const error = responseError(response("409", { a: 1 }, { "x-ms-request-id": "r1" }), "conflict");
    expect(error).toBeInstanceOf(RestError);
    expect(error.message).toBe("conflict");
    expect(error.statusCode).toBe(409);
    expect(error.request).toBe(request);
    expect(error.response?.status).toBe(409);
    expect(error.response?.request).toBe(request);
    expect(error.response?.headers.get("x-ms-request-id")).toBe("r1");
    expect(error.response?.bodyAsText).toBe('{"a":1}');
  });

  it("keeps a text body as it is and writes an absent one as null", () => {
    expect(responseError(response("500", "plain"), "m").response?.bodyAsText).toBe("plain");
    expect(responseError(response("500", undefined), "m").response?.bodyAsText).toBe("null");
    expect(responseError(response("500", null), "m").response?.bodyAsText).toBe("null");
  });

  it("sets a code only when one is given", () => {
    expect(responseError(response("500", ""), "m", "Error.Code").code).toBe("Error.Code");
    expect(responseError(response("500", ""), "m", "").code).toBeUndefined();
    expect(responseError(response("500", ""), "m").code).toBeUndefined();
  });
});

describe("toRestError", () => {
  it("names the method and path (not the query) when no operation is given, and ends a message-less text with a dot", () => {
    const error = toRestError(response("500", undefined));
    expect(error.message).toBe("POST /api/hubs/chat/:send failed with status 500.");
    expect(error.statusCode).toBe(500);
    expect(error.code).toBeUndefined();
  });

  it("relays the service's code in brackets and its message after a colon", () => {
    const error = toRestError(
      response("403", { code: "Body.Code", message: "not allowed" }, { "x-ms-error-code": "Error.Forbidden" }),
      "sendToAll",
    );
    expect(error.message).toBe("sendToAll failed with status 403 (Error.Forbidden): not allowed");
    expect(error.code).toBe("Error.Forbidden");
  });

  it("keeps a non-empty body as details, and sets none for an empty, null or absent one", () => {
    expect(toRestError(response("400", { message: "m" })).details).toEqual({ message: "m" });
    expect(toRestError(response("502", "text")).details).toBe("text");
    expect(toRestError(response("502", 0)).details).toBe(0);
    for (const body of [undefined, null, ""]) {
      expect(toRestError(response("502", body)).details, String(body)).toBeUndefined();
    }
  });
});

describe("the HTTP client's errors", () => {
  it("sendError keeps the system's code and message, and the request", () => {
    const error = sendError(Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" }), request);
    expect(isRestError(error)).toBe(true);
    expect(error.message).toBe("connect ECONNREFUSED");
    expect(error.code).toBe("ECONNREFUSED");
    expect(error.request).toBe(request);
  });

  it("sendError gives REQUEST_SEND_ERROR to an error without a code, and to a body stream closed early", () => {
    expect(sendError(new Error("boom"), request)).toMatchObject({
      message: "boom",
      code: RestError.REQUEST_SEND_ERROR,
    });
    const premature = sendError(
      Object.assign(new Error("Premature close"), { code: "ERR_STREAM_PREMATURE_CLOSE" }),
      request,
    );
    expect(premature).toMatchObject({
      message: "Request body stream closed before ending",
      code: RestError.REQUEST_SEND_ERROR,
    });
  });

  it("sendError passes a RestError through as it is", () => {
    const given = new RestError("given", { code: "X" });
    expect(sendError(given, request)).toBe(given);
  });

  it("readError is a PARSE_ERROR naming what failed", () => {
    const error = readError(new Error("aborted"));
    expect(isRestError(error)).toBe(true);
    expect(error.message).toBe("Error reading response as text: aborted");
    expect(error.code).toBe(RestError.PARSE_ERROR);
  });

  it("abortError is an Error named AbortError with the message given", () => {
    const error = abortError("The operation was aborted.");
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe("AbortError");
    expect(error.message).toBe("The operation was aborted.");
  });
});
