// The endpoint, api-version and credential rules of src/endpoint.ts, called directly: what an endpoint may be and how
// it is normalized, what an api-version looks like, which objects count as credentials, how a next-page link at a
// reverse proxy maps to the service, and when a request may go over plain http (never a Microsoft Entra token to
// another host in clear unless the caller opts in), and that TLS options are never silently dropped.
import { Agent as HttpsAgent } from "node:https";
import type { KeyCredential, TokenCredential } from "@azure/core-auth";
import { describe, expect, it } from "vitest";
import {
  API_VERSION_PATTERN,
  checkApiVersion,
  checkCredential,
  checkTlsOptions,
  checkTransport,
  DEFAULT_API_VERSION,
  isKeyCredential,
  isLoopbackEndpoint,
  isTokenCredential,
  normalizeEndpoint,
  proxyLinkToService,
} from "../src/endpoint.ts";

const key: KeyCredential = { key: "k" };
const token: TokenCredential = { getToken: async () => ({ token: "t", expiresOnTimestamp: 0 }) };

describe("normalizeEndpoint", () => {
  it("keeps scheme, host, port and path, and drops every trailing slash", () => {
    expect(normalizeEndpoint("https://h.example")).toBe("https://h.example");
    expect(normalizeEndpoint("https://h.example/")).toBe("https://h.example");
    expect(normalizeEndpoint("https://h.example//")).toBe("https://h.example");
    expect(normalizeEndpoint("http://h.example:8080/base/")).toBe("http://h.example:8080/base");
    expect(normalizeEndpoint("https://h.example/a/b///")).toBe("https://h.example/a/b");
    // a slash inside the path stays: only the trailing ones go
    expect(normalizeEndpoint("HTTPS://H.Example:443/a/b")).toBe("https://h.example/a/b");
  });

  it("refuses an empty or blank string as empty, before trying to parse it", () => {
    for (const blank of ["", " ", "\t\n"]) {
      expect(() => normalizeEndpoint(blank)).toThrow(
        new TypeError(`endpoint must be a non-empty URL string, got ${JSON.stringify(blank)}.`),
      );
    }
  });

  it("names a value that is not a string by its kind: null, an object, a function, or its type and value", () => {
    const message = (value: unknown) => `endpoint must be a non-empty URL string, got ${value}.`;
    expect(() => normalizeEndpoint(null)).toThrow(new TypeError(message("null")));
    expect(() => normalizeEndpoint(undefined)).toThrow(new TypeError(message("undefined undefined")));
    expect(() => normalizeEndpoint({ href: "https://h" })).toThrow(new TypeError(message("an object")));
    expect(() => normalizeEndpoint(new URL("https://h"))).toThrow(new TypeError(message("an object")));
    expect(() => normalizeEndpoint(() => "https://h")).toThrow(new TypeError(message("a function")));
    expect(() => normalizeEndpoint(true)).toThrow(new TypeError(message("boolean true")));
    expect(() => normalizeEndpoint(7)).toThrow(new TypeError(message("number 7")));
  });

  it("names the argument it checks in every error", () => {
    expect(() => normalizeEndpoint("", "options.reverseProxyEndpoint")).toThrow(
      /^options\.reverseProxyEndpoint must be a non-empty URL string/,
    );
    expect(() => normalizeEndpoint("nope", "proxy")).toThrow(/^proxy must be an absolute http\(s\) URL, got "nope"\.$/);
    expect(() => normalizeEndpoint("ws://h", "proxy")).toThrow(/^proxy must use http or https, got "ws:\/\/h"\.$/);
    expect(() => normalizeEndpoint("https://h?a=1", "proxy")).toThrow(/^proxy must not have a query or fragment\.$/);
  });

  it("accepts http and https only", () => {
    for (const other of ["ftp://h", "ws://h", "wss://h", "file:///x", "mailto:a@b"]) {
      expect(() => normalizeEndpoint(other), other).toThrow(/^endpoint must use http or https/);
    }
    expect(normalizeEndpoint("http://h")).toBe("http://h");
    expect(normalizeEndpoint("https://h")).toBe("https://h");
  });

  it("refuses a query or a fragment, and takes a bare `?` or `#` (which adds neither) as none", () => {
    expect(() => normalizeEndpoint("https://h/?x=1")).toThrow(/must not have a query or fragment/);
    expect(() => normalizeEndpoint("https://h/#top")).toThrow(/must not have a query or fragment/);
    expect(normalizeEndpoint("https://h/base?")).toBe("https://h/base");
    expect(normalizeEndpoint("https://h/base#")).toBe("https://h/base");
  });
});

