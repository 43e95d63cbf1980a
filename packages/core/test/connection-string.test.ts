import { normalizeEndpoint, parseConnectionString } from "@webpubsub/core";
import { describe, expect, test } from "vitest";

const KEY = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789ABCDEFGH";

describe("parseConnectionString", () => {
  test("parses endpoint and key", () => {
    expect(parseConnectionString(`Endpoint=https://contoso.webpubsub.azure.com;AccessKey=${KEY};Version=1.0;`)).toEqual(
      {
        endpoint: "https://contoso.webpubsub.azure.com",
        accessKey: KEY,
      },
    );
  });

  test("keys are case-insensitive, order does not matter, unknown keys are ignored", () => {
    expect(
      parseConnectionString(`version=1.0;ACCESSKEY=${KEY};foo=bar;eNdPoInT=http://h;ClientEndpoint=http://x`),
    ).toEqual({
      endpoint: "http://h",
      accessKey: KEY,
    });
  });

  test("Port overrides the endpoint port", () => {
    expect(parseConnectionString(`Endpoint=http://h:1234;AccessKey=k;Port=8080`).endpoint).toBe("http://h:8080");
    expect(parseConnectionString(`Endpoint=http://h;Port=8080;AccessKey=k`).endpoint).toBe("http://h:8080");
  });

  test("adds https:// when there is no scheme and drops a trailing slash", () => {
    expect(parseConnectionString("Endpoint=abc.webpubsub.azure.com;AccessKey=K").endpoint).toBe(
      "https://abc.webpubsub.azure.com",
    );
    expect(parseConnectionString("Endpoint=https://abc/;AccessKey=K").endpoint).toBe("https://abc");
  });

  test("keeps '=' inside the key value", () => {
    expect(parseConnectionString("Endpoint=http://h;AccessKey=abc==;").accessKey).toBe("abc==");
  });

  test("missing keys name the key and never echo the access key", () => {
    expect(() => parseConnectionString(`AccessKey=${KEY}`)).toThrow(/Endpoint/);
    expect(() => parseConnectionString("Endpoint=http://h")).toThrow(/AccessKey/);
    for (const cs of [
      `AccessKey=${KEY}`,
      `Endpoint=ftp://h;AccessKey=${KEY}`,
      `Endpoint=http://h;AccessKey=${KEY};Port=0`,
    ]) {
      try {
        parseConnectionString(cs);
        expect.fail("should throw");
      } catch (e) {
        expect(e).toBeInstanceOf(Error);
        expect((e as Error).message).not.toContain(KEY);
      }
    }
  });

  test.each(["0", "65536", "abc", "-1", "80.5"])("rejects Port=%s", (port) => {
    expect(() => parseConnectionString(`Endpoint=http://h;AccessKey=k;Port=${port}`)).toThrow(RangeError);
  });

  test("rejects non-http schemes and non-strings", () => {
    expect(() => parseConnectionString("Endpoint=ftp://h;AccessKey=k")).toThrow(TypeError);
    expect(() => parseConnectionString(undefined as unknown as string)).toThrow(TypeError);
  });
});

describe("normalizeEndpoint", () => {
  test("drops path, lowercases host, keeps port", () => {
    expect(normalizeEndpoint("HTTPS://Contoso.Example:8443/some/path/")).toBe("https://contoso.example:8443");
  });
});
