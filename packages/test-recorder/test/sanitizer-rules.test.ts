// The sanitizers' rules, each stated with its other side: which headers are secret by default, what each user
// sanitizer reaches and what it leaves alone, connection string keys and JWTs in text and in binary frames, host
// names, and which bodies and frames are rewritten (text and JSON) or kept byte for byte (binary, unchanged JSON).
import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import {
  createRecorder,
  FAKE_ACCESS_KEY,
  parseRecording,
  type RecordEntry,
  type WebSocketSession,
} from "../src/index.ts";
import {
  binaryMask,
  compileSanitizer,
  connectionStringKeyStep,
  hostStep,
  jwtStep,
  literalStep,
  regexStep,
  type SanitizerStep,
  sanitizeEntry,
  sanitizeFrameBinary,
  sanitizeFrameText,
  sanitizeSession,
  secretHeadersStep,
  urlCredentialsStep,
} from "../src/sanitizers.ts";
import { ACCESS_KEY, signJwt, tempDirPerTest } from "./helpers.ts";

const tmp = tempDirPerTest();
const jwt = signJwt({ sub: "u" }, ACCESS_KEY);
const b64 = (s: string) => Buffer.from(s, "latin1").toString("base64");
const latin1 = (base64: string) => Buffer.from(base64, "base64").toString("latin1");

function entry(over: Partial<RecordEntry> = {}): RecordEntry {
  return {
    RequestUri: "https://h.example/api",
    RequestMethod: "POST",
    RequestHeaders: {},
    RequestBody: null,
    StatusCode: 200,
    ResponseHeaders: {},
    ResponseBody: null,
    ...over,
  };
}

function session(over: Partial<WebSocketSession>): WebSocketSession {
  return { Url: "wss://h.example/client", Protocols: [], Protocol: "", Frames: [], ...over };
}

describe("secret headers", () => {
  it("are replaced whole by default: credentials, cookies and API keys, request and response, any case", async () => {
    const recordingPath = tmp.path("headers.json");
    const secretRequest = {
      Authorization: "Bearer a",
      "Proxy-Authorization": "Basic b",
      Cookie: "c=1",
      "Ocp-Apim-Subscription-Key": "d",
      "api-key": "e",
      "X-API-KEY": "f",
      "x-functions-key": "g",
      "x-ms-encryption-key": "h",
    };
    const recorder = await createRecorder(undefined, {
      mode: "record",
      recordingPath,
      env: {},
      fetch: async () => new Response("ok", { headers: { "Set-Cookie": "s=1", "x-kept": "k" } }),
    });
    await recorder.fetch("https://h.example/api", { headers: { ...secretRequest, "x-kept": "k" } });
    await recorder.stop();
    const [recorded] = parseRecording(await readFile(recordingPath, "utf8")).Entries;
    for (const name of Object.keys(secretRequest)) {
      expect(recorded!.RequestHeaders[name.toLowerCase()], name).toBe("Sanitized");
    }
    expect(recorded!.RequestHeaders["x-kept"]).toBe("k");
    expect(recorded!.ResponseHeaders["set-cookie"]).toBe("Sanitized");
    expect(recorded!.ResponseHeaders["x-kept"]).toBe("k");
  });

  it("named by the caller are matched in any case", () => {
    const step = secretHeadersStep(["X-Secret"]);
    expect(step.header!("x-secret", "v")).toBe("Sanitized");
    expect(step.header!("X-SECRET", "v")).toBe("Sanitized");
    expect(step.header!("x-secrets", "v")).toBe("v");
  });
});

