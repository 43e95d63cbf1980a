// REST calls to the emulator (or, in playback, to the recording) through `recorder.fetch`, signed like the service
// client signs them, and a client access URL minted with `:generateToken`. Configured only from the environment.
import { parseConnectionString } from "@webpubsub/core";
import type { Recorder } from "../src/index.ts";
import { signJwt } from "./helpers.ts";

export interface EmulatorRest {
  endpoint: string;
  key: string;
  /** Sends a request to `/api/hubs/{hub}{path}` and returns the status and body text. */
  call(method: string, path: string, body?: string, contentType?: string): Promise<{ status: number; body: string }>;
  /** A WebSocket URL for `hub`, with a token from `:generateToken` (query: `userId=...&role=...`). */
  clientUrl(query: string): Promise<string>;
}

export function emulatorRest(recorder: Recorder, env: Record<string, string | undefined>, hub: string): EmulatorRest {
  const { endpoint, accessKey: key } = parseConnectionString(env.AZURE_WEBPUBSUB_CONNECTION_STRING!);
  const base = endpoint.replace(/\/+$/, "");
  const call: EmulatorRest["call"] = async (method, path, body, contentType) => {
    const url = `${base}/api/hubs/${hub}${path}${path.includes("?") ? "&" : "?"}api-version=2024-12-01`;
    const now = Math.floor(Date.now() / 1000);
    const headers: Record<string, string> = {
      Authorization: `Bearer ${signJwt({ aud: url, iat: now, exp: now + 300 }, key)}`,
    };
    if (contentType) headers["Content-Type"] = contentType;
    const response = await recorder.fetch(url, { method, headers, ...(body === undefined ? {} : { body }) });
    return { status: response.status, body: await response.text() };
  };
  return {
    endpoint: base,
    key,
    call,
    async clientUrl(query) {
      const { status, body } = await call("POST", `/:generateToken?${query}`);
      if (status !== 200) throw new Error(`generateToken answered ${status}: ${body}`);
      const { token } = JSON.parse(body) as { token: string };
      return `${base.replace(/^http/, "ws")}/client/hubs/${hub}?access_token=${encodeURIComponent(token)}`;
    },
  };
}
