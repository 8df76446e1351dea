import { describe, expect, it } from "vitest";
import {
  equalJitterDelayMs,
  exponentialCeiling,
  fullJitterDelayMs,
} from "../../../events/backoff.ts";

const policy = { baseDelayMs: 100, maxDelayMs: 1_000 };

describe("backoff variants (events/backoff.ts)", () => {
  it("doubles the ceiling per retry up to the cap", () => {
    expect([1, 2, 3, 4, 5, 6].map((r) => exponentialCeiling(r, 100, 1_000))).toEqual([
      100, 200, 400, 800, 1_000, 1_000,
    ]);
  });

  it("full jitter spans [0, ceiling)", () => {
    expect(fullJitterDelayMs(3, policy, () => 0)).toBe(0);
    expect(fullJitterDelayMs(3, policy, () => 0.999)).toBe(399);
  });

  it("equal jitter spans [ceiling/2, ceiling]", () => {
    expect(equalJitterDelayMs(3, policy, () => 0)).toBe(200);
    expect(equalJitterDelayMs(3, policy, () => 1)).toBe(400);
    expect(equalJitterDelayMs(9, policy, () => 0.5)).toBe(750);
  });
});
