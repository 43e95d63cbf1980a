// Connection string and endpoint rules (protocol.md 1.1) at their edges: what counts as a key=value part, spaces,
// scheme detection, the port range, credentials, and error messages that name the problem without echoing secrets.
import { normalizeEndpoint, parseConnectionString } from "@webpubsub/core";
import { describe, expect, test } from "vitest";

describe("parseConnectionString", () => {
  test("a value that is not a string is refused with a message naming connectionString", () => {
    expect(() => parseConnectionString(undefined as never)).toThrow("connectionString must be a string");
    expect(() => parseConnectionString(42 as never)).toThrow("connectionString must be a string");
  });

  test("a part without '=' is ignored, even one that begins with a key name", () => {
    expect(parseConnectionString("Endpoint=http://h;AccessKey=k;EndpointX;AccessKeyY")).toEqual({
      endpoint: "http://h",
      accessKey: "k",
    });
  });

  test("spaces around keys and values are ignored", () => {
    expect(parseConnectionString(" Endpoint = http://h:81 ; AccessKey = k1 ; Port = 82 ")).toEqual({
      endpoint: "http://h:82",
      accessKey: "k1",
    });
  });

  test("missing keys are named in the error", () => {
    expect(() => parseConnectionString("AccessKey=k")).toThrow("connectionString is missing the Endpoint key");
    expect(() => parseConnectionString("Endpoint=http://h")).toThrow("connectionString is missing the AccessKey key");
    expect(() => parseConnectionString("Endpoint=;AccessKey=k")).toThrow("missing the Endpoint key");
  });
});

describe("normalizeEndpoint", () => {
  test("an empty, blank or non-string endpoint is refused as such", () => {
    for (const bad of ["", "   ", undefined, 42]) {
      expect(() => normalizeEndpoint(bad as never)).toThrow("endpoint must be a non-empty string");
    }
  });

  test("spaces around the endpoint are ignored", () => {
    expect(normalizeEndpoint("  http://H:81/path  ")).toBe("http://h:81");
  });

  test("an endpoint without a scheme gets https://, even when its path or query holds a URL", () => {
    expect(normalizeEndpoint("h.example/redirect?to=http://x")).toBe("https://h.example");
    expect(normalizeEndpoint("h.example:8443")).toBe("https://h.example:8443");
  });

  test("an unparsable endpoint is refused with a message saying it is not a URL", () => {
    expect(() => normalizeEndpoint("http://[bad")).toThrow('endpoint is not a valid URL: "http://[bad"');
  });

  test("only http and https: the error names the scheme", () => {
    expect(() => normalizeEndpoint("ftp://h")).toThrow('endpoint must use http or https, got "ftp"');
    expect(() => normalizeEndpoint("ws://h")).toThrow('endpoint must use http or https, got "ws"');
  });

  test("a user name or a password alone is refused, and neither is echoed", () => {
    for (const endpoint of ["http://user@h", "http://:secret@h", "http://user:secret@h"]) {
      let message = "";
      try {
        normalizeEndpoint(endpoint);
      } catch (e) {
        message = (e as Error).message;
      }
      expect(message).toBe("endpoint must not contain credentials");
    }
  });

  test("ports 1 and 65535 are accepted; 0 and 65536 refused with a message naming the value", () => {
    expect(normalizeEndpoint("http://h", "1")).toBe("http://h:1");
    expect(normalizeEndpoint("http://h", "65535")).toBe("http://h:65535");
    expect(() => normalizeEndpoint("http://h", "0")).toThrow('Port must be an integer from 1 to 65535, got "0"');
    expect(() => normalizeEndpoint("http://h", "65536")).toThrow(RangeError);
    expect(normalizeEndpoint("http://h:81", "")).toBe("http://h:81");
  });
});