describe("user sanitizers", () => {
  const text = (step: SanitizerStep, s: string) => step.text!(s);

  it("replace every match, whether the pattern is a string or a RegExp with or without the g flag", () => {
    expect(text(compileSanitizer({ regex: "a" }, 0), "a-a")).toBe("Sanitized-Sanitized");
    expect(text(compileSanitizer({ regex: /a/ }, 0), "a-a")).toBe("Sanitized-Sanitized");
    expect(text(compileSanitizer({ regex: /a/g }, 0), "a-a")).toBe("Sanitized-Sanitized");
    // the pattern's own flags are kept
    expect(text(compileSanitizer({ regex: /a/i, value: "x" }, 0), "A-a")).toBe("x-x");
    expect(text(compileSanitizer({ regex: /a/gi, value: "x" }, 0), "A-a")).toBe("x-x");
    expect(text(compileSanitizer({ regex: "a", value: "" }, 0), "a-a")).toBe("-");
  });

  it("a header sanitizer with a regex rewrites that header only, and only the matching part", () => {
    const step = compileSanitizer({ header: "X-Token", regex: "t[0-9]+", value: "T" }, 0);
    const out = sanitizeEntry(
      entry({
        RequestUri: "https://h.example/api?q=t1",
        RequestHeaders: { "x-token": "a t1 b t22", Other: "t1", "Content-Type": "text/plain" },
        RequestBody: "t1",
      }),
      [step],
    );
    expect(out.RequestHeaders).toEqual({ "x-token": "a T b T", Other: "t1", "Content-Type": "text/plain" });
    expect(out.RequestUri).toBe("https://h.example/api?q=t1");
    expect(out.RequestBody).toBe("t1");
  });

  it("a uri sanitizer rewrites URIs only", () => {
    const step = compileSanitizer({ uri: "k=[a-z]+", value: "k=x" }, 0);
    const out = sanitizeEntry(
      entry({ RequestUri: "https://h.example/?k=abc&j=k=def", RequestHeaders: { h: "k=abc" } }),
      [step],
    );
    expect(out.RequestUri).toBe("https://h.example/?k=x&j=k=x");
    expect(out.RequestHeaders.h).toBe("k=abc");
  });

  it("are refused with an error naming the argument and the problem", () => {
    const refused = (s: unknown, message: string) =>
      expect(() => compileSanitizer(s as never, 3)).toThrow(new TypeError(message));
    refused(null, "sanitizers[3] must be an object");
    refused("regex", "sanitizers[3] must be an object");
    refused({ regex: "a", uri: "b" }, 'sanitizers[3] must have exactly one of "regex", "header", "jsonPath" or "uri"');
    refused(
      { jsonPath: "$.a", header: "h" },
      'sanitizers[3] must have exactly one of "regex", "header", "jsonPath" or "uri"',
    );
    refused({ header: 5 }, "sanitizers[3].header must be a non-empty header name");
    refused({ header: "" }, "sanitizers[3].header must be a non-empty header name");
    refused({ header: "h", regex: "" }, "sanitizers[3].regex must not be an empty pattern");
    refused({ header: "h", regex: 5 }, "sanitizers[3].regex must be a RegExp or a string pattern");
    refused({ uri: "" }, "sanitizers[3].uri must not be an empty pattern");
    refused({ regex: {} }, "sanitizers[3].regex must be a RegExp or a string pattern");
    refused({ regex: "a", value: null }, "sanitizers[3].value must be a string");
  });
});

describe("environment values", () => {
  it("are replaced literally, special characters included, and an empty value never", () => {
    const step = literalStep(
      "env",
      new Map([
        ["", "EMPTY"],
        ["a.b", "X"],
      ]),
    );
    expect(step.text!("a.b axb")).toBe("X axb");
    expect(literalStep("env", new Map([["", "EMPTY"]])).text?.("ab") ?? "ab").toBe("ab");
  });

  it("are replaced longest first, so a value never half-replaces a longer one", () => {
    const step = literalStep(
      "env",
      new Map([
        ["ab", "1"],
        ["abcd", "2"],
        ["abc", "3"],
      ]),
    );
    expect(step.text!("abcd abc ab")).toBe("2 3 1");
  });

  it("are replaced at every place in binary frames, by their UTF-8 bytes", () => {
    const step = literalStep("env", new Map([["kéy", "KÉY"]])); // both 4 bytes in UTF-8
    const bytes = Buffer.from("kéy|kéy", "utf8").toString("latin1");
    expect(Buffer.from(step.binary!(bytes), "latin1").toString("utf8")).toBe("KÉY|KÉY");
  });
});

