import fc from "fast-check";
import { decodeTime } from "ulid";
import { describe, expect, it } from "vitest";
import {
  CityEventError,
  derivedEventId,
  isUlid,
  newEventId,
  seededRandom,
  ULID_PATTERN,
} from "../../../events/index.ts";

const T = Date.parse("2026-11-23T15:00:00.000Z");

describe("newEventId", () => {
  it("is a ULID at the injected time, repeatable with a seeded PRNG", () => {
    const a = newEventId(T, seededRandom(7));
    expect(a).toMatch(ULID_PATTERN);
    expect(decodeTime(a)).toBe(T);
    expect(newEventId(T, seededRandom(7))).toBe(a);
    expect(newEventId(T, seededRandom(8))).not.toBe(a);
  });
});

describe("derivedEventId", () => {
  const cause = newEventId(T, seededRandom(1));

  it("is a valid ULID-shaped id, the same for the same cause and step", () => {
    const id = derivedEventId(cause, "incident-opened");
    expect(id).toHaveLength(26);
    expect(isUlid(id)).toBe(true);
    expect(derivedEventId(cause, "incident-opened")).toBe(id);
    expect(decodeTime(id)).toBe(T + 1);
  });

  it("differs per step and per cause, and sorts after its cause", () => {
    fc.assert(
      fc.property(
        fc.nat(),
        fc.oneof(fc.string({ minLength: 1 }), fc.nat()),
        fc.oneof(fc.string({ minLength: 1 }), fc.nat()),
        (seed, s1, s2) => {
          const c = newEventId(T + (seed % 1000), seededRandom(seed));
          const a = derivedEventId(c, s1);
          expect(isUlid(a)).toBe(true);
          expect(a > c).toBe(true);
          if (String(s1) !== String(s2)) expect(derivedEventId(c, s2)).not.toBe(a);
          const other = newEventId(T, seededRandom(seed + 1));
          if (other !== c) expect(derivedEventId(other, s1)).not.toBe(a);
        },
      ),
    );
  });

  it("rejects a cause that is not a ULID and an empty step", () => {
    expect(() => derivedEventId("evt-1", 0)).toThrow(CityEventError);
    expect(() => derivedEventId("evt-1", 0)).toThrow(
      'causeEventId must be a ULID (26 Crockford base32 characters), got "evt-1"',
    );
    expect(() => derivedEventId(cause, "")).toThrow(
      "step must be a non-empty string or an integer >= 0",
    );
    expect(() => derivedEventId(cause, -1)).toThrow(CityEventError);
  });
});
