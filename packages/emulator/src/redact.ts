// Secret redaction for everything the emulator shows: the dashboard's activity feed and the log lines. One rule for
// both: the access key (whole, and any fragment of 8 or more of its characters), anything shaped like a JWT, the
// values of secret-looking URL query parameters (access_token, code, sig, key, token, secret, password, ...; any case)
// and URL userinfo. Redaction runs over the whole text before it is cut to its display length, so cutting can never
// expose a part of a secret that the redaction would have caught.
import { capped } from "./bounded-text.ts";

/**
 * `name=value` where the name ends in a secret-looking word, after `?`, `&`, `;`, whitespace or the start:
 * `access_token=`, `code=`, `Code=`, `sig=`, `key=`, `AccessKey=`, `client_secret=`, `password=`, ...
 */
const SECRET_PARAM = /(^|[?&;\s])([A-Za-z0-9_.-]*(?:token|code|sig|signature|key|secret|password|pwd))=[^&;\s"'<>#]*/gi;
/** `://userinfo@`: user names and passwords in URLs (anchored on "://" so that every match attempt is short) */
const USERINFO = /:\/\/[^/\s@?#"'<>]+@/g;
/** Shortest run of a secret's characters that counts as a fragment of it. */
export const MIN_SECRET_FRAGMENT = 8;

/** `text` with every secret replaced (`***`, `<token>` for JWTs). Linear in the length of `text`. */
export function redactSecrets(text: string, secrets: readonly string[] = []): string {
  let s = text;
  for (const secret of secrets) if (secret.length > 0 && s.includes(secret)) s = s.split(secret).join("***");
  return replaceJwts(s.replace(SECRET_PARAM, "$1$2=***").replace(USERINFO, "://***@"));
}

/**
 * Replaces what looks like a JWT (`eyJ` at a word start or after a percent-escape, 6+ base64url characters, then up to
 * two `.`-separated parts) with `<token>`. A hand-written scan: a RegExp for this runs in V8's interpreter on its first calls, which
 * takes over 100 ms on a MiB of `eyJ-eyJ-...`.
 */
function replaceJwts(text: string): string {
  let out = "";
  let copied = 0;
  let at = text.indexOf("eyJ");
  while (at >= 0) {
    let end = at;
    // at a word start, also right after a percent-escape (`%20eyJ...` in a URL; 37 is '%')
    const afterEscape = at >= 3 && text.charCodeAt(at - 3) === 37;
    if (at === 0 || !isWordChar(text.charCodeAt(at - 1)) || afterEscape) {
      let i = at + 3;
      while (i < text.length && isBase64Url(text.charCodeAt(i))) i++;
      if (i - at - 3 >= 6) {
        for (let dots = 0; dots < 2 && text.charCodeAt(i) === 46 /* . */; dots++) {
          i++;
          while (i < text.length && isBase64Url(text.charCodeAt(i))) i++;
        }
        out += `${text.slice(copied, at)}<token>`;
        copied = i;
        end = i;
      }
    }
    at = text.indexOf("eyJ", Math.max(end, at + 1));
  }
  return copied === 0 ? text : out + text.slice(copied);
}

function isBase64Url(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 45 || c === 95;
}

function isWordChar(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
}

/**
 * Redacts `text`, then cuts it to `max` characters (see capped() for the marker), then hides any fragment of a secret
 * that is left (a text may carry a key with a few characters missing).
 */
export function redactAndClip(text: string, max: number, secrets: readonly string[] = [], counted = true): string {
  return hideFragments(capped(redactSecrets(text, secrets), max, counted), secrets);
}

/** Replaces every run of >= MIN_SECRET_FRAGMENT characters that also occurs in one of `secrets`. For short texts. */
export function hideFragments(text: string, secrets: readonly string[]): string {
  let covered: Uint8Array | undefined;
  for (const secret of secrets) {
    for (let k = 0; k + MIN_SECRET_FRAGMENT <= secret.length; k++) {
      const window = secret.slice(k, k + MIN_SECRET_FRAGMENT);
      for (let at = text.indexOf(window); at >= 0; at = text.indexOf(window, at + 1)) {
        covered ??= new Uint8Array(text.length);
        covered.fill(1, at, at + MIN_SECRET_FRAGMENT);
      }
    }
  }
  if (covered === undefined) return text;
  let out = "";
  let i = 0;
  while (i < text.length) {
    if (covered[i] === 1) {
      while (i < text.length && covered[i] === 1) i++;
      out += "***";
    } else {
      const start = i;
      while (i < text.length && covered[i] !== 1) i++;
      out += text.slice(start, i);
    }
  }
  return out;
}
