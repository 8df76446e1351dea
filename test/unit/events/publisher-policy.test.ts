import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  backoffDelayMs,
  batchEntries,
  errorCodeOf,
  isPermanentEntryError,
  isRetryableCallError,
  MAX_PUTEVENTS_ENTRIES,
  putEventsEntrySize,
} from "../../../events/index.ts";
import { awsError } from "./fake-eventbridge.ts";

describe("putEventsEntrySize", () => {
  it("counts Time as 14 bytes and strings as UTF-8 bytes", () => {
    expect(putEventsEntrySize({ Source: "abc", DetailType: "De", Detail: "{}" })).toBe(7);
    expect(
      putEventsEntrySize({
        Time: new Date(0),
        Source: "abc",
        DetailType: "De",
        Detail: '"é"',
        Resources: ["r1", "ü"],
      }),
    ).toBe(14 + 3 + 2 + 4 + 2 + 2);
  });
});

describe("batchEntries", () => {
  const entry = (bytes: number) => ({ Detail: "x".repeat(bytes) });

  it("keeps order and never exceeds the count or the size limit", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 400 }), { maxLength: 60 }),
        fc.integer({ min: 400, max: 2000 }),
        (sizes, max) => {
          const batches = batchEntries(
            sizes.map((s, i) => ({ i, s })),
            (x) => entry(x.s),
            MAX_PUTEVENTS_ENTRIES,
            max,
          );
          expect(batches.flat().map((x) => x.i)).toEqual(sizes.map((_, i) => i));
          for (const b of batches) {
            expect(b.length).toBeGreaterThan(0);
            expect(b.length).toBeLessThanOrEqual(MAX_PUTEVENTS_ENTRIES);
            expect(b.reduce((n, x) => n + x.s, 0)).toBeLessThanOrEqual(max);
          }
        },
      ),
    );
  });

  it("starts a new request when the next entry would pass the size limit", () => {
    const batches = batchEntries([600, 300, 200, 900, 100], entry, 10, 1000);
    expect(batches.map((b) => b.map((e) => e))).toEqual([[600, 300], [200], [900, 100]]);
  });
});

describe("backoffDelayMs (exponential, full jitter)", () => {
  const policy = { baseDelayMs: 100, maxDelayMs: 1000 };
  it("is random × min(max, base × 2^(retry-1))", () => {
    expect([1, 2, 3, 4, 5].map((r) => backoffDelayMs(r, policy, () => 0.999))).toEqual([
      99, 199, 399, 799, 999,
    ]);
    expect(backoffDelayMs(3, policy, () => 0)).toBe(0);
    expect(backoffDelayMs(3, policy, () => 0.25)).toBe(100);
  });
  it("stays within [0, cap)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 60 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (retry, r) => {
          const d = backoffDelayMs(retry, policy, () => r);
          expect(d).toBeGreaterThanOrEqual(0);
          expect(d).toBeLessThan(Math.min(1000, 100 * 2 ** (retry - 1)));
        },
      ),
    );
  });
});

describe("error classification", () => {
  it("retries throttling, 429, 5xx and network errors; not other 4xx", () => {
    expect(isRetryableCallError(awsError("ThrottlingException", 400))).toBe(true);
    expect(isRetryableCallError(awsError("Whatever", 429))).toBe(true);
    expect(isRetryableCallError(awsError("InternalException", 500))).toBe(true);
    expect(
      isRetryableCallError(Object.assign(new Error("socket hang up"), { code: "ECONNRESET" })),
    ).toBe(true);
    expect(isRetryableCallError(awsError("ValidationException", 400))).toBe(false);
    expect(isRetryableCallError(awsError("AccessDeniedException", 403))).toBe(false);
  });
  it("names errors by their AWS code", () => {
    expect(errorCodeOf(awsError("ThrottlingException", 400))).toBe("ThrottlingException");
    expect(errorCodeOf(Object.assign(new Error("x"), { code: "ECONNREFUSED" }))).toBe(
      "ECONNREFUSED",
    );
    expect(errorCodeOf("boom")).toBe("UnknownError");
  });
  it("per-entry: malformed or unauthorised entries are permanent, internal failures are not", () => {
    expect(isPermanentEntryError("MalformedDetail")).toBe(true);
    expect(isPermanentEntryError("NotAuthorizedForSourceException")).toBe(true);
    expect(isPermanentEntryError("InternalFailure")).toBe(false);
    expect(isPermanentEntryError("ThrottlingException")).toBe(false);
  });
});
