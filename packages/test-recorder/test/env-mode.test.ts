// TEST_MODE (playback unless set otherwise), the fake environment playback runs with, and what record mode learns
// from the real environment: which values it replaces, which keys are secrets, which hosts are real.
import { describe, expect, it } from "vitest";
import { applyEnv, DEFAULT_FAKE_ENDPOINT, defaultPlaybackEnv, sanitizingFromEnv } from "../src/env.ts";
import { getTestMode, isRecorderMode } from "../src/mode.ts";
import { FAKE_ACCESS_KEY } from "../src/sanitizers.ts";

describe("TEST_MODE", () => {
  it("names one of the three modes, as a string only", () => {
    for (const mode of ["playback", "record", "live"]) expect(isRecorderMode(mode)).toBe(true);
    for (const other of ["Playback", "", "replay", undefined, null, 1, ["live"], { toString: () => "live" }]) {
      expect(isRecorderMode(other)).toBe(false);
    }
  });

  it("is playback when unset, empty or blank", () => {
    expect(getTestMode({})).toBe("playback");
    expect(getTestMode({ TEST_MODE: "" })).toBe("playback");
    expect(getTestMode({ TEST_MODE: "   " })).toBe("playback");
  });

  it("reads process.env by default", () => {
    const restore = applyEnv(process.env, { TEST_MODE: "LIVE" });
    try {
      expect(getTestMode()).toBe("live");
    } finally {
      restore();
    }
  });

  it("refuses any other value, as a RangeError", () => {
    expect(() => getTestMode({ TEST_MODE: "playbackx" })).toThrow(RangeError);
    expect(() => getTestMode({ TEST_MODE: "re cord" })).toThrow(
      new RangeError('TEST_MODE must be one of "playback", "record" or "live" (got "re cord")'),
    );
  });
});

describe("the playback environment", () => {
  it("is a fake connection string with the fake key, and the fake endpoint", () => {
    expect(DEFAULT_FAKE_ENDPOINT).toBe("https://fake.webpubsub.azure.com");
    expect(defaultPlaybackEnv("https://f.example")).toEqual({
      AZURE_WEBPUBSUB_CONNECTION_STRING: `Endpoint=https://f.example;AccessKey=${FAKE_ACCESS_KEY};Version=1.0;`,
      AZURE_WEBPUBSUB_ENDPOINT: "https://f.example",
    });
    expect(FAKE_ACCESS_KEY).toHaveLength(44);
  });

  it("is set by applyEnv and restored after, a variable that was unset removed again", () => {
    const env: Record<string, string | undefined> = { KEPT: "k", CHANGED: "old" };
    const restore = applyEnv(env, { CHANGED: "new", ADDED: "a" });
    expect(env).toEqual({ KEPT: "k", CHANGED: "new", ADDED: "a" });
    restore();
    expect(env).toEqual({ KEPT: "k", CHANGED: "old" });
    expect(Object.hasOwn(env, "ADDED")).toBe(false);
  });
});

describe("two playback environments that overlap (concurrent tests)", () => {
  it("leave the real values in place whichever stops first", () => {
    for (const order of [
      [0, 1],
      [1, 0],
    ]) {
      const env: Record<string, string | undefined> = { CS: "real", KEPT: "k" };
      const restores = [applyEnv(env, { CS: "fake-a", ONLY_A: "a" }), applyEnv(env, { CS: "fake-b" })];
      for (const i of order) restores[i]!();
      expect(env, `stopped in order ${order}`).toEqual({ CS: "real", KEPT: "k" });
    }
  });

  it("a later one restores the value the variable had when it started, not the value before an earlier one", () => {
    const env: Record<string, string | undefined> = { CS: "real" };
    applyEnv(env, { CS: "fake" })();
    env.CS = "changed between the tests";
    applyEnv(env, { CS: "fake" })();
    expect(env.CS).toBe("changed between the tests");
  });

  it("while both run, the one started last holds a variable; once it stops, the other's value is back", () => {
    const env: Record<string, string | undefined> = { CS: "real" };
    const restoreA = applyEnv(env, { CS: "fake-a" });
    const restoreB = applyEnv(env, { CS: "fake-b" });
    expect(env.CS).toBe("fake-b");
    restoreB();
    expect(env.CS).toBe("fake-a");
    restoreB(); // a second call takes nothing back twice
    expect(env.CS).toBe("fake-a");
    restoreA();
    expect(env.CS).toBe("real");
  });
});

