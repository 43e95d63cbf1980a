// can() and RoleSet (also through a run of adds and deletes, the emulator's grants and revokes) against a reference
// model written straight from protocol.md 4.7, over generated role and group names built
// from the characters that matter (dots, wildcards, escapes) and from each other (suffixes, prefixes, extensions),
// so that a role for group `abc` is checked against `bc`, `ab`, `abcd` and `x.abc` as a matter of course.
import { can, compileGroupPattern, type Permission, RoleSet, roleFor } from "@webpubsub/core";
import fc from "fast-check";
import { describe, expect, test } from "vitest";

const ACTIONS: readonly Permission[] = ["joinLeaveGroup", "sendToGroup"];

/**
 * The reference wildcard semantics as a RegExp (fine for the short strings generated here): `?` is one non-'.'
 * character, `*` a run of non-'.' characters, `**` anything, `\` escapes `*`, `?` and `\`; at most five `*` in all
 * and never three in a row. Null for an invalid pattern.
 */
function referencePattern(pattern: string): RegExp | null {
  if (pattern === "") return null;
  let src = "";
  let stars = 0;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === "\\") {
      const next = pattern[i + 1];
      if (next !== "*" && next !== "?" && next !== "\\") return null;
      src += `\\${next}`;
      i++;
    } else if (c === "*") {
      if (pattern[i + 1] === "*") {
        if (pattern[i + 2] === "*") return null;
        stars += 2;
        src += "[\\s\\S]*";
        i++;
      } else {
        stars += 1;
        src += "[^.]*";
      }
    } else if (c === "?") src += "[^.]";
    else src += c.replace(/[.+()[\]{}|^$]/g, "\\$&");
  }
  return stars > 5 ? null : new RegExp(`^${src}$`, "u");
}

/** The reference rule: the plain role, the per-group role naming exactly this group, or a matching wildcard role. */
function referenceCan(roles: readonly unknown[], action: Permission, group: string): boolean {
  return roles.some((role) => {
    if (typeof role !== "string") return false;
    if (role === `webpubsub.${action}`) return true;
    if (role === `webpubsub.${action}.${group}`) return true;
    const wildcard = `webpubsub.${action}s.`;
    if (!role.startsWith(wildcard)) return false;
    return referencePattern(role.slice(wildcard.length))?.test(group) ?? false;
  });
}

const nameChar = fc.constantFrom("a", "b", ".", "*", "?", "\\", "-", "é");
const shortName = fc.string({ unit: nameChar, minLength: 0, maxLength: 6 });
const rolePrefix = fc.constantFrom(
  "webpubsub.sendToGroup",
  "webpubsub.joinLeaveGroup",
  "webpubsub.sendToGroups",
  "webpubsub.joinLeaveGroups",
  "webpubsub.SendToGroup",
  "WEBPUBSUB.joinLeaveGroup",
  "webpubsub.sendToGroupz",
  "webpubsub",
  "",
);
const role = fc.oneof(
  fc.tuple(rolePrefix, fc.constantFrom(".", "", ".."), shortName).map(([p, sep, name]) => p + sep + name),
  fc.constantFrom("webpubsub.sendToGroup", "webpubsub.joinLeaveGroup"),
);

/** Groups related to the names inside the roles: the name itself, its suffixes and prefixes, and extensions. */
function relatedGroups(roles: readonly string[]): fc.Arbitrary<string> {
  const names = roles.map((r) => r.replace(/^[^.]*\.[^.]*\.?/, "")).filter((n) => n !== "");
  const derived = names.flatMap((n) => [
    n,
    n.slice(1),
    n.slice(0, -1),
    n.slice(Math.floor(n.length / 2)),
    `${n}x`,
    `x${n}`,
    `x.${n}`,
    `${n}.x`,
  ]);
  return derived.length === 0 ? shortName : fc.oneof(fc.constantFrom(...derived), shortName);
}

const case_ = fc.array(role, { minLength: 0, maxLength: 4 }).chain((roles) =>
  fc.tuple(
    fc.constant(roles),
    fc.constantFrom(...ACTIONS),
    relatedGroups(roles).filter((g) => g !== ""),
  ),
);

