import * as core from "@webpubsub/core";
import { expect, test } from "vitest";

test("the package resolves from source", () => {
  expect(typeof core).toBe("object");
});
