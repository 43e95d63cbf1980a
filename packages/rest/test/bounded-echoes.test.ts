// No caller's value is echoed whole into an error: the endpoint, api-version and key-credential policy checks show a
// value through core's shownValue (a string quoted up to its first 64 characters), name the problem, and still show
// a short value whole.
import { thrownMessage } from "@webpubsub/test-kit";
import { describe, expect, it } from "vitest";
import { checkApiVersion, normalizeEndpoint } from "../src/endpoint.ts";
import { keyCredentialPolicy } from "../src/key-credential-policy.ts";

const HUGE = `${"a".repeat(64)}${"b".repeat(99_936)}`;
const key = { key: "k" };

const cases: [string, (value: string) => unknown, string, string?][] = [
  ["endpoint URL", (v) => normalizeEndpoint(`http://[${v}`), "endpoint must be an absolute http(s) URL", "http://["],
  ["endpoint scheme", (v) => normalizeEndpoint(`ftp://${v}`), "endpoint must use http or https", "ftp://"],
  ["api-version", (v) => checkApiVersion(v), 'options.apiVersion must look like "2024-12-01"'],
  [
    "token lifetime",
    (v) => keyCredentialPolicy(key, { tokenLifetimeInSeconds: v as never }),
    "tokenLifetimeInSeconds must be",
  ],
  ["cache size", (v) => keyCredentialPolicy(key, { cacheSize: v as never }), "cacheSize must be"],
];

describe("argument errors show a caller's value bounded", () => {
  it.each(cases)(
    "%s: a 100,000-character value is shown by its first 64 characters",
    async (_name, call, problem, before = "") => {
      const message = await thrownMessage(() => call(HUGE));
      expect(message).toContain(problem);
      expect(message).toContain(`${JSON.stringify(`${before}${HUGE}`.slice(0, 64))}...`);
      expect(message.length).toBeLessThan(300);
    },
  );

  it.each(cases)("%s: a short value is shown whole", async (_name, call, problem, before = "") => {
    const message = await thrownMessage(() => call("zq"));
    expect(message).toContain(problem);
    expect(message).toContain(`"${before}zq"`);
  });

  it("a number is shown with its type, a function by kind", async () => {
    expect(await thrownMessage(() => normalizeEndpoint(5))).toBe(
      "endpoint must be a non-empty URL string, got number 5.",
    );
    expect(await thrownMessage(() => normalizeEndpoint(() => HUGE))).toBe(
      "endpoint must be a non-empty URL string, got a function.",
    );
    expect(await thrownMessage(() => keyCredentialPolicy(key, { cacheSize: -1 }))).toBe(
      "cacheSize must be a non-negative integer, got -1",
    );
  });
});
