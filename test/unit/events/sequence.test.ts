import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { SequenceCounter, SequenceError, SequenceTracker } from "../../../events/index.ts";

describe("SequenceCounter (producer side)", () => {
  it("numbers each producer's events 1, 2, 3… independently", () => {
    const c = new SequenceCounter();
    expect([c.next("cam-1"), c.next("cam-1"), c.next("cam-2"), c.next("cam-1")]).toEqual([
      1, 2, 1, 3,
    ]);
    expect(c.last("cam-1")).toBe(3);
    expect(c.last("never")).toBe(0);
  });

  it("resumes after a restored value and rejects a bad one", () => {
    expect(new SequenceCounter({ "cam-1": 41 }).next("cam-1")).toBe(42);
    expect(() => new SequenceCounter({ "cam-1": -2 })).toThrow(
      'SequenceCounter initial value of "cam-1" must be an integer >= 0, got -2',
    );
  });
});

describe("SequenceTracker (consumer side)", () => {
  it("classifies next, gap, reordered-late and duplicate", () => {
    const t = new SequenceTracker();
    expect(t.observe("tlc-1", 1)).toEqual({ kind: "next", sequence: 1 });
    expect(t.observe("tlc-1", 2)).toEqual({ kind: "next", sequence: 2 });
    expect(t.observe("tlc-1", 5)).toEqual({
      kind: "gap",
      sequence: 5,
      missingFrom: 3,
      missingTo: 4,
    });
    expect(t.missing("tlc-1")).toEqual([3, 4]);
    expect(t.observe("tlc-1", 4)).toEqual({ kind: "reordered-late", sequence: 4 });
    expect(t.observe("tlc-1", 4)).toEqual({ kind: "duplicate", sequence: 4 });
    expect(t.observe("tlc-1", 2)).toEqual({ kind: "duplicate", sequence: 2 });
    expect(t.observe("tlc-1", 6)).toEqual({ kind: "next", sequence: 6 });
    expect(t.missing("tlc-1")).toEqual([3]);
    expect(t.highest("tlc-1")).toBe(6);
  });

  it("a first event above 1 is a gap from 1; producers are independent", () => {
    const t = new SequenceTracker();
    expect(t.observe("a", 3)).toEqual({ kind: "gap", sequence: 3, missingFrom: 1, missingTo: 2 });
    expect(t.observe("b", 1).kind).toBe("next");
  });

  it("classify does not record", () => {
    const t = new SequenceTracker();
    expect(t.classify("a", 1).kind).toBe("next");
    expect(t.classify("a", 1).kind).toBe("next");
    expect(t.highest("a")).toBe(0);
  });

  it("rejects invalid sequence numbers with the producer named", () => {
    expect(() => new SequenceTracker().observe("cam-9", 0)).toThrow(SequenceError);
    expect(() => new SequenceTracker().observe("cam-9", 1.5)).toThrow(
      'sequence of producer "cam-9" must be an integer >= 1, got 1.5',
    );
  });

  it("bounds memory: a jump past maxTrackedGap is reported but not tracked", () => {
    const t = new SequenceTracker({ maxTrackedGap: 5 });
    expect(t.observe("a", 100)).toEqual({
      kind: "gap",
      sequence: 100,
      missingFrom: 1,
      missingTo: 99,
    });
    expect(t.missing("a")).toEqual([]);
    expect(t.observe("a", 50).kind).toBe("duplicate");
  });

  it("any delivery order of 1..n with duplicates: each number is first seen once (never duplicate), later copies are duplicates, nothing stays missing", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 30 }).chain((n) =>
          fc.tuple(
            fc.constant(n),
            fc.shuffledSubarray(
              Array.from({ length: n * 2 }, (_, i) => (i % n) + 1),
              { minLength: n * 2, maxLength: n * 2 },
            ),
          ),
        ),
        ([n, order]) => {
          const t = new SequenceTracker();
          const seen = new Set<number>();
          for (const s of order) {
            const v = t.observe("p", s);
            if (seen.has(s)) expect(v.kind).toBe("duplicate");
            else expect(v.kind).not.toBe("duplicate");
            seen.add(s);
          }
          expect(t.missing("p")).toEqual([]);
          expect(t.highest("p")).toBe(n);
        },
      ),
    );
  });
});
