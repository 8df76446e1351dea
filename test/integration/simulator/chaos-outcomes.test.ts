/**
 * Expected outcome of the chaos scenario on a fresh local city (local cloud + topology + running
 * functions): duplicates, out-of-order pairs and malformed events must leave every accepted event
 * stored exactly once, nothing malformed stored, and no light-sequence violation reported.
 * A fresh city: an earlier run's light states would make the first changes of this run stale.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { VirtualClock } from "../../../simulator/clock.ts";
import { runScenario } from "../../../simulator/run.ts";
import {
  LocalCity,
  OUTCOME_TEST_TIMEOUT_MS,
  OUTCOME_TIMEOUT_MS,
  type StoredEvent,
} from "./local-city.ts";
import { waitFor } from "./wait.ts";

let city: LocalCity;

beforeAll(async () => {
  city = await LocalCity.start("sim-chaos");
});

afterAll(async () => {
  await city?.stop();
});

describe("chaos outcome on the local city", () => {
  it(
    "chaos: every accepted event stored exactly once, no malformed one stored, no sequence violation",
    async () => {
      const summary = await runScenario({
        scenario: "chaos",
        rate: 2,
        durationSeconds: 20,
        seed: 8,
        busName: city.resources.bus.name,
        client: city.events,
        clock: new VirtualClock(Date.now()),
        chaos: { duplicates: 4, outOfOrder: 2, malformed: 5 },
      });
      expect(summary).toMatchObject({
        failures: 0,
        duplicatesSent: 4,
        outOfOrderSent: 4,
        malformedSent: 5,
      });
      const accepted = new Set(summary.acceptedEventIds);
      let stored: StoredEvent[] = [];
      await waitFor(
        () =>
          `all ${accepted.size} accepted events in the event store (have ${stored.filter((e) => accepted.has(e.eventId)).length})`,
        async () => {
          stored = await city.storedEvents();
          const ids = new Set(stored.map((e) => e.eventId));
          return [...accepted].every((id) => ids.has(id));
        },
        { timeoutMs: OUTCOME_TIMEOUT_MS, intervalMs: 200 },
      );
      const ids = stored.map((e) => e.eventId);
      expect(ids.length).toBe(new Set(ids).size);
      expect(stored.filter((e) => JSON.stringify(e).includes("chaos-monkey"))).toEqual([]);
      // reordered and duplicated light changes are resequenced, not reported as violations
      const violations = stored.filter((e) => e.type === "SignalSequenceViolation");
      expect(violations.map((v) => v.detail)).toEqual([]);
    },
    OUTCOME_TEST_TIMEOUT_MS,
  );
});
