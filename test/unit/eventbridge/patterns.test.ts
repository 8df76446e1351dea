import { describe, expect, it } from "vitest";
import { InvalidEventPatternError } from "../../../local/eventbridge/errors.ts";
import {
  compilePattern,
  compilePatternValue,
  matchesPattern,
} from "../../../local/eventbridge/patterns/index.ts";
import { INVALID_CASES, MATCH_CASES, NUMBER_TEXT_CASES } from "./pattern-cases.ts";

const envelope = (detail: Record<string, unknown>) => ({
  version: "0",
  id: "6a7e8feb-b491-4cf7-a9f1-bf3703467718",
  "detail-type": "Test",
  source: "buzzville.test",
  account: "000000000000",
  time: "2026-11-23T15:00:00Z",
  region: "us-east-1",
  resources: [],
  detail,
});

describe("event pattern matching (AWS semantics)", () => {
  it("has a broad table", () => {
    expect(MATCH_CASES.length + INVALID_CASES.length).toBeGreaterThanOrEqual(150);
  });

  it.each(MATCH_CASES)("$name → $match", ({ pattern, detail, event, match }) => {
    const compiled = compilePatternValue(pattern);
    const subject = event ?? envelope(detail ?? {});
    expect(matchesPattern(compiled, subject)).toBe(match);
  });
});

describe("numbers given as JSON text (PutRule / PutEvents spelling)", () => {
  it.each(NUMBER_TEXT_CASES)("$name → $match", ({ pattern, detail, match }) => {
    const text = `{"version":"0","id":"1","detail-type":"T","source":"s","account":"000000000000","time":"2026-11-23T15:00:00Z","region":"us-east-1","resources":[],"detail":${detail}}`;
    expect(matchesPattern(compilePattern(pattern), JSON.parse(text))).toBe(match);
  });
});

describe("event pattern validation (InvalidEventPatternException reasons)", () => {
  it.each(INVALID_CASES)("$name", ({ pattern, reason }) => {
    let caught: unknown;
    try {
      compilePatternValue(pattern);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(InvalidEventPatternError);
    const error = caught as InvalidEventPatternError;
    expect(error.reason).toBe(reason);
    expect(error.message).toBe(`Event pattern is not valid. Reason: ${reason}`);
    expect(error.code).toBe("InvalidEventPatternException");
  });

  it("rejects text that is not JSON", () => {
    expect(() => compilePattern("{'bad': 'quotation'}")).toThrow(InvalidEventPatternError);
  });

  it("accepts every valid operator together", () => {
    const compiled = compilePattern(
      JSON.stringify({
        source: [{ prefix: "buzzville." }],
        detail: {
          a: [{ suffix: "x" }, { "equals-ignore-case": "Y" }, { wildcard: "z*" }],
          b: [{ numeric: [">=", 0, "<", 10] }, { "anything-but": [1, 2] }],
          c: [{ exists: true }, { cidr: "10.0.0.0/8" }],
        },
      }),
    );
    expect(compiled.branches).toHaveLength(1);
  });
});
