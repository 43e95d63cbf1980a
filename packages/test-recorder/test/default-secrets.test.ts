// Secrets the built-in sanitizers remove with no option set, beyond headers, connection strings and JWTs: the
// signature of a shared access signature, the credential headers of storage copies and Event Grid, and keys or
// passwords answered as JSON properties (a key listing). Each stated with its other side: what stays.
import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { createRecorder, FAKE_ACCESS_KEY, parseRecording } from "../src/index.ts";
import {
  binaryMask,
  DEFAULT_SECRET_HEADERS,
  sasSignatureStep,
  secretHeadersStep,
  secretPropertiesStep,
} from "../src/sanitizers.ts";
import { ACCESS_KEY, tempDirPerTest } from "./helpers.ts";

const tmp = tempDirPerTest();
const SIG = "AbCdEf%2BgHiJkLmNoPqRsTuVwXyZ%3D";
const sasUrl = (sig: string) => `https://acct.blob.core.windows.net/c/b?sv=2024-08-04&se=2030-01-01&sp=r&sig=${sig}`;

describe("shared access signatures", () => {
  const step = sasSignatureStep();

  it("have their sig value replaced in URIs, headers and text, other parameters kept", () => {
    expect(step.uri!(`${sasUrl(SIG)}&x=1#f`)).toBe(`${sasUrl("Sanitized")}&x=1#f`);
    expect(step.uri!(`https://h.example/b?SIG=${SIG}`)).toBe("https://h.example/b?SIG=Sanitized");
    expect(step.header!("x-ms-copy-source", sasUrl(SIG))).toBe(sasUrl("Sanitized"));
    expect(step.text!(`see ${sasUrl(SIG)} now`)).toBe(`see ${sasUrl("Sanitized")} now`);
    // "&" written "\u0026" by a JSON encoder, in a body kept as text
    expect(step.text!(`{"u":"https://h/b?sv=1\\u0026sig=${SIG}\\u0026se=2"}`)).toBe(
      '{"u":"https://h/b?sv=1\\u0026sig=Sanitized\\u0026se=2"}',
    );
  });

  it("end at what closes a URL in markup or quotes", () => {
    expect(step.text!(`<a href="https://h/b?sig=abc">x</a> 'https://h/b?sig=def' <https://h/b?sig=ghi>`)).toBe(
      `<a href="https://h/b?sig=Sanitized">x</a> 'https://h/b?sig=Sanitized' <https://h/b?sig=Sanitized>`,
    );
  });

  it("leave parameters that only end or start with sig alone, and a sig that is not a query parameter", () => {
    const text = "https://h/b?xsig=1&signature=2&sigx=3 design=4 sig=5";
    expect(step.text!(text)).toBe(text);
  });

  it("inside a binary frame become a mask of the signature's length", () => {
    expect(step.binary!(`\u0001?sig=${SIG}&x`)).toBe(`\u0001?sig=${binaryMask(SIG.length)}&x`);
  });
});

describe("secret JSON properties", () => {
  it("keys become the fake key and passwords Sanitized, at any depth and in any case; the rest is kept", () => {
    const body = {
      value: [{ keyName: "primary", primaryKey: "k1", SecondaryKey: "k2" }],
      properties: { accessKey: "k3", password: "p", clientSecret: "s", name: "kept" },
      primaryKey: 5,
      secondaryKey: "",
      nested: { password: 7, clientSecret: "", list: [{ adminPassword: "p2" }] },
      primaryConnectionString: "kept here: the connection string step owns it",
    };
    secretPropertiesStep().json!(body);
    expect(body).toEqual({
      value: [{ keyName: "primary", primaryKey: FAKE_ACCESS_KEY, SecondaryKey: FAKE_ACCESS_KEY }],
      properties: { accessKey: FAKE_ACCESS_KEY, password: "Sanitized", clientSecret: "Sanitized", name: "kept" },
      primaryKey: 5,
      secondaryKey: "",
      nested: { password: 7, clientSecret: "", list: [{ adminPassword: "Sanitized" }] },
      primaryConnectionString: "kept here: the connection string step owns it",
    });
  });

  it("cover every name of a key or a password, whatever the case", () => {
    const keys = [
      "primaryKey",
      "secondaryKey",
      "accessKey",
      "accountKey",
      "sharedAccessKey",
      "primaryMasterKey",
      "secondaryMasterKey",
      "primaryReadonlyMasterKey",
      "secondaryReadonlyMasterKey",
      "storageAccountAccessKey",
    ];
    const passwords = ["password", "adminPassword", "clientSecret", "applicationSecret"];
    const body = Object.fromEntries(
      [...keys, ...passwords, "keyName", "passwordHint"].map((k) => [k.toUpperCase(), "x"]),
    );
    secretPropertiesStep().json!(body);
    expect(body).toEqual(
      Object.fromEntries([
        ...keys.map((k) => [k.toUpperCase(), FAKE_ACCESS_KEY]),
        ...passwords.map((k) => [k.toUpperCase(), "Sanitized"]),
        ["KEYNAME", "x"],
        ["PASSWORDHINT", "x"],
      ]),
    );
  });
});

