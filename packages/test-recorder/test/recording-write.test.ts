// A record run writes its recording whole or not at all: a failure part-way through leaves the previous file byte
// for byte and no temporary file. File system failures are injected by wrapping node:fs/promises (a read-only folder
// does not stop root).
import { existsSync } from "node:fs";
import { readdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { basename, dirname } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createRecorder, parseRecording, RecorderError, RecordingWriteError } from "../src/index.ts";
import { tempDirPerTest } from "./helpers.ts";

vi.mock("node:fs/promises", async (importOriginal) => {
  const actual = await importOriginal<typeof import("node:fs/promises")>();
  return {
    ...actual,
    writeFile: vi.fn(actual.writeFile),
    rename: vi.fn(actual.rename),
    rm: vi.fn(actual.rm),
  };
});

const actual = await vi.importActual<typeof import("node:fs/promises")>("node:fs/promises");
const tmp = tempDirPerTest();

afterEach(() => {
  vi.mocked(writeFile).mockClear();
  vi.mocked(rename).mockClear();
  vi.mocked(rm).mockClear();
});

function fsError(code: string, message: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code}: ${message}`), { code });
}

/** Runs a record-mode recorder at `recordingPath` that saves `variables`, and returns its stop() promise. */
async function recordVariables(recordingPath: string, variables: Record<string, string>): Promise<void> {
  const recorder = await createRecorder(undefined, { mode: "record", recordingPath, env: {} });
  for (const [name, value] of Object.entries(variables)) recorder.variable(name, value);
  return recorder.stop();
}

/** A previous recording at `recordingPath`, and its bytes. */
async function previousRecording(recordingPath: string): Promise<Buffer> {
  await recordVariables(recordingPath, { old: "o".repeat(2000) });
  return readFile(recordingPath);
}

/** The next writeFile writes the first half of its text to its path, then fails as a full disk would. */
function failWriteHalfway(): NodeJS.ErrnoException {
  const failure = fsError("ENOSPC", "no space left on device, write");
  vi.mocked(writeFile).mockImplementationOnce(async (path, data, options) => {
    const text = String(data);
    await actual.writeFile(path, text.slice(0, text.length >> 1), options);
    throw failure;
  });
  return failure;
}

describe("a failed recording write", () => {
  it("leaves the previous recording byte for byte and no temporary file when the data fails part-way", async () => {
    const recordingPath = tmp.path("rec.json");
    const before = await previousRecording(recordingPath);
    const failure = failWriteHalfway();

    const error = await recordVariables(recordingPath, { fresh: "f".repeat(3000) }).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(RecordingWriteError);
    expect(error).toBeInstanceOf(RecorderError);
    const writeError = error as RecordingWriteError;
    expect(writeError.name).toBe("RecordingWriteError");
    expect(writeError.recordingPath).toBe(recordingPath);
    expect(writeError.cause).toBe(failure);
    expect(writeError.message).toBe(
      `Could not write the recording ${recordingPath}: ENOSPC: no space left on device, write. ` +
        "The file was left as it was.",
    );
    expect(await readFile(recordingPath)).toEqual(before);
    expect(await readdir(dirname(recordingPath))).toEqual(["rec.json"]);
  });

  it("leaves the previous recording and no temporary file when the rename over it fails", async () => {
    const recordingPath = tmp.path("rec.json");
    const before = await previousRecording(recordingPath);
    const failure = fsError("EPERM", "operation not permitted, rename");
    vi.mocked(rename).mockRejectedValueOnce(failure);

    const error = await recordVariables(recordingPath, { fresh: "f" }).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(RecordingWriteError);
    expect((error as Error).cause).toBe(failure);
    expect(await readFile(recordingPath)).toEqual(before);
    expect(await readdir(dirname(recordingPath))).toEqual(["rec.json"]);
  });

  it("creates no file at all when there was no previous recording", async () => {
    const recordingPath = tmp.path("new", "rec.json");
    failWriteHalfway();

    await expect(recordVariables(recordingPath, { fresh: "f".repeat(100) })).rejects.toThrow(RecordingWriteError);

    expect(await readdir(dirname(recordingPath))).toEqual([]);
  });

  it("names the recording when its folder cannot be made (a file stands in the way)", async () => {
    await actual.writeFile(tmp.path("blocker"), "not a folder");
    const recordingPath = tmp.path("blocker", "rec.json");

    const error = await recordVariables(recordingPath, {}).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(RecordingWriteError);
    expect((error as Error).message).toMatch(
      new RegExp(`^Could not write the recording ${recordingPath.replace(/[.\\]/g, "\\$&")}: (ENOTDIR|EEXIST)`),
    );
    expect(((error as Error).cause as NodeJS.ErrnoException).code).toMatch(/^(ENOTDIR|EEXIST)$/);
    expect(await readFile(tmp.path("blocker"), "utf8")).toBe("not a folder");
  });

  it("reports the write's error, not the removal's, when the temporary file cannot be removed either", async () => {
    const recordingPath = tmp.path("rec.json");
    const failure = failWriteHalfway();
    vi.mocked(rm).mockRejectedValueOnce(fsError("EBUSY", "resource busy or locked, rm"));

    const error = await recordVariables(recordingPath, { fresh: "f".repeat(100) }).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(RecordingWriteError);
    expect((error as Error).cause).toBe(failure);
    expect(existsSync(recordingPath)).toBe(false);
  });

  it("does not echo a thrown value that is not an Error", async () => {
    const recordingPath = tmp.path("rec.json");
    vi.mocked(writeFile).mockRejectedValueOnce({ secret: "x".repeat(10_000) });

    const error = await recordVariables(recordingPath, {}).catch((e: unknown) => e);

    expect((error as Error).message).toBe(
      `Could not write the recording ${recordingPath}: unknown error. The file was left as it was.`,
    );
  });
});

describe("a successful recording write", () => {
  it("replaces a longer previous recording whole, leaving no temporary file", async () => {
    const recordingPath = tmp.path("rec.json");
    await previousRecording(recordingPath);
    const reference = tmp.path("reference.json");
    await recordVariables(reference, { fresh: "f" });

    await recordVariables(recordingPath, { fresh: "f" });

    expect(await readFile(recordingPath)).toEqual(await readFile(reference));
    expect(parseRecording(await readFile(recordingPath, "utf8")).Variables).toEqual({ fresh: "f" });
    expect((await readdir(dirname(recordingPath))).sort()).toEqual(["reference.json", "rec.json"].sort());
  });

  it("goes through a new hidden .tmp file in the recording's folder, flushed to disk before it is renamed", async () => {
    const recordingPath = tmp.path("rec.json");
    await recordVariables(recordingPath, { fresh: "f" });

    expect(vi.mocked(writeFile)).toHaveBeenCalledTimes(1);
    const [temporary, , options] = vi.mocked(writeFile).mock.calls[0]!;
    expect(dirname(String(temporary))).toBe(dirname(recordingPath));
    expect(basename(String(temporary))).toMatch(new RegExp(`^\\.rec\\.json\\.${process.pid}-[0-9a-f]{12}\\.tmp$`));
    // "wx": a file already at that name is an error, never overwritten; flush: the data is on disk before the rename.
    expect(options).toEqual({ encoding: "utf8", flag: "wx", flush: true });
    expect(vi.mocked(rename)).toHaveBeenCalledWith(temporary, recordingPath);
  });

  it("two recorders writing the same recording at once each use their own temporary file; it ends whole", async () => {
    const recordingPath = tmp.path("rec.json");
    const runs: Record<string, string>[] = [{ a: "1".repeat(5000) }, { b: "2" }];

    await Promise.all(runs.map((variables) => recordVariables(recordingPath, variables)));

    const temporaries = vi.mocked(writeFile).mock.calls.map(([path]) => String(path));
    expect(new Set(temporaries).size).toBe(2);
    expect(runs).toContainEqual(parseRecording(await readFile(recordingPath, "utf8")).Variables);
    expect(await readdir(dirname(recordingPath))).toEqual(["rec.json"]);
  });
});
