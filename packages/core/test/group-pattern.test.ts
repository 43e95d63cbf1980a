// Every wildcard rule of protocol.md 4.7 and the examples of the service documentation.
import { can, compileGroupPattern, MAX_PATTERN_STARS } from "@webpubsub/core";
import { describe, expect, test } from "vitest";

function check(pattern: string, matches: string[], rejects: string[]) {
  const m = compileGroupPattern(pattern);
  for (const g of matches) expect(m(g), `${pattern} should match ${g}`).toBe(true);
  for (const g of rejects) expect(m(g), `${pattern} should not match ${g}`).toBe(false);
}

describe("compileGroupPattern", () => {
  test("documented examples", () => {
    check("chat-*", ["chat-1", "chat-room", "chat-"], ["chat.1", "xchat-1", "chat-a.b"]);
    check("clientA.*", ["clientA.alpha", "clientA.1", "clientA."], ["clientA.alpha.room1", "clientB.alpha", "clientA"]);
    check("clientA.**", ["clientA.alpha", "clientA.alpha.room1", "clientA."], ["clientB.anything", "clientA"]);
    check("clientA.rooms.?1", ["clientA.rooms.a1", "clientA.rooms.11"], ["clientA.rooms.1", "clientA.rooms.a.1"]);
    check("literal\\*star", ["literal*star"], ["literalXstar", "literal\\*star"]);
    check("project\\*123", ["project*123"], ["project1123", "projectX123"]);
  });

  test("? matches exactly one character that is not '.'", () => {
    check("a?c", ["abc", "a-c", "a c", "a日c"], ["ac", "abbc", "a.c"]);
    check("??", ["ab"], ["a", "abc", "a.", ".."]);
  });

  test("* matches zero or more characters that are not '.'", () => {
    check("*", ["", "abc", "a-b_c"], ["a.b", "."]);
    check("a*z", ["az", "abcz"], ["a.z", "abc.z", "azz.z"]);
    check("*.*", ["a.b", ".", "a.", ".b"], ["ab", "a.b.c"]);
  });

  test("** matches anything including '.'", () => {
    check("**", ["", "a", "a.b.c", "..."], []);
    check("a.**.z", ["a..z", "a.b.z", "a.b.c.d.z"], ["a.z", "b.b.z", "a.b.zz"]);
    check("**.end", ["x.end", "a.b.end", ".end"], ["end", "x.endx"]);
  });

  test("'.' is a literal segment separator, not a regex wildcard", () => {
    check("a.b", ["a.b"], ["aXb", "a.bc"]);
  });

  test("escapes: \\*, \\? and \\\\ are literals", () => {
    check("a\\?", ["a?"], ["ab", "a\\?"]);
    check("a\\\\b", ["a\\b"], ["a\\\\b", "ab"]);
    check("a\\\\*", ["a\\", "a\\xyz"], ["a\\x.y", "a"]);
    check("\\**", ["*", "*abc"], ["abc", "*a.b"]);
  });

  test("an escape before any other character, or a trailing backslash, is invalid", () => {
    expect(() => compileGroupPattern("a\\b")).toThrow(TypeError);
    expect(() => compileGroupPattern("a\\.")).toThrow(TypeError);
    expect(() => compileGroupPattern("abc\\")).toThrow(TypeError);
  });

  test("regex metacharacters are taken literally", () => {
    check("a+b(c)[d]{1}|$^/-", ["a+b(c)[d]{1}|$^/-"], ["aab(c)[d]{1}|$^/-", "a+bc[d]{1}|$^/-"]);
  });

  test(`at most ${MAX_PATTERN_STARS} '*' per pattern, counting those of '**'`, () => {
    expect(MAX_PATTERN_STARS).toBe(5);
    expect(() => compileGroupPattern("*.*.*.*.*")).not.toThrow();
    expect(() => compileGroupPattern("**.**.*")).not.toThrow();
    expect(() => compileGroupPattern("*.*.*.*.*.*")).toThrow(/at most 5/);
    expect(() => compileGroupPattern("**.**.**")).toThrow(/at most 5/);
    expect(() => compileGroupPattern("**.*.*.*.*")).toThrow(TypeError);
    // Escaped stars are literals and do not count.
    expect(() => compileGroupPattern("\\*\\*\\*\\*\\*\\*.*")).not.toThrow();
  });

  test("three or more consecutive '*' are invalid", () => {
    expect(() => compileGroupPattern("a***")).toThrow(TypeError);
    expect(() => compileGroupPattern("***")).toThrow(TypeError);
  });

  test("matching is case-sensitive", () => {
    check("Chat.*", ["Chat.x"], ["chat.x", "CHAT.x"]);
    check("a?", ["aB"], ["AB"]);
  });

  test("the whole group name must match (anchored)", () => {
    check("abc", ["abc"], ["xabc", "abcx", "ab"]);
    check("a*", ["a", "ab"], ["ba"]);
  });

  test("works for long group names without catastrophic backtracking", () => {
    const m = compileGroupPattern("*a*a*a*a*b");
    const start = performance.now();
    expect(m("a".repeat(1000))).toBe(false);
    expect(performance.now() - start).toBeLessThan(1000);
  });

  test("non-string patterns are TypeErrors", () => {
    expect(() => compileGroupPattern(undefined as never)).toThrow(TypeError);
  });
});

