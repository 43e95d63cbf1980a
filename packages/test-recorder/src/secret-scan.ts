// The secret scan a record run makes before writing: configured secrets and JWTs anywhere in the sanitized file.
import type { SecretFinding } from "./errors.ts";
import type { RecordingFile } from "./recording-format.ts";
import { JWT_PATTERN } from "./sanitizers.ts";

const BASE64 = /^(?:[A-Za-z0-9+/]{4})+(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Base64 payload bytes as text (UTF-8; invalid bytes become U+FFFD, so ASCII secrets and JWTs still show). */
function decoded(base64: string): string {
  return Buffer.from(base64, "base64").toString("utf8");
}

function forms(secret: string): string[] {
  const json = JSON.stringify(secret).slice(1, -1);
  return [...new Set([secret, json, encodeURIComponent(secret)])];
}

function scanText(text: string, location: string, secrets: readonly string[], out: SecretFinding[]): void {
  secrets.forEach((secret, secretIndex) => {
    // An empty secret is in every text: it is skipped, and the others keep their index in the caller's list.
    if (secret === "") return;
    if (forms(secret).some((f) => text.includes(f))) out.push({ location, kind: "configured secret", secretIndex });
  });
  if (new RegExp(JWT_PATTERN.source).test(text)) out.push({ location, kind: "JWT" });
}

/**
 * Scans a sanitized recording for configured secrets (raw, JSON-escaped and URL-encoded) and for JWTs, reporting
 * each field they appear in, base64 bodies and binary frames decoded. Never returns the secrets themselves.
 */
export function scanRecording(file: RecordingFile, secrets: readonly string[]): SecretFinding[] {
  const findings: SecretFinding[] = [];
  file.Entries.forEach((entry, i) => {
    for (const [field, value] of Object.entries(entry)) {
      scanText(typeof value === "string" ? value : JSON.stringify(value), `Entries[${i}].${field}`, secrets, findings);
      // Binary bodies are stored as base64, where a secret would not show as text.
      if ((field === "RequestBody" || field === "ResponseBody") && typeof value === "string" && BASE64.test(value)) {
        scanText(decoded(value), `Entries[${i}].${field} (base64-decoded)`, secrets, findings);
      }
    }
  });
  for (const [name, value] of Object.entries(file.Variables)) {
    scanText(value, `Variables.${name}`, secrets, findings);
  }
  (file.WebSocketSessions ?? []).forEach((session, i) => {
    scanText(session.Url, `WebSocketSessions[${i}].Url`, secrets, findings);
    // Subprotocols travel in a header, where a service may take a token.
    scanText(JSON.stringify(session.Protocols), `WebSocketSessions[${i}].Protocols`, secrets, findings);
    scanText(session.Protocol, `WebSocketSessions[${i}].Protocol`, secrets, findings);
    session.Frames.forEach((frame, j) => {
      scanText(JSON.stringify(frame), `WebSocketSessions[${i}].Frames[${j}]`, secrets, findings);
      // Binary frames are stored as base64 too: a reconnection token inside a protobuf frame, or a key sent as bytes.
      if (typeof frame.Binary === "string") {
        scanText(decoded(frame.Binary), `WebSocketSessions[${i}].Frames[${j}] (base64-decoded)`, secrets, findings);
      }
    });
  });
  return findings;
}
