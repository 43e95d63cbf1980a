// Where a test's recording lives: the slug rules, the test file's base name, the hash over the exact names, and what a
// vitest context must hold (each refusal naming what is missing).
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { identityFromContext, recordingPathFor, slugify, type TaskLike, testFileBase } from "../src/recording-path.ts";

describe("slugs", () => {
  it("are lowercase ASCII words joined by _, accents dropped, ends trimmed", () => {
    expect(slugify("Sends Ünïcödé, to  a/b!")).toBe("sends_unicode_to_a_b");
    expect(slugify("__a__")).toBe("a");
    expect(slugify("-- a b --")).toBe("a_b");
    expect(slugify("ﬁle")).toBe("file"); // compatibility forms decomposed
  });

  it("are cut at 60 characters by default, or at the given length, never ending in _", () => {
    expect(slugify("x".repeat(60))).toBe("x".repeat(60));
    expect(slugify("x".repeat(61))).toBe("x".repeat(60));
    expect(slugify(`${"x".repeat(59)} y`)).toBe("x".repeat(59));
    expect(slugify("abc def", 4)).toBe("abc");
    expect(slugify("abcdef", 3)).toBe("abc");
  });

  it("are never empty", () => {
    expect(slugify("")).toBe("test");
    expect(slugify("___")).toBe("test");
    expect(slugify("日本")).toBe("test");
  });
});

describe("test file base names", () => {
  it("drop the folder, a .test or .spec part and the script extension", () => {
    expect(testFileBase("/a/b/hub.test.ts")).toBe("hub");
    expect(testFileBase("hub.spec.mjs")).toBe("hub");
    expect(testFileBase("hub.TEST.TSX")).toBe("hub");
    expect(testFileBase("hub.cjs")).toBe("hub");
    expect(testFileBase("hub.jsx")).toBe("hub");
    expect(testFileBase("hub.test.mts")).toBe("hub");
    expect(testFileBase("hub.data.json")).toBe("hub.data.json");
    expect(testFileBase("hub.test.ts.bak")).toBe("hub.test.ts.bak");
    expect(testFileBase("hubtest.ts")).toBe("hubtest");
  });
});

describe("recording paths", () => {
  const hash = (file: string, titles: string[]) =>
    createHash("sha256")
      .update([file, ...titles].join("\u0000"))
      .digest("hex")
      .slice(0, 10);

  it("end in the test slug and ten hex characters of a hash over the file name and the exact title chain", () => {
    const path = recordingPathFor({ testFile: "/r/t/hub.test.ts", titlePath: ["Suite A", "can send!"] });
    expect(path).toBe(`/r/t/recordings/hub/suite_a/can_send.${hash("hub.test.ts", ["Suite A", "can send!"])}.json`);
    // the folder is not part of the hash: the same test in another checkout has the same name
    expect(recordingPathFor({ testFile: "/elsewhere/hub.test.ts", titlePath: ["Suite A", "can send!"] })).toBe(
      `/elsewhere/recordings/hub/suite_a/can_send.${hash("hub.test.ts", ["Suite A", "can send!"])}.json`,
    );
    expect(recordingPathFor({ testFile: "/r/t/hub.test.ts", titlePath: ["only"] }, "/rec")).toBe(
      `/rec/hub/only.${hash("hub.test.ts", ["only"])}.json`,
    );
  });

  it("refuse an identity without a test file or a test name", () => {
    expect(() => recordingPathFor({ testFile: "", titlePath: ["t"] })).toThrow(
      new TypeError("testFile must be a non-empty string"),
    );
    expect(() => recordingPathFor({ testFile: 5 as unknown as string, titlePath: ["t"] })).toThrow(
      new TypeError("testFile must be a non-empty string"),
    );
    expect(() => recordingPathFor({ testFile: "/f.test.ts", titlePath: [] })).toThrow(
      new TypeError("titlePath must hold at least the test name"),
    );
    expect(() => recordingPathFor({ testFile: "/f.test.ts", titlePath: "t" as unknown as string[] })).toThrow(
      new TypeError("titlePath must hold at least the test name"),
    );
  });
});

describe("the vitest context", () => {
  const file = { filepath: "/r/hub.test.ts", name: "hub.test.ts" };
  const root: TaskLike = { name: "hub.test.ts", filepath: "/r/hub.test.ts" };

  it("gives the describe chain up to the file, outermost first", () => {
    const outer: TaskLike = { name: "outer", suite: root };
    const inner: TaskLike = { name: "inner", suite: outer };
    expect(identityFromContext({ task: { name: "t", suite: inner, file } })).toEqual({
      testFile: "/r/hub.test.ts",
      titlePath: ["outer", "inner", "t"],
    });
    // a suite with no name stands for the file too
    const unnamed: TaskLike = { name: "", suite: { name: "above" } };
    expect(identityFromContext({ task: { name: "t", suite: unnamed, file } }).titlePath).toEqual(["t"]);
    expect(identityFromContext({ task: { name: "t", file } }).titlePath).toEqual(["t"]);
  });

  it("may be a function object, as recent vitest versions hand it out", () => {
    const ctx = Object.assign(() => {}, { task: { name: "t", file } });
    expect(identityFromContext(ctx).titlePath).toEqual(["t"]);
  });

  it("refuses what is no context, a task without a name, and a task without a file", () => {
    const noContext = new TypeError("ctx must be a vitest test context (an object with a `task`)");
    expect(() => identityFromContext(null as never)).toThrow(noContext);
    expect(() => identityFromContext(undefined as never)).toThrow(noContext);
    expect(() => identityFromContext("ctx" as never)).toThrow(noContext);
    expect(() => identityFromContext({ task: null } as never)).toThrow(noContext);
    expect(() => identityFromContext({ task: "t" } as never)).toThrow(noContext);
    const noName = new TypeError("ctx.task.name must be a non-empty string");
    expect(() => identityFromContext({ task: { name: "", file } })).toThrow(noName);
    expect(() => identityFromContext({ task: { name: 1 } as never })).toThrow(noName);
    const noFile = /^ctx\.task\.file\.filepath must be set; pass `recordingPath` when not running under vitest$/;
    expect(() => identityFromContext({ task: { name: "t" } })).toThrow(noFile);
    expect(() => identityFromContext({ task: { name: "t", file: { filepath: "" } } })).toThrow(noFile);
  });
});
