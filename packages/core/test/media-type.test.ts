// One media-type rule for every package that reads a body by its Content-Type.
import { isJsonMediaType, mediaType } from "@webpubsub/core";
import { describe, expect, test } from "vitest";

describe("mediaType", () => {
  test.each([
    ["text/plain; charset=UTF-8;", "text/plain"],
    ["  Application/JSON ", "application/json"],
    ["application/octet-stream", "application/octet-stream"],
    [";charset=utf-8", ""],
    ["", ""],
    [null, ""],
    [undefined, ""],
  ])("%j -> %j (parameters dropped, lower-cased, trimmed)", (input, expected) => {
    expect(mediaType(input)).toBe(expected);
  });
});

describe("isJsonMediaType", () => {
  test.each([
    "application/json",
    "application/json; charset=utf-8",
    "APPLICATION/JSON",
    "application/cloudevents+json",
    "application/problem+json; charset=utf-8",
  ])("%j carries JSON", (type) => {
    expect(isJsonMediaType(type)).toBe(true);
  });

  test.each([
    "text/json",
    "application/jsonx",
    "application/json-seq",
    "text/plain",
    "application/octet-stream",
    "",
    null,
    "application/+jsonx",
  ])("%j does not", (type) => {
    expect(isJsonMediaType(type)).toBe(false);
  });
});
