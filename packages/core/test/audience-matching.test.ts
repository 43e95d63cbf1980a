// The REST token audience rule (protocol.md 1.2): the request URL with or without its query, case-insensitively,
// where either side may be the URL-decoded form of the other. Nothing else matches, and no input throws.
import { clientAudience, restAudienceMatches } from "@webpubsub/core";
import { describe, expect, test } from "vitest";

describe("restAudienceMatches", () => {
  test("an audience or URL that is not a string never matches, and does not throw", () => {
    const url = "https://h/api/hubs/chat/:send";
    expect(restAudienceMatches(undefined as never, url)).toBe(false);
    expect(restAudienceMatches(url, undefined as never)).toBe(false);
    expect(restAudienceMatches(null as never, null as never)).toBe(false);
    expect(restAudienceMatches({ toString: () => url } as never, url)).toBe(false);
  });

  test("only the whole URL or the URL without its query match, never a shorter prefix", () => {
    const url = "https://h/api/hubs/chat/:send";
    expect(restAudienceMatches(url, url)).toBe(true);
    expect(restAudienceMatches(url.slice(0, -1), url)).toBe(false);
    expect(restAudienceMatches("https://h/api/hubs/chat/:send", `${url}?api-version=1`)).toBe(true);
    expect(restAudienceMatches("https://h/api/hubs/chat/:sen", `${url}?api-version=1`)).toBe(false);
  });

  test("the audience may be the decoded form of the URL, or the URL the decoded form of the audience", () => {
    // The request URL carries "%2541" (an encoded "%41"); an audience written with "%41" is its decoded form.
    expect(restAudienceMatches("https://h/api/hubs/x%41", "https://h/api/hubs/x%2541")).toBe(true);
    // The audience carries "%2520" (an encoded "%20"); a URL written with "%20" is its decoded form.
    expect(restAudienceMatches("https://h/api/hubs/a%2520b", "https://h/api/hubs/a%20b")).toBe(true);
    // Both sides encode the same characters, differently ("A" and "a" are equal here).
    expect(restAudienceMatches("https://h/api/hubs/a%41b", "https://h/api/hubs/a%61b")).toBe(true);
    // Decoding is one level deep: a twice-encoded audience is not the URL.
    expect(restAudienceMatches("https://h/api/hubs/a%252520b", "https://h/api/hubs/a%20b")).toBe(false);
  });
});

describe("clientAudience", () => {
  test("an invalid hub name is refused with an error that names the hub argument", () => {
    expect(() => clientAudience("https://h", "bad hub")).toThrow(/^hub "bad hub" is not a valid hub name/);
  });
});
