// The public surface: one client factory, createWebPubSubRestClient; the bare generated factory stays internal.
import { describe, expect, it } from "vitest";
import * as rest from "../src/index.ts";

describe("exports", () => {
  it("has one client factory, createWebPubSubRestClient, and no bare generated factory or default export", () => {
    const names = Object.keys(rest);
    expect(names).toContain("createWebPubSubRestClient");
    expect(names.filter((n) => /^create.*Client$/.test(n))).toEqual(["createWebPubSubRestClient"]);
    expect(names).not.toContain("default");
  });

  it("keeps the generated run-time helpers public: isUnexpected and paginate", () => {
    expect(typeof rest.isUnexpected).toBe("function");
    expect(typeof rest.paginate).toBe("function");
  });
});