describe("checkApiVersion", () => {
  it("accepts a date, with or without -preview, and is the pattern the default version has", () => {
    for (const good of ["2024-12-01", "2021-10-01-preview", "0000-00-00", DEFAULT_API_VERSION]) {
      expect(() => checkApiVersion(good), good).not.toThrow();
      expect(API_VERSION_PATTERN.test(good)).toBe(true);
    }
  });

  it("refuses anything more, less or else around the date, naming the option and showing the value", () => {
    for (const bad of [
      "",
      "latest",
      "x2024-12-01",
      "2024-12-01x",
      "2024-12-01-preview1",
      "2024-12-01-beta",
      "2024-12-01preview",
      "-preview",
      "202-12-01",
      "20245-12-01",
      "2024-1-01",
      "2024-123-01",
      "2024-12-1",
      "2024-12-011",
      "2024/12/01",
      "abcd-ef-gh",
      "2024-12-01\n",
    ]) {
      expect(() => checkApiVersion(bad), bad).toThrow(
        new TypeError(`options.apiVersion must look like "2024-12-01", got ${JSON.stringify(bad)}.`),
      );
    }
    // a value that only reads as a version once made a string is not one
    for (const bad of [["2024-12-01"], { toString: () => "2024-12-01" }]) {
      expect(() => checkApiVersion(bad)).toThrow(/^options\.apiVersion must look like "2024-12-01", got an object\.$/);
    }
    expect(() => checkApiVersion(20241201, "apiVersion")).toThrow(
      new TypeError('apiVersion must look like "2024-12-01", got number 20241201.'),
    );
  });
});

describe("proxyLinkToService", () => {
  const endpoint = "https://svc.example/ignored-path";
  const link = (href: string, proxy: string) => proxyLinkToService(new URL(href), endpoint, proxy);

  it("maps a link at the proxy's origin to the service's origin, keeping path and query", () => {
    expect(link("https://gw.example/api/x?a=1&b=2", "https://gw.example")).toBe("https://svc.example/api/x?a=1&b=2");
  });

  it("takes the proxy's path prefix off a link that has it, and only a whole segment of it", () => {
    const proxy = "https://gw.example/wps/";
    expect(link("https://gw.example/wps/api/x?a=1", proxy)).toBe("https://svc.example/api/x?a=1");
    // a link written without the prefix keeps its path
    expect(link("https://gw.example/api/x", proxy)).toBe("https://svc.example/api/x");
    // `/wpsx/...` does not start with the prefix `/wps` as a segment
    expect(link("https://gw.example/wpsx/api", proxy)).toBe("https://svc.example/wpsx/api");
    // the prefix's own trailing slashes do not count
    expect(link("https://gw.example/wps/api", "https://gw.example/wps//")).toBe("https://svc.example/api");
  });

  it("refuses a link on any other origin: another host, scheme or port", () => {
    for (const other of ["https://elsewhere.example/api", "http://gw.example/api", "https://gw.example:8443/api"]) {
      expect(link(other, "https://gw.example"), other).toBeUndefined();
    }
  });
});

describe("isLoopbackEndpoint", () => {
  it("is true for localhost, 127.0.0.1 and [::1], in any spelling URL accepts", () => {
    for (const loopback of ["http://localhost", "http://LOCALHOST:8080/x", "http://127.0.0.1:1", "http://[::1]:9"]) {
      expect(isLoopbackEndpoint(loopback), loopback).toBe(true);
    }
  });

  it("is false for every other host, lookalikes included", () => {
    for (const other of [
      "http://localhost.example.com",
      "http://127.0.0.2",
      "http://[::2]",
      "http://0.0.0.0",
      "http://mylocalhost",
      "http://wps.contoso.com",
    ]) {
      expect(isLoopbackEndpoint(other), other).toBe(false);
    }
  });
});

describe("credentials", () => {
  it("a KeyCredential is an object with a string key", () => {
    expect(isKeyCredential({ key: "k" })).toBe(true);
    expect(isKeyCredential({ key: "" })).toBe(true);
    for (const other of [null, undefined, "k", { key: 1 }, {}, () => "k"]) {
      expect(isKeyCredential(other), String(other)).toBe(false);
    }
  });

  it("a TokenCredential is an object with a getToken function, unless it also signs requests with a 0-argument getToken", () => {
    expect(isTokenCredential({ getToken: () => undefined })).toBe(true);
    expect(isTokenCredential({ getToken: (_scopes: string) => undefined, signRequest: () => undefined })).toBe(true);
    // an old-style ServiceClientCredentials (signRequest with an argument-less getToken) is not one
    expect(isTokenCredential({ getToken: () => undefined, signRequest: () => undefined })).toBe(false);
    for (const other of [null, undefined, "t", {}, { getToken: "t" }, () => undefined]) {
      expect(isTokenCredential(other), String(other)).toBe(false);
    }
  });

  it("checkCredential takes a KeyCredential with a key or a TokenCredential, and names the argument otherwise", () => {
    expect(() => checkCredential(key)).not.toThrow();
    expect(() => checkCredential(token)).not.toThrow();
    expect(() => checkCredential({ key: "" }, "cred")).toThrow(
      new TypeError("cred.key must be a non-empty access key."),
    );
    for (const other of [null, {}, { key: 1 }, "key"]) {
      expect(() => checkCredential(other)).toThrow(
        new TypeError(
          "credential must be an AzureKeyCredential (new AzureKeyCredential(accessKey)) or a TokenCredential such as DefaultAzureCredential.",
        ),
      );
    }
  });
});

