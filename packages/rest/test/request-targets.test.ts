// The parsed request URLs of the Node HttpClient (src/request-targets.ts): what node:http is given for a URL, that a
// URL seen again is not parsed again, and that the cache never holds more than TARGET_CACHE_SIZE URLs however many
// distinct ones (ids in paths) a long-lived process sends to.
import { describe, expect, it } from "vitest";
import { RequestTargets, TARGET_CACHE_SIZE } from "../src/request-targets.ts";

const url = (i: number) => `https://host.example/api/hubs/h/connections/c${i}/:send?api-version=2024-01-01`;

describe("request targets", () => {
  it("gives node:http the URL's scheme, host, port and path with its query; logs get no query", () => {
    expect(new RequestTargets().of("https://host.example/a/b?x=1&y=2")).toEqual({
      secure: true,
      hostname: "host.example",
      port: "",
      path: "/a/b?x=1&y=2",
      host: "host.example",
      printable: "https://host.example/a/b",
    });
    expect(new RequestTargets().of("http://[::1]:8080/p")).toEqual({
      secure: false,
      hostname: "[::1]",
      port: "8080",
      path: "/p",
      host: "[::1]:8080",
      printable: "http://[::1]:8080/p",
    });
  });

  it("parses a URL once: the same URL again gives the same target, another URL its own", () => {
    const targets = new RequestTargets();
    const first = targets.of(url(1));
    expect(targets.of(url(1))).toBe(first);
    expect(targets.of(url(2))).not.toBe(first);
    expect(targets.size).toBe(2);
  });

  it(`holds ${TARGET_CACHE_SIZE} distinct URLs; one more empties the cache before it is kept`, () => {
    const targets = new RequestTargets();
    const first = targets.of(url(0));
    for (let i = 1; i < TARGET_CACHE_SIZE; i++) targets.of(url(i));
    expect(targets.size).toBe(TARGET_CACHE_SIZE);
    expect(targets.of(url(0))).toBe(first); // still held at the bound
    targets.of(url(TARGET_CACHE_SIZE));
    expect(targets.size).toBe(1);
    const again = targets.of(url(0));
    expect(again).not.toBe(first); // parsed again after the cache was emptied
    expect(again).toEqual(first);
  });

  it("never holds more than the bound, however many distinct URLs are sent to", () => {
    const targets = new RequestTargets();
    let most = 0;
    for (let i = 0; i < 10 * TARGET_CACHE_SIZE; i++) {
      targets.of(url(i));
      most = Math.max(most, targets.size);
    }
    expect(most).toBe(TARGET_CACHE_SIZE);
  });
});