describe("record mode's view of the real environment", () => {
  const fakes = defaultPlaybackEnv("https://fake.example");
  const KEY = "S3cr3tKeyS3cr3tKeyS3cr3tKeyS3cr3tKeyS3cr3tK=";

  it("replaces a real connection string by the fake one, and its key by the fake key, as a secret", () => {
    const cs = `Endpoint=https://real.example;AccessKey=${KEY};Version=1.0;`;
    const result = sanitizingFromEnv({ AZURE_WEBPUBSUB_CONNECTION_STRING: cs }, fakes);
    expect(result.replacements).toEqual(
      new Map([
        [cs, fakes.AZURE_WEBPUBSUB_CONNECTION_STRING],
        [KEY, FAKE_ACCESS_KEY],
      ]),
    );
    expect(result.secrets).toEqual([KEY]);
    expect(result.hosts).toEqual(["real.example"]);
  });

  it("reads connection string keys in any case, trimmed, and each key kind", () => {
    for (const name of ["AccessKey", "accountkey", "SHAREDACCESSKEY"]) {
      const cs = `Endpoint = https://real.example ; ${name} = ${KEY} ;`;
      const result = sanitizingFromEnv({ CS: cs }, { CS: "fake" });
      expect(result.secrets).toEqual([KEY]);
      expect(result.hosts).toEqual(["real.example"]);
    }
    // other keys are no secrets; an empty key is none either
    expect(sanitizingFromEnv({ CS: "Endpoint=https://r.example;PrimaryKeyName=x;" }, { CS: "f" }).secrets).toEqual([]);
    expect(sanitizingFromEnv({ CS: "Endpoint=https://r.example;AccessKey=;" }, { CS: "f" }).secrets).toEqual([]);
  });

  it("adds the endpoint's host with the Port parameter, unless the endpoint names a port", () => {
    expect(sanitizingFromEnv({ CS: "Endpoint=http://localhost;Port=8080;AccessKey=k;" }, { CS: "f" }).hosts).toEqual([
      "localhost",
      "localhost:8080",
    ]);
    expect(
      sanitizingFromEnv({ CS: "Endpoint=http://localhost:7071;Port=8080;AccessKey=k;" }, { CS: "f" }).hosts,
    ).toEqual(["localhost:7071"]);
    // an endpoint without a scheme is still a host
    expect(sanitizingFromEnv({ CS: "Endpoint=real.example;AccessKey=k;" }, { CS: "f" }).hosts).toEqual([
      "real.example",
    ]);
    // an endpoint without a scheme that holds a URL further on is still read as a host
    expect(
      sanitizingFromEnv({ CS: "Endpoint=real.example/p?next=https://o.example;AccessKey=k" }, { CS: "f" }).hosts,
    ).toEqual(["real.example"]);
    // no endpoint, or one that is no URL: no host
    expect(sanitizingFromEnv({ CS: "AccessKey=k;Version=1.0" }, { CS: "f" }).hosts).toEqual([]);
    expect(sanitizingFromEnv({ CS: "Endpoint=http://[bad;AccessKey=k;" }, { CS: "f" }).hosts).toEqual([]);
  });

  it("reads a value as a connection string only with both = and ;", () => {
    // "=" without ";": a plain value, whose host counts only with a scheme
    const noSemicolon = sanitizingFromEnv({ V: "AccessKey=abc" }, { V: "f" });
    expect(noSemicolon).toEqual({ replacements: new Map([["AccessKey=abc", "f"]]), hosts: [], secrets: [] });
    const noEquals = sanitizingFromEnv({ V: "a;b" }, { V: "f" });
    expect(noEquals).toEqual({ replacements: new Map([["a;b", "f"]]), hosts: [], secrets: [] });
    // segments without a key (or without "=") are skipped; a value with no key at all is a plain value
    const keyless = sanitizingFromEnv({ V: "=x;y" }, { V: "f" });
    expect(keyless).toEqual({ replacements: new Map([["=x;y", "f"]]), hosts: [], secrets: [] });
    // a key-value part found: a connection string, so its host counts even without a scheme, its value none
    const cs = sanitizingFromEnv({ V: "=x;Endpoint=h.example" }, { V: "f" });
    expect(cs.hosts).toEqual(["h.example"]);
    // a segment without "=" names no key, even when it starts like one
    expect(sanitizingFromEnv({ V: "Endpoint=https://r.example;accesskeyZ" }, { V: "f" }).secrets).toEqual([]);
    // a URL holding ";" and "=" but no key=value part is a URL: its host counts
    expect(sanitizingFromEnv({ V: "https://real.example/a;=b" }, { V: "f" }).hosts).toEqual(["real.example"]);
  });

  it("takes the host of a URL variable, and nothing from a bare word", () => {
    expect(sanitizingFromEnv({ E: "https://real.example:8443/path" }, { E: "https://fake.example" }).hosts).toEqual([
      "real.example:8443",
    ]);
    expect(sanitizingFromEnv({ E: "WSS://Real.Example" }, { E: "f" }).hosts).toEqual(["real.example"]);
    expect(sanitizingFromEnv({ E: "real.example" }, { E: "https://fake.example" })).toEqual({
      replacements: new Map([["real.example", "https://fake.example"]]),
      hosts: [],
      secrets: [],
    });
    // a value that only holds a URL further on is no URL
    expect(sanitizingFromEnv({ E: "real.example/?next=https://o.example" }, { E: "f" }).hosts).toEqual([]);
    // a scheme-like prefix that is no URL: nothing
    expect(sanitizingFromEnv({ E: "https://" }, { E: "f" }).hosts).toEqual([]);
  });

  it("ignores variables unset, empty or already equal to their fake value, and variables without a fake", () => {
    const empty = { replacements: new Map(), hosts: [], secrets: [] };
    expect(sanitizingFromEnv({}, { E: "f" })).toEqual(empty);
    expect(sanitizingFromEnv({ E: "" }, { E: "f" })).toEqual(empty);
    expect(sanitizingFromEnv({ E: "f" }, { E: "f" })).toEqual(empty);
    expect(sanitizingFromEnv({ OTHER: "https://real.example" }, { E: "f" })).toEqual(empty);
  });
});
