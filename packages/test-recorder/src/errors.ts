// The recorder's errors: a request the recording lacks, a missing recording, a secret about to be written.
import { capped } from "@webpubsub/core/shown";
import type { MatchResult, RequestPart } from "./matcher.ts";

/** What every recorder error has: the recording it concerns. `instanceof RecorderError` catches them all. */
export abstract class RecorderError extends Error {
  readonly recordingPath: string;
  constructor(message: string, recordingPath: string) {
    super(message);
    this.recordingPath = recordingPath;
  }
}

/** A request (or WebSocket frame) in playback that the recording does not contain. Fails the test. */
export class RecordingMismatchError extends RecorderError {
  override name = "RecordingMismatchError";
}

/** Playback was asked for a recording file that does not exist. */
export class RecordingNotFoundError extends RecorderError {
  override name = "RecordingNotFoundError";
  constructor(recordingPath: string) {
    super(
      `No recording at ${recordingPath}. Run the test once with TEST_MODE=record to create it, ` +
        "or TEST_MODE=live to run without recordings.",
      recordingPath,
    );
  }
}

/** A record run could not write its recording; the file keeps its previous content (if any). `cause` says why. */
export class RecordingWriteError extends RecorderError {
  override name = "RecordingWriteError";
  constructor(recordingPath: string, cause: unknown) {
    super(
      `Could not write the recording ${recordingPath}: ${cause instanceof Error ? cause.message : "unknown error"}. ` +
        "The file was left as it was.",
      recordingPath,
    );
    this.cause = cause;
  }
}

/** Where a secret was found: a JSON location such as `Entries[2].ResponseBody`, and what was found. */
export interface SecretFinding {
  location: string;
  kind: "configured secret" | "JWT";
  /** For configured secrets, the index in the list of secrets; the secret itself is never shown. */
  secretIndex?: number;
}

/** A record run found secrets in the sanitized recording and refused to write it. */
export class RecordingSecretError extends RecorderError {
  override name = "RecordingSecretError";
  readonly findings: SecretFinding[];
  constructor(recordingPath: string, findings: SecretFinding[]) {
    const lines = findings
      .slice(0, 10)
      .map((f) => `  - ${f.kind}${f.secretIndex === undefined ? "" : ` #${f.secretIndex}`} in ${f.location}`);
    super(
      `Refusing to write ${recordingPath}: ${findings.length} secret(s) survived sanitizing.\n${lines.join("\n")}\n` +
        "Add a sanitizer (regex, header, jsonPath or uri) that removes them.",
      recordingPath,
    );
    this.findings = findings;
  }
}

/** How much of one part of a request (its URI, body, a frame) an error shows before it cuts it short. */
export const SHOWN_PART = 300;

/** A part of a request or frame for an error message: whole when short, else its first SHOWN_PART characters and "…". */
export function shownPart(text: string): string {
  return capped(text, SHOWN_PART, false);
}

function describeRequest(r: RequestPart): string {
  let body = "";
  if (r.RequestBody !== null && r.RequestBody !== "") {
    const text = typeof r.RequestBody === "string" ? r.RequestBody : JSON.stringify(r.RequestBody);
    body = `\n    body: ${shownPart(text)}`;
  }
  return `    ${shownPart(r.RequestMethod)} ${shownPart(r.RequestUri)}${body}`;
}

/** Builds the error for an unmatched request: the request, the closest recorded entry and how they differ. */
export function mismatchError(
  request: RequestPart,
  result: Extract<MatchResult, { matched: false }>,
  entries: readonly RequestPart[],
  recordingPath: string,
): RecordingMismatchError {
  const parts = [
    `Unmatched request in playback (recording ${recordingPath}).`,
    "Request (sanitized):",
    describeRequest(request),
  ];
  const closest = result.closest;
  if (!closest) {
    parts.push("The recording has no entries.");
  } else {
    const entry = entries[closest.index]!;
    parts.push(
      `Closest recorded entry: #${closest.index}${closest.used ? " (already used by an earlier request)" : ""}`,
      describeRequest(entry),
    );
    if (closest.diffs.length === 0) {
      parts.push("It matches, but was already replayed: the request was sent more times than it was recorded.");
    } else {
      parts.push("Differences:", ...closest.diffs.map((d) => `    - ${d}`));
    }
  }
  parts.push("Re-record with TEST_MODE=record if the change is intended.");
  return new RecordingMismatchError(parts.join("\n"), recordingPath);
}