describe("can() agrees with the reference model of protocol.md 4.7", () => {
  test("on generated roles and the groups derived from them (suffixes, prefixes, dots, wildcards)", () => {
    fc.assert(
      fc.property(case_, ([roles, action, group]) => {
        expect(can(roles, action, group)).toBe(referenceCan(roles, action, group));
      }),
      { numRuns: 3000 },
    );
  });

  test("compileGroupPattern agrees with the reference wildcard semantics, and rejects exactly the invalid patterns", () => {
    fc.assert(
      fc.property(shortName, shortName, (pattern, group) => {
        const reference = referencePattern(pattern);
        if (reference === null) {
          expect(() => compileGroupPattern(pattern)).toThrow(TypeError);
        } else {
          expect(compileGroupPattern(pattern)(group)).toBe(reference.test(group));
        }
      }),
      { numRuns: 3000 },
    );
  });
});

/**
 * A run of adds and deletes over a few roles (so that a delete often hits a role held, and a role comes back), then
 * the groups to check: those related to the roles.
 */
const run = fc
  .array(role, { minLength: 1, maxLength: 4 })
  .chain((pool) =>
    fc.tuple(
      fc.array(fc.tuple(fc.boolean(), fc.constantFrom(...pool)), { minLength: 1, maxLength: 10 }),
      fc.array(relatedGroups(pool), { minLength: 1, maxLength: 4 }),
    ),
  );

describe("RoleSet agrees with the reference model of protocol.md 4.7", () => {
  test("after every add and delete of a run, for both actions and the groups related to its roles", () => {
    fc.assert(
      fc.property(run, ([ops, groups]) => {
        const set = new RoleSet();
        const held: string[] = [];
        for (const [add, r] of ops) {
          if (add) {
            set.add(r);
            if (!held.includes(r)) held.push(r);
          } else {
            set.delete(r);
            if (held.includes(r)) held.splice(held.indexOf(r), 1);
          }
          expect([...set]).toEqual(held);
          for (const action of ACTIONS) {
            for (const group of groups) {
              expect(set.can(action, group), `${action} ${group} by ${JSON.stringify(held)}`).toBe(
                referenceCan(held, action, group),
              );
            }
          }
        }
      }),
      { numRuns: 500 },
    );
  });
});

describe("a per-group role grants exactly that group", () => {
  test("not a suffix, a prefix or an extension of it", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...ACTIONS),
        fc.string({ unit: nameChar, minLength: 2, maxLength: 8 }),
        (action, group) => {
          const roles = [roleFor(action, group)];
          expect(can(roles, action, group)).toBe(true);
          for (let cut = 1; cut < group.length; cut++) {
            expect(can(roles, action, group.slice(cut)), `suffix ${group.slice(cut)}`).toBe(false);
            expect(can(roles, action, group.slice(0, cut)), `prefix ${group.slice(0, cut)}`).toBe(false);
          }
          expect(can(roles, action, `${group}x`)).toBe(false);
          expect(can(roles, action, `x${group}`)).toBe(false);
        },
      ),
      { numRuns: 500 },
    );
  });

  test("the examples of the issue: webpubsub.sendToGroup.abc grants abc, not bc or c", () => {
    const roles = ["webpubsub.sendToGroup.abc"];
    expect(can(roles, "sendToGroup", "abc")).toBe(true);
    expect(can(roles, "sendToGroup", "bc")).toBe(false);
    expect(can(roles, "sendToGroup", "c")).toBe(false);
    expect(can(roles, "sendToGroup", "ab")).toBe(false);
    expect(can(["webpubsub.sendToGroup.a.b"], "sendToGroup", "b")).toBe(false);
  });

  test("a per-group role of one action grants nothing for the other", () => {
    expect(can(["webpubsub.sendToGroup.g"], "joinLeaveGroup", "g")).toBe(false);
    expect(can(["webpubsub.joinLeaveGroup.g"], "sendToGroup", "g")).toBe(false);
  });
});
