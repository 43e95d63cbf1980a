// Rule: nothing the emulator shows (dashboard state and feed, log lines) contains a secret: the access key or any run
// of 8+ of its characters, a JWT, the value of a secret-looking URL parameter (access_token, code, sig, key, token,
// secret, password, ...; any case) or URL userinfo. Redaction runs over the whole text before it is cut to its display
// length: the dashboard once cut a message at 1,224 characters first, so a key straddling the cut was not recognized,
// and after several JWTs before it were replaced by "<token>", 40 of its 44 characters moved into the shown preview.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ActivityFeed } from "../src/activity-feed.ts";
import { type RunningEmulator, startEmulator } from "../src/index.ts";
import { MIN_SECRET_FRAGMENT, redactAndClip, redactSecrets } from "../src/redact.ts";
import { connect, hubNames, rest, sign } from "./helpers/clients.ts";
import { type HandlerServer, startHandlerServer } from "./upstream-fixtures/handler-server.ts";

const KEY = "K3yK3yK3yQWERTYUIOPasdfghjkl0123456789zxcvbn";
const hub = hubNames("redact");

/** Every run of MIN_SECRET_FRAGMENT characters of `key` that occurs in `text`. */
function keyFragments(text: string, key = KEY): string[] {
  const found: string[] = [];
  for (let i = 0; i + MIN_SECRET_FRAGMENT <= key.length; i++) {
    const w = key.slice(i, i + MIN_SECRET_FRAGMENT);
    if (text.includes(w)) found.push(w);
  }
  return found;
}

function jwt(payloadChars: number): string {
  return sign({ sub: "x".repeat(payloadChars), exp: 1 }, KEY);
}

/**
 * The text: JWTs, then the key placed so that it straddles the old 1,224-character cut (40 characters before
 * it). Replacing the JWTs by "<token>" shrank the cut text below 200 characters, so those 40 characters were shown.
 */
function keyAtTheCut(): string {
  let tokens = "";
  while (tokens.length < 1100) tokens += `${jwt(60)} `;
  return `${tokens}${"f".repeat(1224 - 40 - tokens.length)}${KEY} tail`;
}

describe("redactSecrets / redactAndClip", () => {
  it("the key at the 1,224-character cut behind several JWTs: no fragment of it is shown", () => {
    const text = keyAtTheCut();
    expect(text.indexOf(KEY)).toBe(1184);
    const shown = redactAndClip(text, 200, [KEY], false);
    expect(keyFragments(shown)).toEqual([]);
    expect(shown).not.toMatch(/eyJ/);
    expect(new ActivityFeed({ secrets: [KEY] }).scrub(text)).toBe(shown);
  });

  it(`a fragment of ${MIN_SECRET_FRAGMENT}+ key characters is hidden; ${MIN_SECRET_FRAGMENT - 1} are not`, () => {
    expect(redactAndClip(`x ${KEY.slice(3, 43)} y`, 200, [KEY])).toBe("x *** y");
    expect(redactAndClip(`x ${KEY.slice(10, 10 + MIN_SECRET_FRAGMENT)} y`, 200, [KEY])).toBe("x *** y");
    const seven = KEY.slice(10, 10 + MIN_SECRET_FRAGMENT - 1);
    expect(redactAndClip(`x ${seven} y`, 200, [KEY])).toBe(`x ${seven} y`);
  });

  it("hides secret URL parameters in any case, and userinfo; leaves other parameters alone", () => {
    const url =
      "https://user:pa55@fn.example/api/h?Code=c1&code=c2&sig=s1&SIG=s2&key=k1&apiKey=k2&token=t1&" +
      "secret=x1&client_secret=x2&password=p1&Password=p2&access_token=a1&keep=visible&event=connect";
    const out = redactSecrets(url);
    for (const secret of ["pa55", "user:", "c1", "c2", "s1", "s2", "k1", "k2", "t1", "x1", "x2", "p1", "p2", "a1"]) {
      expect(out, secret).not.toContain(`=${secret}`);
    }
    expect(out).not.toContain("user:pa55");
    expect(out).toContain("keep=visible");
    expect(out).toContain("event=connect");
    expect(out).toBe(
      "https://***@fn.example/api/h?Code=***&code=***&sig=***&SIG=***&key=***&apiKey=***&token=***&" +
        "secret=***&client_secret=***&password=***&Password=***&access_token=***&keep=visible&event=connect",
    );
    // connection strings too
    expect(redactSecrets(`Endpoint=http://h;AccessKey=${KEY};Version=1.0;`)).toBe(
      "Endpoint=http://h;AccessKey=***;Version=1.0;",
    );
  });

  it("costs linear time on a MiB of adversarial text (no regular expression backtracking)", () => {
    const MiB = 1 << 20;
    for (const text of [
      "eyJ-".repeat(MiB / 4),
      "a.".repeat(MiB / 2),
      "a://".repeat(MiB / 4),
      ` ${"token".repeat(MiB / 5)}`,
    ]) {
      const before = process.threadCpuUsage();
      redactAndClip(text, 200, [KEY]);
      const used = process.threadCpuUsage(before);
      expect((used.user + used.system) / 1000).toBeLessThan(100);
    }
  });
});

