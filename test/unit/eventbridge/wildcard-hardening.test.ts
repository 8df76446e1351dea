/**
 * Wildcard operands match without backtracking and agree with the regular-expression meaning of
 * `*` (docs/RELIABILITY.md, "Hostile input"); AWS's complexity limit refuses the rest.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { InvalidEventPatternError } from "../../../local/eventbridge/errors.ts";
import {
  MAX_WILDCARD_COMPLEXITY,
  TOO_COMPLEX,
  wildcardComplexity,
} from "../../../local/eventbridge/patterns/complexity.ts";
import { compilePattern } from "../../../local/eventbridge/patterns/index.ts";
import { compileWildcard } from "../../../local/eventbridge/patterns/wildcard.ts";

/** The meaning of an operand, as a (backtracking) regular expression: fine for short values. */
function reference(operand: string): RegExp {
  const source = operand
    .split("*")
    .map((s) => s.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&"))
    .join("[\\s\\S]*");
  return new RegExp(`^${source}$`, "u");
}

const operand = fc
  .array(fc.constantFrom("a", "b", "*", "ab", "é"), { maxLength: 8 })
  .map((parts) => parts.join("").replace(/\*{2,}/g, "*"));
const value = fc
  .array(fc.constantFrom("a", "b", "é", "c"), { maxLength: 12 })
  .map((p) => p.join(""));

describe("wildcard matching", () => {
  it("agrees with the regular-expression meaning of * (property, 2,000 cases)", () => {
    fc.assert(
      fc.property(operand, value, (op, v) => {
        expect(compileWildcard(op).test(v)).toBe(reference(op).test(v));
      }),
      { numRuns: 2000 },
    );
  });

  it("answers the classic catastrophic case on a long value", () => {
    const glob = compileWildcard("*a*a*a*a*a*a*a*a*a*a*a*a*b");
    expect(glob.test("a".repeat(100_000))).toBe(false);
    expect(glob.test(`${"a".repeat(100_000)}b`)).toBe(true);
  });
});

describe("complexity (AWS's 'Rule is too complex')", () => {
  it.each([
    ["*", 1],
    ["ab*c", 2],
    ["*.png", 2],
  ])("measures %s as %i, as event-ruler does", (op, expected) => {
    expect(wildcardComplexity([compileWildcard(op)])).toBe(expected);
  });

  it.each([`*${"a".repeat(MAX_WILDCARD_COMPLEXITY)}`, "*a".repeat(51), "*ab*ab".repeat(30)])(
    "refuses %s in a pattern with AWS's reason",
    (op) => {
      const error = (() => {
        try {
          compilePattern(JSON.stringify({ x: [{ wildcard: op }] }));
        } catch (e) {
          return e;
        }
        return undefined;
      })();
      expect(error).toBeInstanceOf(InvalidEventPatternError);
      expect((error as InvalidEventPatternError).reason).toBe(TOO_COMPLEX);
    },
  );

  it("adds up the wildcards of one field (wildcard and anything-but wildcard)", () => {
    const many = Array.from({ length: 40 }, (_, i) => ({ wildcard: `*x${i}*` }));
    expect(() => compilePattern(JSON.stringify({ x: many }))).toThrow(TOO_COMPLEX);
    expect(() =>
      compilePattern(JSON.stringify({ x: many.slice(0, 3), y: many.slice(3, 6) })),
    ).not.toThrow();
  });
});
