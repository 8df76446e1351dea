import { describe, expect, it } from "vitest";
import { z } from "zod";
import { backoffSeconds, seededRandom } from "../../../../functions/shared/backoff.ts";
import { lazyConfig, positiveInt, resourceName } from "../../../../functions/shared/config.ts";
import { parseRecordBody } from "../../../../functions/shared/envelope.ts";
import { ConfigError, RecordValidationError } from "../../../../functions/shared/errors.ts";
import { withTimeout } from "../../../../functions/shared/timeout.ts";
import { cityEvent, eventBridgeJson } from "../fixtures.ts";

describe("config", () => {
  it("is read at first use and names the missing variable and rule", () => {
    const env: Record<string, string | undefined> = {};
    const config = lazyConfig(
      z.object({ EVENTS_TABLE_NAME: resourceName, SNAPSHOT_EVERY: positiveInt(50) }),
      () => env,
    );
    expect(() => config()).toThrow(ConfigError);
    expect(() => config()).toThrow(/EVENTS_TABLE_NAME/);
    env.EVENTS_TABLE_NAME = "events";
    env.SNAPSHOT_EVERY = "0";
    expect(() => config()).toThrow(/SNAPSHOT_EVERY: must be > 0/);
    env.SNAPSHOT_EVERY = "7";
    expect(config()).toEqual({ EVENTS_TABLE_NAME: "events", SNAPSHOT_EVERY: 7 });
  });
});

describe("backoff", () => {
  it("doubles per receive up to the cap, with seeded jitter inside ±20 %", () => {
    const policy = { baseSeconds: 2, maxSeconds: 30, jitter: 0 };
    expect([1, 2, 3, 4, 5, 6].map((n) => backoffSeconds(n, policy))).toEqual([2, 4, 8, 16, 30, 30]);
    const random = seededRandom(42);
    for (let i = 0; i < 50; i++) {
      const s = backoffSeconds(3, { baseSeconds: 2, maxSeconds: 300, jitter: 0.2 }, random);
      expect(s).toBeGreaterThanOrEqual(6);
      expect(s).toBeLessThanOrEqual(10);
    }
  });

  it("rejects an invalid policy with the given values", () => {
    expect(() => backoffSeconds(1, { baseSeconds: 0 })).toThrow(/baseSeconds > 0/);
  });
});

describe("envelope", () => {
  it("reads the EventBridge event from a rule's message and from a pipe-wrapped SQS record", () => {
    const e = cityEvent("TrafficLightChanged");
    const direct = parseRecordBody(eventBridgeJson(e));
    const wrapped = parseRecordBody(JSON.stringify({ messageId: "x", body: eventBridgeJson(e) }));
    expect(direct.detail.meta.eventId).toBe(e.detail.meta.eventId);
    expect(wrapped).toEqual(direct);
  });

  it("names the offending field of an invalid event", () => {
    const bad = eventBridgeJson(cityEvent("TrafficLightChanged")).replace(
      '"durationSeconds":4',
      '"durationSeconds":-1',
    );
    expect(() => parseRecordBody(bad)).toThrow(RecordValidationError);
    expect(() => parseRecordBody(bad)).toThrow(/durationSeconds/);
  });
});

describe("timeout", () => {
  it("aborts the call and raises a timeout naming the operation", async () => {
    let aborted = false;
    const call = (signal: AbortSignal) =>
      new Promise<string>((_, reject) =>
        signal.addEventListener("abort", () => {
          aborted = true;
          reject(new Error("aborted"));
        }),
      );
    await expect(withTimeout("Dispatch.call", 20, call)).rejects.toThrow(
      /Dispatch.call did not complete within 20 ms/,
    );
    expect(aborted).toBe(true);
  });
});
