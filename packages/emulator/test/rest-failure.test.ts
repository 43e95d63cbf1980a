// REST error answers (src/rest/failure.ts): the status, the `x-ms-error-code` and `www-authenticate` headers, and the
// two body shapes the live service uses (its JSON error body, and the validation-problem body of filter errors).
import type { ServerResponse } from "node:http";
import { describe, expect, it } from "vitest";
import { badRequest, RestFailure, SUPPORTED_API_VERSIONS, writeFailure } from "../src/rest/failure.ts";

interface Written {
  status: number;
  headers: Record<string, string>;
  body: string | undefined;
  ended: boolean;
}

/** A response that records what writeFailure writes to it. */
function recordingResponse(): { res: ServerResponse; written: Written } {
  const written: Written = { status: 0, headers: {}, body: undefined, ended: false };
  const res = {
    writeHead(status: number, headers: Record<string, string>) {
      written.status = status;
      written.headers = headers;
      return this;
    },
    end(body?: string) {
      written.body = body;
      written.ended = true;
      return this;
    },
  } as unknown as ServerResponse;
  return { res, written };
}

function write(f: RestFailure, head = false): Written {
  const { res, written } = recordingResponse();
  writeFailure(res, f, head);
  return written;
}

describe("a RestFailure", () => {
  it("is an Error named RestFailure holding the status, code, target and body shape", () => {
    const f = new RestFailure(404, "Error.NotFound", "gone", "Connection");
    expect(f).toBeInstanceOf(Error);
    expect(f.name).toBe("RestFailure");
    expect(f.message).toBe("gone");
    expect([f.status, f.code, f.target, f.problem]).toEqual([404, "Error.NotFound", "Connection", false]);
    expect(new RestFailure(400, undefined, "m", "filter", true).problem).toBe(true);
  });

  it("badRequest is a 400 Error.BadRequest whose target defaults to Request", () => {
    const f = badRequest("bad");
    expect([f.status, f.code, f.message, f.target, f.problem]).toEqual([
      400,
      "Error.BadRequest",
      "bad",
      "Request",
      false,
    ]);
    expect(badRequest("bad", "hub").target).toBe("hub");
  });
});

describe("writing a failure", () => {
  it("answers with the status, the supported api versions and the error code, in the service's JSON error body", () => {
    const w = write(new RestFailure(404, "Error.Connection.NotExisted", "Connection `c` is not found.", "Connection"));
    expect(w.status).toBe(404);
    expect(w.headers).toEqual({
      "api-supported-versions": SUPPORTED_API_VERSIONS,
      "x-ms-error-code": "Error.Connection.NotExisted",
      "content-type": "application/json; charset=utf-8",
      "content-length": String(w.body!.length),
    });
    expect(JSON.parse(w.body!)).toEqual({
      code: "Error.Connection.NotExisted",
      message: "Connection `c` is not found.",
      target: "Connection",
      details: null,
      innererror: null,
    });
  });

  it("leaves the error code header out when there is no code, and writes null code and target in the body", () => {
    const w = write(new RestFailure(500, undefined, "boom"));
    expect(w.headers).not.toHaveProperty("x-ms-error-code");
    expect(JSON.parse(w.body!)).toEqual({ code: null, message: "boom", target: null, details: null, innererror: null });
  });

  it("asks for a bearer token on 401 only", () => {
    expect(write(new RestFailure(401, "Error.Unauthorized", "no token")).headers["www-authenticate"]).toBe("Bearer");
    expect(write(new RestFailure(403, "Error.Forbidden", "no")).headers).not.toHaveProperty("www-authenticate");
  });

  it("writes a filter error as the validation-problem body, its target naming the error list", () => {
    const w = write(new RestFailure(400, "Error.BadRequest", "Invalid syntax", "filter", true));
    expect(w.headers["content-type"]).toBe("application/problem+json; charset=utf-8");
    expect(w.headers["x-ms-error-code"]).toBe("Error.BadRequest");
    expect(JSON.parse(w.body!)).toEqual({
      code: "Error.BadRequest",
      message: "Invalid syntax",
      target: "filter",
      errors: { filter: ["Invalid syntax"] },
      type: null,
      title: "One or more validation errors occurred.",
      status: 400,
      detail: null,
      instance: null,
      extensions: {},
    });
  });

  it("names the Request in a validation-problem body without a target", () => {
    const body = JSON.parse(write(new RestFailure(400, "Error.BadRequest", "m", undefined, true)).body!);
    expect(body.target).toBe("Request");
    expect(body.errors).toEqual({ Request: ["m"] });
  });

  it("gives the body's length in bytes, not characters", () => {
    const w = write(badRequest("Ungültige Gruppe: 群"));
    expect(w.headers["content-length"]).toBe(String(Buffer.byteLength(w.body!)));
    expect(Buffer.byteLength(w.body!)).toBeGreaterThan(w.body!.length);
  });

  it("answers a HEAD request with the status and headers but no body and no length", () => {
    const w = write(new RestFailure(401, "Error.Unauthorized", "no token"), true);
    expect(w.status).toBe(401);
    expect(w.ended).toBe(true);
    expect(w.body).toBeUndefined();
    expect(w.headers).toEqual({
      "api-supported-versions": SUPPORTED_API_VERSIONS,
      "x-ms-error-code": "Error.Unauthorized",
      "www-authenticate": "Bearer",
      "content-type": "application/json; charset=utf-8",
    });
  });
});
