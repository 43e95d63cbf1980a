// Rule: no event handler answer blocks the emulator for long. An answer is read up to 1 MiB by default (the bound of a
// client frame and of a REST body): a connect answer's JSON is parsed and its groups joined in one turn, a user event's
// reply parsed and re-encoded for the client. A connect answer lists at most MAX_ANSWER_GROUPS groups (joined in one
// turn) and MAX_ANSWER_ROLES roles (every permission check of the connection runs its wildcard patterns, each compiled
// once when the connection is made). Before, a 15 MiB answer listing 1.6 million
// groups took 2.8 s of CPU in one turn, a 15 MiB JSON reply 0.75 s, and 1 MiB of wildcard roles made every joinGroup
// check take 0.23 s (test/event-loop-bounds measures such turns; here the bounds are counted).
import { describe, expect, it } from "vitest";
import { MAX_ANSWER_GROUPS, MAX_ANSWER_ROLES } from "../src/upstream/connect-event.ts";
import { DEFAULT_MAX_RESPONSE_BYTES } from "../src/upstream/upstream-invoker.ts";
import { upstreamHarness } from "./helpers/upstream.ts";
import { connectBody, makeContext, type Responder } from "./upstream-fixtures/handler-server.ts";

const { handler, invokerFor } = upstreamHarness();

function answer(contentType: string, body: string): Responder {
  return (_req, res) => {
    res.setHeader("Content-Type", contentType);
    res.end(body);
  };
}

describe("the size of an answer", () => {
  it("is 1 MiB by default: a reply of exactly 1 MiB is taken, one byte more fails the event", async () => {
    expect(DEFAULT_MAX_RESPONSE_BYTES).toBe(1024 * 1024);
    const at = await handler(answer("text/plain", "x".repeat(DEFAULT_MAX_RESPONSE_BYTES)));
    const taken = await invokerFor(at).invoker.userEvent(makeContext(), "e", { dataType: "text", data: "x" });
    expect(taken).toMatchObject({ kind: "ok", reply: { dataType: "text" } });
    expect((taken as { reply: { data: string } }).reply.data).toHaveLength(DEFAULT_MAX_RESPONSE_BYTES);

    const over = await handler(answer("text/plain", "x".repeat(DEFAULT_MAX_RESPONSE_BYTES + 1)));
    expect(await invokerFor(over).invoker.userEvent(makeContext(), "e", { dataType: "text", data: "x" })).toMatchObject(
      { kind: "error", message: expect.stringMatching(/exceeds the 1048576-byte limit/) },
    );
  });
});

describe("the lists of a connect answer", () => {
  const names = (n: number, prefix: string) => Array.from({ length: n }, (_, i) => `${prefix}${i}`);

  it.each([
    ["groups", MAX_ANSWER_GROUPS, (n: number) => names(n, "g")],
    ["roles", MAX_ANSWER_ROLES, (n: number) => names(n, "webpubsub.joinLeaveGroups.room").map((r) => `${r}-*`)],
  ] as const)("%s: %i are taken, one more refuses the client with 500, naming the list", async (list, max, make) => {
    const at = await handler(answer("application/json", JSON.stringify({ [list]: make(max) })));
    const taken = await invokerFor(at).invoker.connect(makeContext(), connectBody());
    expect(taken).toMatchObject({ kind: "accept" });
    expect((taken as unknown as Record<string, string[]>)[list]).toHaveLength(max);

    const over = await handler(answer("application/json", JSON.stringify({ [list]: make(max + 1) })));
    expect(await invokerFor(over).invoker.connect(makeContext(), connectBody())).toEqual({
      kind: "reject",
      status: 500,
      message: `connect event handler answered 200 with an invalid body: ${list} lists more than ${max.toLocaleString("en-US")} entries`,
    });
  });
});
