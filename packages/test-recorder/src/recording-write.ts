// Writing a recording file whole or not at all: a temporary file beside it, flushed, then renamed over it.
import { randomBytes } from "node:crypto";
import { mkdir, rename, rm, writeFile } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { RecordingWriteError } from "./errors.ts";

/**
 * A name for the temporary copy of `recordingPath`, in the same folder (so the rename stays on one file system) and
 * unique to this process and this write (so writers of the same recording never share one). Its `.tmp` ending is no
 * recording name.
 */
function temporaryPathFor(recordingPath: string): string {
  const unique = `${process.pid}-${randomBytes(6).toString("hex")}`;
  return join(dirname(recordingPath), `.${basename(recordingPath)}.${unique}.tmp`);
}

/**
 * Writes `text` to `recordingPath` so that the file holds either its previous content or all of `text`, never a
 * part: the text goes to a new temporary file (flushed to disk before it is closed), which is then renamed over the
 * recording. On any failure the temporary file is removed and a RecordingWriteError naming the recording is thrown,
 * with the file system's error as its cause.
 */
export async function writeRecordingFile(recordingPath: string, text: string): Promise<void> {
  const temporary = temporaryPathFor(recordingPath);
  try {
    await mkdir(dirname(recordingPath), { recursive: true });
    // "wx": never open a file that already exists, so an unexpected one is an error rather than overwritten.
    await writeFile(temporary, text, { encoding: "utf8", flag: "wx", flush: true });
    await rename(temporary, recordingPath);
  } catch (error) {
    // The write's error is the one to report: a failed removal (none was made, or it cannot be removed) must not hide it.
    await rm(temporary).catch(() => undefined);
    throw new RecordingWriteError(recordingPath, error);
  }
}