describe("connection string keys and JWTs", () => {
  const key = "S3cr3tKey+/=";

  it("replace the key in any case, with blanks around =, up to ; quote, blank or &", () => {
    const step = connectionStringKeyStep();
    expect(step.text!(`Endpoint=x;accesskey = ${key};V=1`)).toBe(`Endpoint=x;accesskey = ${FAKE_ACCESS_KEY};V=1`);
    for (const end of [";", '"', "'", " ", "&"]) {
      expect(step.text!(`AccountKey=${key}${end}rest`)).toBe(`AccountKey=${FAKE_ACCESS_KEY}${end}rest`);
    }
    expect(step.text!(`SharedAccessSignature=${key}`)).toBe(`SharedAccessSignature=${FAKE_ACCESS_KEY}`);
  });

  it("replace the key of a URL-encoded connection string up to its encoded ; and leave the rest encoded", () => {
    const step = connectionStringKeyStep();
    const encoded = encodeURIComponent(`Endpoint=https://x;AccessKey=${key};Version=1.0;`);
    expect(encoded).toContain("AccessKey%3DS3cr3tKey%2B%2F%3D%3BVersion");
    expect(step.text!(`cs=${encoded}&b=1`)).toBe(
      `cs=Endpoint%3Dhttps%3A%2F%2Fx%3BAccessKey%3D${FAKE_ACCESS_KEY}%3BVersion%3D1.0%3B&b=1`,
    );
    expect(step.uri!(`https://h.example/?cs=accountkey%3d${key.replace(/[+/=]/g, encodeURIComponent)}%3b`)).toBe(
      `https://h.example/?cs=accountkey%3d${FAKE_ACCESS_KEY}%3b`,
    );
    // a plain key holding a % that starts no escape ends there; an encoded key ends at a & as a plain one does
    expect(step.text!(`AccessKey=${key}%zz`)).toBe(`AccessKey=${FAKE_ACCESS_KEY}%zz`);
    expect(step.text!(`AccessKey=${key}%a;`)).toBe(`AccessKey=${FAKE_ACCESS_KEY}%a;`);
    expect(step.text!(`AccessKey%3D${key}&x`)).toBe(`AccessKey%3D${FAKE_ACCESS_KEY}&x`);
  });

  it("replace a key inside a binary frame whatever its case, at every place, keeping the frame's length", () => {
    const secret = "k".repeat(44);
    const frame = `\u0001accesskey=${secret};ACCESSKEY=${secret}`;
    const out = connectionStringKeyStep().binary!(frame);
    expect(out).toBe(`\u0001accesskey=${FAKE_ACCESS_KEY};ACCESSKEY=${FAKE_ACCESS_KEY}`);
    // a key of another length: the whole match becomes a mask of its length
    const short = `\u0001AccessKey=abc;`;
    expect(connectionStringKeyStep().binary!(short)).toBe(`\u0001${binaryMask(13)};`);
  });

  it("a JWT whose header or payload JSON starts with whitespace is replaced too; two segments are no JWT", () => {
    const b64url = (json: string) => Buffer.from(json).toString("base64url");
    const step = jwtStep();
    for (const [header, payload] of [
      ['{ "alg": "HS256", "typ": "JWT" }', '{"sub":"u"}'],
      ['{\n  "alg": "HS256"\n}', '{\t"sub": "u"}'],
      ['{"alg":"HS256"}', '{\r\n"sub":"u"}'],
    ]) {
      const token = `${b64url(header as string)}.${b64url(payload as string)}.c2ln`;
      expect(step.text!(`token=${token};`)).toBe("token=Sanitized;");
    }
    expect(step.text!(`${b64url('{ "a": 1 }')}.${b64url('{ "b": 2 }')}`)).toBe(
      `${b64url('{ "a": 1 }')}.${b64url('{ "b": 2 }')}`,
    );
  });

  it("a JWT is replaced in URIs, headers and text; an access_token query value in URIs only", () => {
    const step = jwtStep();
    expect(step.uri!(`https://h.example/c?x=1&ACCESS_TOKEN=opaque#frag`)).toBe(
      "https://h.example/c?x=1&ACCESS_TOKEN=Sanitized#frag",
    );
    expect(step.uri!("https://h.example/c?access_token=a&b=2")).toBe("https://h.example/c?access_token=Sanitized&b=2");
    expect(step.uri!("https://h.example/c?my_access_token=a")).toBe("https://h.example/c?my_access_token=a");
    expect(step.header!("h", `Bearer ${jwt}`)).toBe("Bearer Sanitized");
    expect(step.text!("access_token=opaque")).toBe("access_token=opaque");
  });

  it("a user regex never rewrites binary frames; built-in ones do only when asked", () => {
    expect(regexStep("user", "a", "b").binary).toBeUndefined();
    expect(compileSanitizer({ regex: "a" }, 0).binary).toBeUndefined();
    expect(regexStep("built-in", "a", "b", true).binary!("aa")).toBe("bb");
  });
});

