// The abuse-protection memory end to end: the invoker validates each expanded URL of a {hub} template once, within the
// bound of remembered URLs. Apart from upstream-validation.test.ts because it runs 1,001 real validations (about 10 s):
// abuse-protection.test.ts states the same bound on the cache directly.
import { describe, expect, it } from "vitest";
import { MAX_REMEMBERED_URLS } from "../src/upstream/abuse-protection.ts";
import { upstreamHarness } from "./helpers/upstream.ts";
import { makeContext } from "./upstream-fixtures/handler-server.ts";

const { server, invokerFor } = upstreamHarness();

describe("abuse-protection validation through the invoker", () => {
  it(`remembers the validations of the last ${MAX_REMEMBERED_URLS} URLs: an older one is validated again`, async () => {
    // a {hub} template validates one URL per hub, and hub names come from clients: the memory of them is bounded
    const hs = await server();
    const { invoker } = invokerFor(hs);
    const send = (hub: string) => invoker.userEvent(makeContext({ hub }), "a", { dataType: "text", data: "1" });
    const validations = () => hs.requests.filter((r) => r.method === "OPTIONS").length;
    for (let i = 0; i < MAX_REMEMBERED_URLS; i++) await send(`h${i}`);
    await send("h0");
    expect(validations()).toBe(MAX_REMEMBERED_URLS); // all still remembered
    await send("hNew"); // one more URL: the oldest, h0, is forgotten
    await send(`h${MAX_REMEMBERED_URLS - 1}`);
    expect(validations()).toBe(MAX_REMEMBERED_URLS + 1);
    await send("h0");
    expect(validations()).toBe(MAX_REMEMBERED_URLS + 2);
  }, 120_000);
});
