import { describe, expect, it } from "vitest";
import { FAKE_ACCESS_KEY, type RecordEntry } from "../src/index.ts";
import { compileJsonPath, replaceAtJsonPath } from "../src/json-path.ts";
import {
  compileSanitizer,
  connectionStringKeyStep,
  hostStep,
  jwtStep,
  literalStep,
  regexStep,
  sanitizeEntry,
  sanitizeSession,
  secretHeadersStep,
} from "../src/sanitizers.ts";
import { ACCESS_KEY, signJwt } from "./helpers.ts";

const jwt = signJwt({ aud: "https://x/client/hubs/chat", sub: "u" }, ACCESS_KEY);

function entry(over: Partial<RecordEntry> = {}): RecordEntry {
  return {
    RequestUri: "http://127.0.0.1:5555/api/hubs/chat/:send?api-version=2024-12-01",
    RequestMethod: "POST",
    RequestHeaders: { Authorization: `Bearer ${jwt}`, "Content-Type": "application/json", "x-custom": "keep" },
    RequestBody: { note: `token ${jwt}`, nested: { cs: `Endpoint=https://a.b;AccessKey=${ACCESS_KEY};Version=1.0;` } },
    StatusCode: 200,
    ResponseHeaders: { "Content-Type": "application/json", Location: "http://127.0.0.1:5555/api/next" },
    ResponseBody: { nextLink: "http://127.0.0.1:5555/api/hubs/chat?page=2", token: jwt, connectionId: "abc123" },
    ...over,
  };
}

describe("built-in sanitizers", () => {
  const builtIns = [
    secretHeadersStep(["authorization"]),
    connectionStringKeyStep(),
    jwtStep(),
    hostStep("https://fake.example.com", ["127.0.0.1:5555"]),
  ];

  it("replace secret headers, connection string keys, JWTs anywhere and host names", () => {
    const out = sanitizeEntry(
      entry({ RequestUri: `http://127.0.0.1:5555/client/hubs/chat?access_token=${jwt}&x=1` }),
      builtIns,
    );
    expect(out.RequestUri).toBe("https://fake.example.com/client/hubs/chat?access_token=Sanitized&x=1");
    expect(out.RequestHeaders.Authorization).toBe("Sanitized");
    expect(out.RequestHeaders["x-custom"]).toBe("keep");
    expect(out.RequestBody).toEqual({
      note: "token Sanitized",
      nested: { cs: `Endpoint=https://a.b;AccessKey=${FAKE_ACCESS_KEY};Version=1.0;` },
    });
    expect(out.ResponseHeaders.Location).toBe("https://fake.example.com/api/next");
    expect(out.ResponseBody).toEqual({
      nextLink: "https://fake.example.com/api/hubs/chat?page=2",
      token: "Sanitized",
      connectionId: "abc123",
    });
    expect(JSON.stringify(out)).not.toContain(ACCESS_KEY);
  });

  it("sanitize access_token even when it is not a JWT, and leave base64 bodies alone", () => {
    const out = sanitizeEntry(
      entry({
        RequestUri: "https://h/client?access_token=opaque-value&b=2",
        RequestHeaders: { "Content-Type": "application/octet-stream" },
        RequestBody: "AAAAAAAAAAAAAA==",
      }),
      builtIns,
    );
    expect(out.RequestUri).toBe("https://fake.example.com/client?access_token=Sanitized&b=2");
    expect(out.RequestBody).toBe("AAAAAAAAAAAAAA==");
  });

  it("replaces short host names only as whole tokens", () => {
    const step = hostStep("https://fake.example.com", ["e"]);
    expect(step.text!("send e to e.g. the endpoint at e:80 or https://e/x")).toBe(
      "send fake.example.com to e.g. the endpoint at fake.example.com:80 or https://fake.example.com/x",
    );
  });

  it("replaces real environment values literally, longest first", () => {
    const step = literalStep(
      "env",
      new Map([
        ["abc", "X"],
        ["abcdef", "LONG"],
      ]),
    );
    expect(step.text!("abcdef abc")).toBe("LONG X");
  });

  it("sanitizes WebSocket URLs and text frames, keeping binary frames", () => {
    const session = sanitizeSession(
      {
        Url: `ws://127.0.0.1:5555/client/hubs/chat?access_token=${jwt}`,
        Protocols: ["json.webpubsub.azure.v1"],
        Protocol: "json.webpubsub.azure.v1",
        Frames: [
          { Direction: "Received", Event: "message", Text: `{"token":"${jwt}","url":"http://127.0.0.1:5555/x"}` },
          { Direction: "Received", Event: "message", Binary: "AQID" },
        ],
      },
      builtIns,
    );
    expect(session.Url).toBe("wss://fake.example.com/client/hubs/chat?access_token=Sanitized");
    expect(session.Frames[0]!.Text).toBe('{"token":"Sanitized","url":"https://fake.example.com/x"}');
    expect(session.Frames[1]!.Binary).toBe("AQID");
  });
});

