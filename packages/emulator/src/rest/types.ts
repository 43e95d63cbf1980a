// Shapes shared by the REST router and the operations.
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
  origin: string;
  pathname: string;
}

export type Handler = (call: Call, p: string[]) => Promise<number | Reply> | number | Reply;

export interface Reply {
  status: number;
  body?: unknown;
  errorCode?: string;
}

export interface Route {
  method: string;
  /** segments after /api/hubs/{hub}; "*" captures one */
  pattern: string[];
  name: string;
  run: Handler;
}
