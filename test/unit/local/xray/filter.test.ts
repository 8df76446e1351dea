/** The X-Ray filter expressions the local cloud evaluates (docs/LOCAL.md "X-Ray"). */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { xrayFilter } from "../../../../bin/ops/xray.ts";
import {
  FilterExpressionError,
  matchesFilter,
  parseFilter,
} from "../../../../local/xray/filter.ts";
import type { StoredSegment } from "../../../../local/xray/segment.ts";

const segment = (annotations: Record<string, string>): StoredSegment => ({
  id: "a1",
  trace_id: "1-1-1",
  name: "bus",
  start_time: 1,
  annotations,
});

describe("X-Ray filter expressions", () => {
  it("parses what buzzville trace sends, for any id (quotes, backslashes, unicode)", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 60 }), (id) => {
        expect(parseFilter(xrayFilter(id))).toEqual(
          ["eventId", "correlationId", "incidentId"].map((key) => ({
            kind: "annotation",
            key,
            value: id,
          })),
        );
      }),
    );
  });

  it("matches by annotation key and value, or by trace id", () => {
    const terms = parseFilter('annotation.incidentId = "inc-1" OR id("1-2-3")');
    expect(terms).toEqual([
      { kind: "annotation", key: "incidentId", value: "inc-1" },
      { kind: "id", value: "1-2-3" },
    ]);
    expect(matchesFilter(terms, "1-1-1", [segment({ incidentId: "inc-1" })])).toBe(true);
    expect(matchesFilter(terms, "1-1-1", [segment({ eventId: "inc-1" })])).toBe(false);
    expect(matchesFilter(terms, "1-2-3", [])).toBe(true);
  });

  it("refuses anything else, naming what is supported", () => {
    for (const bad of [
      "responsetime > 5",
      'annotation.eventId = "a" AND annotation.x = "b"',
      'annotation.eventId = "a" OR',
      'annotation.eventId = "a" ORid("b")',
      "annotation.eventId = 5",
      'service("api")',
      'annotation.eventId = "\\q"',
    ]) {
      expect(() => parseFilter(bad), bad).toThrow(FilterExpressionError);
    }
    expect(() => parseFilter("responsetime > 5")).toThrow('annotation.KEY = "value"');
    const many = Array.from({ length: 51 }, (_, i) => `id("${i}")`).join(" OR ");
    expect(() => parseFilter(many)).toThrow("at most 50 terms");
  });
});