describe("user sanitizers", () => {
  it("regex, header, JSON path and URI sanitizers each rewrite their part", () => {
    const steps = [
      compileSanitizer({ regex: /abc(\d+)/, value: "conn$1" }, 0),
      compileSanitizer({ header: "X-Custom", value: "hidden" }, 1),
      compileSanitizer({ header: "Content-Type", regex: "json", value: "JSON" }, 2),
      compileSanitizer({ jsonPath: "$..note" }, 3),
      compileSanitizer({ uri: "api-version=[^&]+", value: "api-version=x" }, 4),
    ];
    const out = sanitizeEntry(
      entry({ RequestHeaders: { "x-custom": "secret", "Content-Type": "application/json" } }),
      steps,
    );
    expect(out.ResponseBody).toMatchObject({ connectionId: "conn123" });
    expect(out.RequestHeaders["x-custom"]).toBe("hidden");
    expect(out.RequestHeaders["Content-Type"]).toBe("application/JSON");
    expect(out.RequestBody).toMatchObject({ note: "Sanitized" });
    expect(out.RequestUri).toContain("api-version=x");
  });

  it("run after the built-in sanitizers, in the order given", () => {
    const steps = [
      secretHeadersStep(["authorization"]),
      jwtStep(),
      // sees the built-ins' output...
      compileSanitizer({ regex: "Sanitized", value: "REDACTED" }, 0),
      // ...and each user sanitizer sees the previous one's output
      compileSanitizer({ regex: "REDACTED", value: "gone" }, 1),
    ];
    const out = sanitizeEntry(entry(), steps);
    expect(out.RequestHeaders.Authorization).toBe("gone");
    expect((out.ResponseBody as { token: string }).token).toBe("gone");

    const reversed = [
      compileSanitizer({ regex: "REDACTED", value: "gone" }, 0),
      compileSanitizer({ regex: "Sanitized", value: "REDACTED" }, 1),
    ];
    const out2 = sanitizeEntry(sanitizeEntry(entry(), [secretHeadersStep(["authorization"])]), reversed);
    expect(out2.RequestHeaders.Authorization).toBe("REDACTED");
  });

  it("reject malformed sanitizers naming the argument", () => {
    expect(() => compileSanitizer({ regex: "" }, 2)).toThrow(/sanitizers\[2\]\.regex must not be an empty pattern/);
    expect(() => compileSanitizer({ header: "" }, 0)).toThrow(/sanitizers\[0\]\.header/);
    expect(() => compileSanitizer({ uri: "x", value: 3 as unknown as string }, 1)).toThrow(/sanitizers\[1\]\.value/);
    expect(() => compileSanitizer({} as never, 0)).toThrow(/exactly one of/);
    expect(() => regexStep("r", 5 as unknown as string, "")).toThrow(TypeError);
  });
});

describe("JSON paths", () => {
  it("select keys, indexes, wildcards and descendants", () => {
    const doc = { a: { b: [{ c: 1 }, { c: 2 }], "d e": 3 }, c: 4 };
    const run = (path: string) => {
      const copy = structuredClone(doc);
      const n = replaceAtJsonPath(copy, compileJsonPath(path), "X");
      return { n, copy };
    };
    expect(run("$.a.b[1].c")).toEqual({ n: 1, copy: { a: { b: [{ c: 1 }, { c: "X" }], "d e": 3 }, c: 4 } });
    expect(run("$.a.b[*].c").n).toBe(2);
    expect(run("$..c").n).toBe(3);
    expect(run("$.a['d e']").copy.a["d e"]).toBe("X");
    expect(run("$.*").n).toBe(2);
    expect(run("$.missing.x").n).toBe(0);
    expect(() => compileJsonPath("$.a[?(@.x)]")).toThrow(/unsupported selector/);
    expect(() => compileJsonPath("a.b")).toThrow(/starting with "\$"/);
  });
});
