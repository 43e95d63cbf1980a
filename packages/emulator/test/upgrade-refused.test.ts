// Rule: a handshake refusal's message is bounded when the refusal is made (512 characters, then a count of what was
// cut), so every place it goes (the HTTP answer, a CONNACK reason, a log line) gets the bounded text.
import { describe, expect, it } from "vitest";
import { UpgradeRefused } from "../src/ws/refusal.ts";

describe("UpgradeRefused", () => {
  it("keeps a message of exactly 512 characters whole", () => {
    const message = "m".repeat(512);
    expect(new UpgradeRefused(400, message).message).toBe(message);
  });

  it("cuts a message of 513 characters after 512 and says how much was cut", () => {
    const refused = new UpgradeRefused(401, `${"m".repeat(512)}X`);
    expect(refused.message).toBe(`${"m".repeat(512)}…(1 more characters)`);
    expect(refused.status).toBe(401);
    expect(refused.name).toBe("UpgradeRefused");
  });
});
