// The reverse-proxy policy (src/reverse-proxy-policy.ts) on its own: a request goes to the proxy's scheme, host and
// port with the proxy's path prefix in front of its path (query kept), and its URL is the service URL again once the
// answer is in, or once sending failed, so a retry is signed for the service URL.
import { createHttpHeaders, createPipelineRequest, type PipelineResponse } from "@azure/core-rest-pipeline";
import { describe, expect, it } from "vitest";
import { reverseProxyPolicy } from "../src/reverse-proxy-policy.ts";

const SERVICE = "https://svc.example/api/hubs/chat/:send?api-version=2024-12-01&x=a%20b";

/** The URL the request had when it was sent through a policy for `proxy`, and the URL it has afterwards. */
async function through(proxy: string, url = SERVICE) {
  const request = createPipelineRequest({ url });
  let sentTo = "";
  await reverseProxyPolicy(proxy).sendRequest(request, async (r): Promise<PipelineResponse> => {
    sentTo = r.url;
    return { status: 200, headers: createHttpHeaders(), request: r };
  });
  return { sentTo, after: request.url };
}

describe("reverseProxyPolicy", () => {
  it("sends to the proxy's scheme, host and port, keeping path and query", async () => {
    expect(await through("https://gw.example")).toEqual({
      sentTo: "https://gw.example/api/hubs/chat/:send?api-version=2024-12-01&x=a%20b",
      after: SERVICE,
    });
    expect((await through("http://gw.example:8080")).sentTo).toBe(
      "http://gw.example:8080/api/hubs/chat/:send?api-version=2024-12-01&x=a%20b",
    );
  });

  it("puts the proxy's path prefix in front of the path, without doubling a slash", async () => {
    expect((await through("https://gw.example/wps")).sentTo).toBe(
      "https://gw.example/wps/api/hubs/chat/:send?api-version=2024-12-01&x=a%20b",
    );
    expect((await through("https://gw.example/a/b//")).sentTo).toBe(
      "https://gw.example/a/b/api/hubs/chat/:send?api-version=2024-12-01&x=a%20b",
    );
  });

  // Rule: the proxy's port replaces the service's, a default port included (the URL host setter alone keeps the old
  // port when the new host names none).
  it("sends to the proxy's port, its default one included, whatever port the service URL has", async () => {
    expect((await through("https://gw.example", "https://svc.example:8443/api")).sentTo).toBe("https://gw.example/api");
    expect((await through("https://gw.example/wps", "http://localhost:8080/api?a=1")).sentTo).toBe(
      "https://gw.example/wps/api?a=1",
    );
    expect((await through("http://gw.example:9000", "https://svc.example:8443/api")).sentTo).toBe(
      "http://gw.example:9000/api",
    );
    expect((await through("https://gw.example:8443", "https://svc.example/api")).sentTo).toBe(
      "https://gw.example:8443/api",
    );
    expect((await through("http://[::1]:9000", "https://svc.example:8443/api")).sentTo).toBe("http://[::1]:9000/api");
  });

  it("puts the service URL back when sending fails", async () => {
    const request = createPipelineRequest({ url: SERVICE });
    const failure = new Error("connection reset");
    await expect(
      reverseProxyPolicy("https://gw.example/wps").sendRequest(request, async () => {
        throw failure;
      }),
    ).rejects.toBe(failure);
    expect(request.url).toBe(SERVICE);
  });
});
