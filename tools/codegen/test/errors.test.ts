// A malformed or unsupported spec fails with a SpecError naming the JSON pointer at fault.
import { describe, expect, it } from "vitest";
import { SpecError } from "../src/index.ts";
import { gen, getOp, ok, spec } from "./fixtures.ts";

function pointerOf(s: unknown): string {
  try {
    gen(s);
  } catch (e) {
    expect(e).toBeInstanceOf(SpecError);
    expect((e as SpecError).message.startsWith(`${(e as SpecError).pointer || "/"}: `)).toBe(true);
    return (e as SpecError).pointer;
  }
  throw new Error("expected a SpecError");
}

describe("spec errors", () => {
  it("rejects documents that are not Swagger 2.0", () => {
    expect(pointerOf([])).toBe("");
    expect(pointerOf({ openapi: "3.0.0" })).toBe("/swagger");
  });

  it("names a missing operationId", () => {
    expect(pointerOf(spec({ "/a/b": { get: { responses: ok } } }))).toBe("/paths/~1a~1b/get");
  });

  it("names a duplicate operationId", () => {
    const s = spec({ "/a": { get: getOp("Same") }, "/b": { get: getOp("Same") } });
    expect(pointerOf(s)).toBe("/paths/~1b/get/operationId");
  });

  it("names a dangling, external or circular $ref", () => {
    expect(pointerOf(spec({ "/a": { get: getOp("A", { parameters: [{ $ref: "#/parameters/Nope" }] }) } }))).toBe(
      "/paths/~1a/get/parameters/0/$ref",
    );
    expect(pointerOf(spec({ "/a": { get: getOp("A", { parameters: [{ $ref: "other.json#/p" }] }) } }))).toBe(
      "/paths/~1a/get/parameters/0/$ref",
    );
    const loop = spec(
      { "/a": { get: getOp("A", { parameters: [{ $ref: "#/parameters/X" }] }) } },
      { parameters: { X: { $ref: "#/parameters/Y" }, Y: { $ref: "#/parameters/X" } } },
    );
    expect(pointerOf(loop)).toBe("/parameters/Y/$ref");
  });

  it("names unsupported parameter locations and collection formats", () => {
    expect(
      pointerOf(spec({ "/a": { post: getOp("A", { parameters: [{ in: "formData", name: "f", type: "string" }] }) } })),
    ).toBe("/paths/~1a/post/parameters/0/in");
    const tsvLike = { in: "query", name: "q", type: "array", items: { type: "string" }, collectionFormat: "weird" };
    expect(pointerOf(spec({ "/a": { get: getOp("A", { parameters: [tsvLike] }) } }))).toBe(
      "/paths/~1a/get/parameters/0/collectionFormat",
    );
  });

  it("names path parameters that do not match the template", () => {
    expect(pointerOf(spec({ "/a/{id}": { get: getOp("A") } }))).toBe("/paths/~1a~1{id}/get");
    const extra = { in: "path", name: "other", required: true, type: "string" };
    expect(pointerOf(spec({ "/a": { get: getOp("A", { parameters: [extra] }) } }))).toBe("/paths/~1a/get/parameters/0");
  });

  it("names unsupported schema types and malformed schemas", () => {
    const s = spec(
      {
        "/a": { get: getOp("A", { responses: { "200": { description: "OK", schema: { $ref: "#/definitions/M" } } } }) },
      },
      { definitions: { M: { type: "object", properties: { when: { type: "datetime" } } } } },
    );
    expect(pointerOf(s)).toBe("/definitions/M/properties/when/type");
    const noItems = spec({
      "/a": { get: getOp("A", { responses: { "200": { description: "OK", schema: { type: "array" } } } }) },
    });
    expect(pointerOf(noItems)).toBe("/paths/~1a/get/responses/200/schema");
  });

  it("names a bad status code, an unknown method and a response list without success", () => {
    expect(pointerOf(spec({ "/a": { get: getOp("A", { responses: { "2xx": { description: "x" } } }) } }))).toBe(
      "/paths/~1a/get/responses/2xx",
    );
    expect(pointerOf(spec({ "/a": { fetch: getOp("A") } }))).toBe("/paths/~1a/fetch");
    const onlyErrors = { default: { description: "error" } };
    expect(pointerOf(spec({ "/a": { get: getOp("A", { responses: onlyErrors }) } }))).toBe("/paths/~1a/get/responses");
  });

  it("names a host template placeholder without a parameter", () => {
    const s = spec(
      { "/a": { get: getOp("A") } },
      { "x-ms-parameterized-host": { hostTemplate: "{nope}", parameters: [] } },
    );
    expect(pointerOf(s)).toBe("/x-ms-parameterized-host/hostTemplate");
  });

  // Rule: the route table matches a placeholder as a whole path segment, so a template it could never find is refused
  // at generation; whole-segment placeholders and literal segments are taken.
  it("names a path whose placeholder shares its segment with text", () => {
    for (const path of ["/files/{name}.json", "/a/x{id}", "/a/{id}{rev}", "/a/{id}/b{"]) {
      const param = { in: "path", name: "id", required: true, type: "string" };
      expect(pointerOf(spec({ [path]: { get: getOp("A", { parameters: [param] }) } })), path).toBe(
        `/paths/${path.replaceAll("/", "~1")}`,
      );
    }
    const param = { in: "path", name: "id", required: true, type: "string" };
    expect(() => gen(spec({ "/a/{id}/b.json": { get: getOp("A", { parameters: [param] }) } }))).not.toThrow();
  });

  it("names an x-ms-paths key without a query part", () => {
    const s = spec({ "/a": { get: getOp("A") } }, { "x-ms-paths": { "/b": { get: getOp("B") } } });
    expect(pointerOf(s)).toBe("/x-ms-paths/~1b");
  });
});

describe("spec errors echo a spec value bounded", () => {
  function messageOf(s: unknown): string {
    try {
      gen(s);
    } catch (e) {
      return (e as SpecError).message;
    }
    throw new Error("expected a SpecError");
  }
  const huge = `${"h".repeat(64)}${"i".repeat(100_000)}`;

  it("a string where an object belongs is quoted by its first 64 characters; a short one whole", () => {
    const long = messageOf(spec({ "/a": { get: getOp("A", { parameters: [huge] }) } }));
    expect(long).toContain(`got string "${"h".repeat(64)}"...`);
    expect(long.length).toBeLessThan(300);
    expect(messageOf(spec({ "/a": { get: getOp("A", { parameters: ["p"] }) } }))).toContain('got string "p"');
  });

  it("an unsupported response header type is shown bounded", () => {
    const op = (type: string) =>
      spec({
        "/a": { get: { ...getOp("A"), responses: { 200: { description: "ok", headers: { "x-h": { type } } } } } },
      });
    const long = messageOf(op(huge));
    expect(long).toContain(`unsupported header type: string "${"h".repeat(64)}"...`);
    expect(long.length).toBeLessThan(300);
    expect(messageOf(op("file"))).toContain('unsupported header type: string "file"');
  });
});