describe("URL credentials", () => {
  const step = urlCredentialsStep();

  it("the user part of a URL is replaced whole, password or not, in any scheme and any case", () => {
    expect(step.text!("proxy at http://alice:s3cr%40t!@proxy.example:8080/x")).toBe(
      "proxy at http://Sanitized@proxy.example:8080/x",
    );
    expect(step.text!("HTTPS://ghp_token@host.example/repo.git")).toBe("HTTPS://Sanitized@host.example/repo.git");
    expect(step.text!("amqps://u:p@a.example and wss://x:y@b.example")).toBe(
      "amqps://Sanitized@a.example and wss://Sanitized@b.example",
    );
    expect(step.uri!("https://u:p@h.example/a")).toBe("https://Sanitized@h.example/a");
    expect(step.header!("location", "https://u:p@h.example/a")).toBe("https://Sanitized@h.example/a");
    // applying it again changes nothing
    expect(step.text!("https://Sanitized@h.example")).toBe("https://Sanitized@h.example");
  });

  it("an @ after the host (path, query, fragment) or across a blank is not a user part", () => {
    for (const text of [
      "https://h.example/a@b",
      "https://h.example?mail=a@b.example",
      "https://h.example#a@b",
      "see https://h.example or mail bob@b.example",
      "mailto:bob@b.example",
      "user:pass@host.example",
      "https://@h.example",
    ]) {
      expect(step.text!(text), text).toBe(text);
    }
  });

  it("the recorder writes no password of a URL in a header, a body or a WebSocket URL", async () => {
    const recordingPath = tmp.path("url-credentials.json");
    const password = "hunter2-password";
    const recorder = await createRecorder(undefined, {
      mode: "record",
      recordingPath,
      env: {},
      fetch: async () =>
        new Response(JSON.stringify({ next: `https://svc:${password}@h.example/next` }), {
          headers: { "content-type": "application/json", location: `https://svc:${password}@h.example/a` },
        }),
    });
    await recorder.fetch("https://h.example/api");
    await recorder.stop();
    const text = await readFile(recordingPath, "utf8");
    expect(text).not.toContain(password);
    const [recorded] = parseRecording(text).Entries;
    expect(recorded!.ResponseHeaders.location).toMatch(/^https:\/\/Sanitized@/);
    expect(recorded!.ResponseBody).toEqual({ next: expect.stringMatching(/^https:\/\/Sanitized@/) });
  });

  it("inside a binary frame only the user part is masked, keeping the frame's length", () => {
    const frame = "\u0002\u0010https://user:pw@h.example\u0000";
    const out = latin1(sanitizeFrameBinary(b64(frame), [step]));
    expect(out).toBe(`\u0002\u0010https://${binaryMask(7)}@h.example\u0000`);
    expect(out.length).toBe(frame.length);
  });
});

