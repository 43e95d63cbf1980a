// REST error answers: status, `x-ms-error-code` and the service's JSON error body.
import type { ServerResponse } from "node:http";

export class RestFailure extends Error {
  override name = "RestFailure";
  readonly status: number;
  readonly code: string | undefined;
  readonly target: string | undefined;
  /** filter errors use the validation-problem body shape the live service returns for them */
  readonly problem: boolean;

  constructor(status: number, code: string | undefined, message: string, target?: string, problem = false) {
    super(message);
    this.status = status;
    this.code = code;
    this.target = target;
    this.problem = problem;
  }
}

export function badRequest(message: string, target = "Request"): RestFailure {
  return new RestFailure(400, "Error.BadRequest", message, target);
}

export const SUPPORTED_API_VERSIONS = "2021-10-01, 2022-11-01, 2023-07-01, 2024-01-01, 2024-12-01";

export function writeFailure(res: ServerResponse, f: RestFailure, head: boolean): void {
  const headers: Record<string, string> = { "api-supported-versions": SUPPORTED_API_VERSIONS };
  if (f.code !== undefined) headers["x-ms-error-code"] = f.code;
  if (f.status === 401) headers["www-authenticate"] = "Bearer";
  let body: string | undefined;
  if (f.problem) {
    headers["content-type"] = "application/problem+json; charset=utf-8";
    const target = f.target ?? "Request";
    body = JSON.stringify({
      code: f.code,
      message: f.message,
      target,
      errors: { [target]: [f.message] },
      type: null,
      title: "One or more validation errors occurred.",
      status: f.status,
      detail: null,
      instance: null,
      extensions: {},
    });
  } else {
    headers["content-type"] = "application/json; charset=utf-8";
    body = JSON.stringify({
      code: f.code ?? null,
      message: f.message,
      target: f.target ?? null,
      details: null,
      innererror: null,
    });
  }
  if (head) {
    res.writeHead(f.status, headers);
    res.end();
    return;
  }
  headers["content-length"] = String(Buffer.byteLength(body));
  res.writeHead(f.status, headers);
  res.end(body);
}