describe("wildcard roles through can()", () => {
  test("joinLeaveGroups and sendToGroups patterns apply to their action only", () => {
    const roles = ["webpubsub.joinLeaveGroups.public.*", "webpubsub.sendToGroups.clientA.**"];
    expect(can(roles, "joinLeaveGroup", "public.lobby")).toBe(true);
    expect(can(roles, "joinLeaveGroup", "public.lobby.x")).toBe(false);
    expect(can(roles, "sendToGroup", "public.lobby")).toBe(false);
    expect(can(roles, "sendToGroup", "clientA.alpha.room1")).toBe(true);
    expect(can(roles, "joinLeaveGroup", "clientA.alpha")).toBe(false);
  });

  test("literal and pattern roles can be mixed", () => {
    const roles = ["webpubsub.sendToGroup.exact", "webpubsub.sendToGroups.room-?"];
    expect(can(roles, "sendToGroup", "exact")).toBe(true);
    expect(can(roles, "sendToGroup", "room-1")).toBe(true);
    expect(can(roles, "sendToGroup", "room-12")).toBe(false);
  });
});

describe("differential check against a RegExp translation on random inputs", () => {
  // Reference semantics, fine for short strings: ? -> [^.], * -> [^.]*, ** -> anything.
  function reference(pattern: string): RegExp {
    let src = "";
    for (let i = 0; i < pattern.length; i++) {
      const c = pattern[i]!;
      if (c === "\\") src += `\\${pattern[++i]}`;
      else if (c === "*" && pattern[i + 1] === "*") {
        src += "[\\s\\S]*";
        i++;
      } else if (c === "*") src += "[^.]*";
      else if (c === "?") src += "[^.]";
      else src += c === "." ? "\\." : c;
    }
    return new RegExp(`^${src}$`);
  }

  test("agree on 3000 random pattern/group pairs", () => {
    let seed = 42;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    const patternAtoms = ["a", "b", ".", "?", "*", "**", "\\*", "\\?", "\\\\"];
    const groupChars = ["a", "b", ".", "*", "?", "\\"];
    let matched = 0;
    for (let n = 0; n < 3000; n++) {
      let pattern = "";
      let stars = 0;
      let lastWasStar = false;
      for (let k = 1 + rand(6); k > 0; k--) {
        const atom = patternAtoms[rand(patternAtoms.length)]!;
        const isStar = atom.startsWith("*");
        if (isStar && (lastWasStar || stars + atom.length > 5)) continue;
        if (isStar) stars += atom.length;
        lastWasStar = isStar;
        pattern += atom;
      }
      if (pattern === "") continue;
      let group = "";
      for (let k = rand(7); k > 0; k--) group += groupChars[rand(groupChars.length)];
      const expected = reference(pattern).test(group);
      expect(compileGroupPattern(pattern)(group), `${pattern} vs ${group}`).toBe(expected);
      if (expected) matched++;
    }
    expect(matched).toBeGreaterThan(100);
  });
});