describe("the secret headers added to the defaults", () => {
  it.each([
    "x-ms-copy-source-authorization",
    "X-MS-File-Rename-Source-Authorization",
    "subscription-key",
    "aeg-sas-key",
    "aeg-sas-token",
  ])("%s is replaced whole, in any case; a header of a similar name is kept", (name) => {
    const step = secretHeadersStep(DEFAULT_SECRET_HEADERS);
    expect(step.header!(name, "v")).toBe("Sanitized");
    expect(step.header!(`${name}-x`, "v")).toBe("v");
  });
});

describe("a record run with none of these options", () => {
  it("writes no SAS signature, copy-source credential or listed key, and the requests still match in playback", async () => {
    const recordingPath = tmp.path("defaults.json");
    const listKeys = JSON.stringify({ primaryKey: ACCESS_KEY, secondaryKey: `${ACCESS_KEY.slice(1)}Z`, keyName: "x" });
    const send = async (fetchFn: typeof fetch) => {
      const copy = await fetchFn(sasUrl(SIG), {
        method: "PUT",
        headers: { "x-ms-copy-source-authorization": "Bearer opaque-token", "aeg-sas-key": "eg-key" },
      });
      const keys = await fetchFn("https://wps.example/listKeys", { method: "POST" });
      return [await copy.text(), await keys.json()];
    };
    const recorder = await createRecorder(undefined, {
      mode: "record",
      recordingPath,
      env: {},
      fetch: async (input) =>
        String(input instanceof Request ? input.url : input).includes("listKeys")
          ? new Response(listKeys, { headers: { "content-type": "application/json" } })
          : new Response(`copied from ${sasUrl(SIG)}`, { headers: { "content-type": "text/plain" } }),
    });
    await send(recorder.fetch);
    await recorder.stop();
    const text = await readFile(recordingPath, "utf8");
    for (const secret of [SIG, "opaque-token", "eg-key", ACCESS_KEY, ACCESS_KEY.slice(1)]) {
      expect(text.includes(secret), secret).toBe(false);
    }
    const [copy, keys] = parseRecording(text).Entries;
    expect(copy!.RequestUri).toContain("sig=Sanitized");
    expect(copy!.RequestHeaders["x-ms-copy-source-authorization"]).toBe("Sanitized");
    expect(copy!.RequestHeaders["aeg-sas-key"]).toBe("Sanitized");
    expect(keys!.ResponseBody).toEqual({ primaryKey: FAKE_ACCESS_KEY, secondaryKey: FAKE_ACCESS_KEY, keyName: "x" });

    const play = await createRecorder(undefined, { mode: "playback", recordingPath, env: {} });
    const [copied, listed] = await send(play.fetch);
    await play.stop();
    expect(copied).toMatch(/^copied from https:\/\/fake\.webpubsub\.azure\.com\/c\/b\?.*&sig=Sanitized$/);
    expect(listed).toEqual({ primaryKey: FAKE_ACCESS_KEY, secondaryKey: FAKE_ACCESS_KEY, keyName: "x" });
  });
});
