// Drop-in rule: every public name of @azure/web-pubsub-client 1.1.0 whose concept exists here is exported under the
// same name, so code written for it compiles after changing only the import. Names whose concept does not exist are
// listed with the reason; a listed name that we start exporting must leave the list.
import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import { exportedNames } from "./export-names.ts";

const require = createRequire(import.meta.url);
const officialEntry = require
  .resolve("@azure/web-pubsub-client/package.json")
  .replace(/package\.json$/, "dist/esm/index.d.ts");
const ourEntry = new URL("../../src/index.ts", import.meta.url).pathname;

/** Official names without a concept here, and why. */
const NOT_HERE: Record<string, string> = {
  WebPubSubMessageBase: "the official messages share a `kind` base; ours are the wire format, discriminated by `type`",
  SetGroupStateMessage:
    "group state is not part of the public Web PubSub protocol, and the official client has no API for it",
  SubscribeGroupStateMessage: "group state (see SetGroupStateMessage)",
  UnsubscribeGroupStateMessage: "group state (see SetGroupStateMessage)",
  GroupStateItem: "group state (see SetGroupStateMessage)",
  GroupStateSnapshotMessage: "group state (see SetGroupStateMessage)",
  GroupStateUpdateMessage: "group state (see SetGroupStateMessage)",
};

describe("drop-in names", () => {
  const official = exportedNames(officialEntry);
  const ours = exportedNames(ourEntry);

  it("reads both entry points (the parser finds the names it should)", () => {
    expect(official.size).toBeGreaterThan(60);
    expect(official.has("WebPubSubClient")).toBe(true);
    expect(official.has("InvokeEventOptions")).toBe(true);
    expect(ours.has("WebPubSubClient")).toBe(true);
  });

  it("exports every official name except the listed ones", () => {
    const missing = [...official].filter((name) => !ours.has(name) && !(name in NOT_HERE)).sort();
    expect(missing).toEqual([]);
  });

  it("lists only names the official package has and we do not export", () => {
    const stale = Object.keys(NOT_HERE).filter((name) => !official.has(name) || ours.has(name));
    expect(stale).toEqual([]);
  });
});