describe("through the emulator: dashboard and verbose logs", () => {
  let emu: RunningEmulator;
  let handler: HandlerServer;
  const lines: string[] = [];

  const SECRETS = ["fnpass", "FNCODE1", "FNSIG", "FNKEY", "FNTOKEN", "FNSECRET", "FNPASS"];

  beforeAll(async () => {
    handler = await startHandlerServer();
    const query = "?Code=FNCODE1&sig=FNSIG&Key=FNKEY&token=FNTOKEN&secret=FNSECRET&password=FNPASS";
    emu = await startEmulator({
      accessKey: KEY,
      dashboard: true,
      log: (line) => lines.push(line),
      hubs: {
        // secrets in the query (delivered), and in userinfo (fetch refuses such URLs: a failed call, also shown)
        _default: { eventHandlers: [{ urlTemplate: `${handler.base}/{event}${query}`, systemEvents: ["connected"] }] },
        creds: {
          eventHandlers: [
            { urlTemplate: `${handler.base.replace("//", "//fnuser:fnpass@")}/{event}`, systemEvents: ["connected"] },
          ],
        },
      },
    });
  });

  /** Connects a client to `h` and waits until the feed shows the upstream `connected` call for it. */
  async function connectedAndCalled(h: string) {
    const c = await connect(emu, h);
    for (;;) {
      const state = await (await fetch(`${emu.endpoint}/_emulator/state`)).json();
      const seen = (state.activity as { kind: string; connectionId?: string }[]).some(
        (e) => e.kind === "upstream" && e.connectionId === c.connectionId,
      );
      if (seen) return c;
      await new Promise((r) => setTimeout(r, 20));
    }
  }
  afterAll(async () => {
    await emu.close();
    await handler.close();
  });

  it("/_emulator/state shows no part of the key, no JWT and no handler URL secret", async () => {
    const h = hub();
    const c = await connectedAndCalled(h);
    await (await connectedAndCalled("creds")).close();
    // the message with the key at the old cut, through REST and as a close reason
    expect(
      (await rest(emu, "POST", `/api/hubs/${h}/:send`, { body: keyAtTheCut(), contentType: "text/plain" })).status,
    ).toBe(202);
    await c.message((m) => m.type === "message");
    const reason = encodeURIComponent(`bye ${KEY.slice(0, 40)} ${jwt(10)}`);
    expect((await rest(emu, "POST", `/api/hubs/${h}/:closeConnections?reason=${reason}`)).status).toBe(204);
    await c.closed;
    const state = await (await fetch(`${emu.endpoint}/_emulator/state`)).text();
    expect(state).toContain("fffff"); // the message is there
    expect(state).toContain('"kind":"upstream"'); // so is the handler call
    expect(keyFragments(state)).toEqual([]);
    expect(state).not.toMatch(/eyJ[A-Za-z0-9_-]{6}/);
    expect(state).toContain("***@127.0.0.1");
    for (const secret of SECRETS) expect(state, secret).not.toContain(secret);
  });

  it("log lines show no JWT sent in a REST query string, no handler URL secret and no part of the key", async () => {
    const h = hub();
    const token = sign({ sub: "u", exp: Math.floor(Date.now() / 1000) + 60 }, KEY);
    await rest(emu, "POST", `/api/hubs/${h}/:send?access_token=${token}&Token=${token}`, {
      body: `hello ${KEY}`,
      contentType: "text/plain",
    });
    await (await connectedAndCalled(h)).close();
    await (await connectedAndCalled("creds")).close();
    const all = lines.join("\n");
    expect(all).toMatch(/REST POST .*:send\?access_token=\*\*\*&Token=\*\*\*/);
    expect(all).toMatch(
      /upstream: connected event .*POST http:\/\/127\.0\.0\.1:\d+\/connected\?Code=\*\*\*&sig=\*\*\*/,
    );
    // the userinfo handler fails (fetch refuses credentials in URLs); its URL is shown redacted, also inside the error
    expect(all).toMatch(/upstream: abuse-protection validation of http:\/\/\*\*\*@127\.0\.0\.1/);
    expect(all).not.toContain(token);
    expect(all).not.toMatch(/eyJ[A-Za-z0-9_-]{6}/);
    expect(keyFragments(all)).toEqual([]);
    for (const secret of SECRETS) expect(all, secret).not.toContain(secret);
  });
});