describe("binary masks", () => {
  it("are Sanitized repeated and cut to the exact length", () => {
    expect(binaryMask(0)).toBe("");
    expect(binaryMask(1)).toBe("S");
    expect(binaryMask(9)).toBe("Sanitized");
    expect(binaryMask(10)).toBe("SanitizedS");
    expect(binaryMask(20)).toBe("SanitizedSanitizedSa");
  });
});

describe("host names", () => {
  it("every real host is replaced, with or without a scheme, the longest first", () => {
    const step = hostStep("https://fake.example", ["a.example", "a.example:8080", "b.example", "", "a.example"]);
    expect(step.text!("a.example:8080/x and b.example and http://a.example/y")).toBe(
      "fake.example/x and fake.example and https://fake.example/y",
    );
  });

  it("secure schemes follow the fake endpoint's: ws stays ws, http stays http", () => {
    const secure = hostStep("https://fake.example", ["real.example"]);
    expect(secure.text!("ws://real.example/a wss://real.example/b http://real.example/c")).toBe(
      "wss://fake.example/a wss://fake.example/b https://fake.example/c",
    );
    expect(secure.uri!("WS://other.example/x")).toBe("wss://fake.example/x");
    for (const fake of ["http://fake.example:8080", "ws://fake.example:8080"]) {
      const plain = hostStep(fake, ["real.example"]);
      expect(plain.text!("wss://real.example/a https://real.example/b")).toBe(
        "ws://fake.example:8080/a http://fake.example:8080/b",
      );
      expect(plain.uri!("https://other.example/x")).toBe("http://fake.example:8080/x");
      expect(plain.uri!("wss://other.example/x")).toBe("ws://fake.example:8080/x");
    }
  });

  it("the fake host itself and text without a real host are left as they are", () => {
    const step = hostStep("https://fake.example", ["fake.example"]);
    expect(step.text!("http://fake.example/x undefined")).toBe("http://fake.example/x undefined");
    const none = hostStep("https://fake.example", []);
    expect(none.text!("see http://x.example/ or undefined")).toBe("see http://x.example/ or undefined");
    expect(none.header!("h", "http://x.example/")).toBe("http://x.example/");
  });

  it("only the URI's own origin is replaced, not a URL inside its query", () => {
    const step = hostStep("https://fake.example", []);
    expect(step.uri!("http://real.example/a?next=http://other.example/b")).toBe(
      "https://fake.example/a?next=http://other.example/b",
    );
    expect(step.uri!("/a?next=http://other.example/b")).toBe("/a?next=http://other.example/b");
  });
});