describe("checkTransport", () => {
  it("with an access key allows http by default wherever requests or their audience are http, and nowhere else", () => {
    expect(checkTransport("http://wps.contoso.com", undefined, key, undefined)).toBe(true);
    expect(checkTransport("https://wps.contoso.com", undefined, key, undefined)).toBe(false);
    expect(checkTransport("https://wps.contoso.com", "http://gw.contoso.com", key, undefined)).toBe(true);
    expect(checkTransport("http://wps.contoso.com", "https://gw.contoso.com", key, undefined)).toBe(true);
    expect(checkTransport("https://wps.contoso.com", "https://gw.contoso.com", key, undefined)).toBe(false);
    // the caller's choice wins either way
    expect(checkTransport("http://wps.contoso.com", undefined, key, false)).toBe(false);
    expect(checkTransport("https://wps.contoso.com", undefined, key, true)).toBe(true);
  });

  it("with a token credential over https keeps the same defaults: the token is encrypted on its way", () => {
    expect(checkTransport("https://wps.contoso.com", undefined, token, undefined)).toBe(false);
    expect(checkTransport("http://wps.contoso.com", "https://gw.contoso.com", token, undefined)).toBe(true);
    expect(checkTransport("https://wps.contoso.com", undefined, token, true)).toBe(true);
  });

  it("with a token credential sends it over plain http by default only to this machine", () => {
    for (const loopback of ["http://localhost:8080", "http://127.0.0.1:1", "http://[::1]:9"]) {
      expect(checkTransport(loopback, undefined, token, undefined), loopback).toBe(true);
      expect(checkTransport("https://wps.contoso.com", loopback, token, undefined), loopback).toBe(true);
    }
    expect(() => checkTransport("http://wps.contoso.com", undefined, token, undefined)).toThrow(
      new TypeError(
        "endpoint http://wps.contoso.com uses plain http, which would send the Microsoft Entra bearer token unencrypted: use https, or pass options.allowInsecureConnection: true to allow it (only localhost, 127.0.0.1 and [::1] are allowed without it).",
      ),
    );
    // behind a proxy the proxy is what the token travels to, and what the error names
    expect(() => checkTransport("http://localhost", "http://gw.contoso.com", token, undefined)).toThrow(
      /^options\.reverseProxyEndpoint http:\/\/gw\.contoso\.com uses plain http/,
    );
  });

  it("with a token credential over http follows an explicit choice: true sends it anywhere, false nowhere", () => {
    expect(checkTransport("http://wps.contoso.com", undefined, token, true)).toBe(true);
    expect(() => checkTransport("http://localhost:8080", undefined, token, false)).toThrow(
      /^endpoint http:\/\/localhost:8080 uses plain http/,
    );
  });

  it("takes only a boolean (or nothing: undefined, null) as allowInsecureConnection", () => {
    for (const bad of ["true", "false", 1, 0, {}]) {
      for (const credential of [key, token]) {
        expect(() => checkTransport("https://h", undefined, credential, bad as never)).toThrow(
          new TypeError("options.allowInsecureConnection must be a boolean when given."),
        );
      }
    }
    expect(checkTransport("http://h", undefined, key, null as never)).toBe(true);
    expect(checkTransport("http://localhost", undefined, token, null as never)).toBe(true);
  });
});

// Rule: tlsOptions configure the agents the HTTP client creates; with an agent of the caller's they would be dropped
// without a word (a client certificate never sent, a private CA never trusted), so the pair is refused. Each alone is
// taken, and null or undefined is absent, as in the HTTP stack.
describe("checkTlsOptions", () => {
  const agent = new HttpsAgent();
  it("refuses tlsOptions together with an agent, naming both and the way out", () => {
    for (const tls of [{ ca: "pem" }, {}]) {
      expect(() => checkTlsOptions(tls, agent)).toThrow(TypeError);
      expect(() => checkTlsOptions(tls, agent)).toThrow(
        /^options.tlsOptions is not applied to the connections of options.agent: give the agent the TLS settings/,
      );
    }
  });

  it("takes either one alone, with the other absent as undefined or null", () => {
    for (const absent of [undefined, null]) {
      expect(() => checkTlsOptions({ ca: "pem" }, absent)).not.toThrow();
      expect(() => checkTlsOptions(absent, agent)).not.toThrow();
      expect(() => checkTlsOptions(absent, absent)).not.toThrow();
    }
  });
});
