// Shapes shared by the REST router and the operations: one request as the operations see it, and their answer.
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Service } from "../service.ts";

/** One REST request as the operations see it. */
export interface Call {
  service: Service;
  req: IncomingMessage;
  res: ServerResponse;
  query: URLSearchParams;
  /** absolute URL of the request as the client addressed it */
  url: string;
  /** scheme://host[:port] the request reached (see public-origin.ts) */
  origin: string;
  pathname: string;
}

export interface Reply {
  status: number;
  body?: unknown;
  errorCode?: string;
}