describe("bodies", () => {
  const jsonPath = compileSanitizer({ jsonPath: "$.secret" }, 0);
  const userRegex = compileSanitizer({ regex: "secret" }, 1);

  it("text bodies are rewritten by the request's and the response's own content type", () => {
    const out = sanitizeEntry(
      entry({
        RequestHeaders: { "content-type": "text/plain" },
        RequestBody: "a secret",
        ResponseHeaders: { "Content-Type": "application/octet-stream" },
        ResponseBody: "c2VjcmV0",
      }),
      [userRegex],
    );
    expect(out.RequestBody).toBe("a Sanitized");
    expect(out.ResponseBody).toBe("c2VjcmV0");
    const reversed = sanitizeEntry(
      entry({
        RequestHeaders: { "content-type": "application/octet-stream" },
        RequestBody: "secret",
        ResponseHeaders: { "Content-Type": "text/plain" },
        ResponseBody: "a secret",
      }),
      [userRegex],
    );
    expect(reversed.RequestBody).toBe("secret");
    expect(reversed.ResponseBody).toBe("a Sanitized");
  });

  it("a base64 (binary) body is never rewritten, even where a pattern matches its text", () => {
    const out = sanitizeEntry(entry({ RequestBody: "secret" }), [userRegex, jsonPath]);
    expect(out.RequestBody).toBe("secret");
  });

  it("JSON paths apply to JSON text bodies only; unchanged JSON text keeps its formatting", () => {
    const json = { "content-type": "application/json" };
    const changed = sanitizeEntry(entry({ RequestHeaders: json, RequestBody: '{ "secret": 1, "b": 2 }' }), [jsonPath]);
    expect(changed.RequestBody).toBe('{"secret":"Sanitized","b":2}');
    const same = '{ "other": 1 }';
    expect(sanitizeEntry(entry({ RequestHeaders: json, RequestBody: same }), [jsonPath]).RequestBody).toBe(same);
    // text that is no JSON object or array is kept as it is
    for (const body of ["{not json", '"secret"', "5"]) {
      expect(sanitizeEntry(entry({ RequestHeaders: json, RequestBody: body }), [jsonPath]).RequestBody).toBe(body);
    }
    // JSON in a text/plain body is text: a JSON path does not apply
    const plain = '{"secret":1}';
    expect(
      sanitizeEntry(entry({ RequestHeaders: { "content-type": "text/plain" }, RequestBody: plain }), [jsonPath])
        .RequestBody,
    ).toBe(plain);
  });

  it("stored JSON bodies are rewritten in a copy: strings by text steps, values by JSON paths", () => {
    const original = entry({ ResponseBody: { secret: 5, note: "a secret", n: 1, b: true, z: null, list: ["secret"] } });
    const out = sanitizeEntry(original, [userRegex, jsonPath]);
    expect(out.ResponseBody).toEqual({
      secret: "Sanitized",
      note: "a Sanitized",
      n: 1,
      b: true,
      z: null,
      list: ["Sanitized"],
    });
    expect(original.ResponseBody).toEqual({ secret: 5, note: "a secret", n: 1, b: true, z: null, list: ["secret"] });
  });

  it("an empty body stays empty, and the method and status are kept", () => {
    const out = sanitizeEntry(entry({ RequestMethod: "PUT", StatusCode: 418 }), [userRegex, jsonPath]);
    expect(out).toEqual(entry({ RequestMethod: "PUT", StatusCode: 418 }));
  });
});

describe("WebSocket frames", () => {
  const jsonPath = compileSanitizer({ jsonPath: "$.secret" }, 0);

  it("JSON paths apply to JSON text frames; other text frames are kept", () => {
    expect(sanitizeFrameText('{"secret":"x","a":1}', [jsonPath])).toBe('{"secret":"Sanitized","a":1}');
    expect(sanitizeFrameText('{ "a" : 1 }', [jsonPath])).toBe('{ "a" : 1 }');
    expect(sanitizeFrameText("secret: x", [jsonPath])).toBe("secret: x");
    expect(sanitizeFrameText("[1]", [jsonPath])).toBe("[1]");
    expect(sanitizeFrameText("null", [jsonPath])).toBe("null");
  });

  it("a close reason is sanitized; an empty one stays empty", () => {
    const out = sanitizeSession(
      session({
        Frames: [
          { Direction: "Received", Event: "close", Code: 4000, Reason: `token ${jwt}` },
          { Direction: "Sent", Event: "close", Code: 1000, Reason: "" },
        ],
      }),
      [jwtStep()],
    );
    expect(out.Frames).toEqual([
      { Direction: "Received", Event: "close", Code: 4000, Reason: "token Sanitized" },
      { Direction: "Sent", Event: "close", Code: 1000, Reason: "" },
    ]);
  });

  it("an empty close reason stays empty even under a pattern that matches the empty string", () => {
    const frames = [{ Direction: "Received" as const, Event: "close" as const, Code: 1000, Reason: "" }];
    const out = sanitizeSession(session({ Frames: frames }), [compileSanitizer({ regex: "x*", value: "V" }, 0)]);
    expect(out.Frames[0]!.Reason).toBe("");
  });

  it("a binary frame without a secret is kept exactly as stored", () => {
    // unpadded base64 decodes the same but would be written back padded if re-encoded
    expect(sanitizeFrameBinary("AQI", [jwtStep()])).toBe("AQI");
    const withJwt = b64(`\u0001${jwt}`);
    expect(latin1(sanitizeFrameBinary(withJwt, [jwtStep()]))).toBe(`\u0001${binaryMask(jwt.length)}`);
  });
});
