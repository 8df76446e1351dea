/**
 * Expected outcome of the chaos scenario on a fresh local city (local cloud + topology + running
 * functions): duplicates, out-of-order pairs and malformed events must leave every accepted event
 * stored exactly once, no action taken twice, every malformed event rejected, and every
 * intersection in its controller's last state.
 * A fresh city: an earlier run's light states would make the first changes of this run stale.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { VirtualClock } from "../../../simulator/clock.ts";
import { runScenario } from "../../../simulator/run.ts";
import { chaosScenario, contextFor } from "../../../simulator/scenarios/index.ts";
import { waitFor } from "../../support/wait.ts";
import {
  type Derived,
  LocalCity,
  OUTCOME_TEST_TIMEOUT_MS,
  OUTCOME_TIMEOUT_MS,
  repeated,
  SCENARIO_TOPOLOGY,
  type StoredEvent,
} from "./local-city.ts";

let city: LocalCity;

beforeAll(async () => {
  city = await LocalCity.start("sim-chaos", SCENARIO_TOPOLOGY);
});

afterAll(async () => {
  await city?.stop();
});

/** The consumers' validation message for each kind of malformed entry the bus accepts. */
const MALFORMED_MESSAGES: Readonly<Record<string, RegExp>> = {
  "field-out-of-range":
    /TrafficDensityMeasured\.location\.latitude: expected a number <= 90, got 123\.4/,
  "unknown-detail-type": /unknown detail-type "CameraExploded"/,
  "wrong-source":
    /TrafficDensityMeasured\.source: expected "buzzville\.camera".*got "buzzville\.weather"/,
  "missing-meta": /TrafficDensityMeasured\.meta: required/,
};

const SEED = 8;
const RATE = 2;
const DURATION = 20;
const CHAOS = { duplicates: 4, outOfOrder: 2, malformed: 5 } as const;

describe("chaos outcome on the local city", () => {
  it(
    "chaos: stored once, acted on once, malformed rejected, lights in their last state",
    async () => {
      const start = Date.now();
      const summary = await runScenario({
        scenario: "chaos",
        rate: RATE,
        durationSeconds: DURATION,
        seed: SEED,
        busName: city.resources.bus.name,
        client: city.events,
        clock: new VirtualClock(start),
        chaos: CHAOS,
      });
      expect(summary).toMatchObject({
        failures: 0,
        duplicatesSent: 4,
        outOfOrderSent: 4,
        malformedSent: 5,
        malformedRejectedByBus: 1, // the entry whose Detail is not JSON
      });
      const checks = summary.expected.checks;
      const dispatched = checks.find((c) => c.kind === "units-dispatched");
      const notified = checks.find((c) => c.kind === "zone-notified");
      const rejected = checks.find((c) => c.kind === "rejected");
      const finals = checks.flatMap((c) => (c.kind === "final-light-state" ? [c] : []));
      if (
        dispatched?.kind !== "units-dispatched" ||
        notified?.kind !== "zone-notified" ||
        rejected?.kind !== "rejected" ||
        finals.length === 0
      ) {
        throw new Error("the chaos scenario lost its expected outcome");
      }
      const crashId = dispatched.correlationId;
      const duplicated = new Set(
        [...chaosScenario(CHAOS).build(contextFor(SEED, RATE, DURATION, start)).steps].flatMap(
          (s) => (s.kind === "duplicate" ? [s.eventId] : []),
        ),
      );
      expect(duplicated.has(crashId)).toBe(true);

      // 1. every accepted event stored exactly once, nothing malformed stored
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
      await city.observeUntil("the collision's dispatch and notice", (all) =>
        ["UnitsDispatched", "CitizensNotified"].every((t) =>
          all.some((d) => d.type === t && d.detail.meta.correlationId === crashId),
        ),
      );
      await city.waitUntilDrained({ EventStoreIntakeQueue: 1 }); // the meta-less entry, see 3.
      stored = await city.storedEvents();
      const ids = stored.map((e) => e.eventId);
      expect(ids.length).toBe(new Set(ids).size);
      expect(stored.filter((e) => JSON.stringify(e).includes("chaos-monkey"))).toEqual([]);

      // 2. no action taken twice
      const seen = city.seen;
      const ofType = (t: string) => seen.filter((d) => d.type === t);
      const field = (d: Derived, k: string) => String(d.detail[k]);
      const notices = ofType("CitizensNotified");
      expect(repeated(notices, (d) => `${field(d, "alertEventId")}|${field(d, "zone")}`)).toEqual(
        {},
      );
      expect(
        notices.filter((d) => d.detail.alertEventId === crashId).map((d) => d.detail.zone),
      ).toEqual([notified.zone]);
      const dispatches = ofType("UnitsDispatched");
      expect(repeated(dispatches, (d) => field(d, "incidentId"))).toEqual({});
      const crashDispatches = dispatches.filter((d) => d.detail.meta.correlationId === crashId);
      expect(crashDispatches).toHaveLength(1);
      expect(crashDispatches[0]?.detail.unitIds).toEqual(
        expect.arrayContaining([expect.stringMatching(/^ambulance-/)]),
      );
      const posts = ofType("MediaPostPublished");
      expect(posts.filter((d) => d.detail.zone === notified.zone).length).toBeGreaterThanOrEqual(1);
      expect(repeated(posts, (d) => field(d, "postId"))).toEqual({});
      expect(repeated(posts, (d) => field(d, "sourceEventId"))).toEqual({});
      // each duplicated event acted on once: its derived events (by causationId) each seen once
      const causedByDuplicate = seen.filter((d) => duplicated.has(d.detail.meta.causationId ?? ""));
      const crashDerived = causedByDuplicate.filter((d) => d.detail.meta.causationId === crashId);
      const fromCrash = crashDerived.map((d) => d.type);
      expect(fromCrash).toEqual(expect.arrayContaining(["IncidentOpened", "CitizensNotified"]));
      // A zone-minute's aggregate is restated (a revision, caused by the window's first event)
      // when events of that minute arrive after it closed: not an action taken twice. An action
      // taken twice shows as two event ids of one type (one id seen twice: checked below).
      const actions = [
        ...new Map(
          crashDerived
            .filter((d) => d.type !== "ReadingsAggregated")
            .map((d) => [d.detail.meta.eventId, d.type]),
        ).values(),
      ];
      expect(repeated(actions, (t) => t)).toEqual({});
      expect(repeated(causedByDuplicate, (d) => d.detail.meta.eventId)).toEqual({});
      expect(repeated(seen, (d) => d.detail.meta.eventId)).toEqual({});

      // 3. every malformed event rejected: the bus refused the non-JSON one; each of the 4 it
      // accepted failed validation at every consumer it reached and was sent to that consumer's
      // DLQ with failureReason "validation". Analytics takes every city event (4); the event
      // store's ordering pipe forwards the 3 that carry meta.streamId and leaves the one without
      // meta in its intake queue (no group id: its DLQ after 3 receives × its visibility timeout, 30 s here).
      const letters = await city.deadLetters();
      const perQueue: Record<string, number> = {};
      for (const l of letters) perQueue[l.queue] = (perQueue[l.queue] ?? 0) + 1;
      // the meta-less entry: still in the intake queue, or (on a very slow run) in its DLQ
      const intake = await city.queueDepths(["EventStoreIntakeQueue"]);
      expect((intake.get("EventStoreIntakeQueue") ?? 0) + (perQueue.EventStoreIntakeDlq ?? 0)).toBe(
        1,
      );
      delete perQueue.EventStoreIntakeDlq;
      expect(perQueue).toEqual({ AnalyticsDlq: 4, EventStoreDlq: 3 });
      expect(summary.malformedRejectedByBus + (perQueue.AnalyticsDlq ?? 0)).toBe(rejected.count);
      const consumerLetters = letters.filter((l) => l.queue !== "EventStoreIntakeDlq");
      expect(consumerLetters.map((l) => l.attributes.failureReason)).toEqual(
        consumerLetters.map(() => "validation"),
      );
      const kindOf = (message = ""): string =>
        Object.entries(MALFORMED_MESSAGES).find(([, re]) => re.test(message))?.[0] ?? message;
      expect(
        consumerLetters.map((l) => `${l.queue} ${kindOf(l.attributes.failureMessage)}`).sort(),
      ).toEqual([
        "AnalyticsDlq field-out-of-range",
        "AnalyticsDlq missing-meta",
        "AnalyticsDlq unknown-detail-type",
        "AnalyticsDlq wrong-source",
        "EventStoreDlq field-out-of-range",
        "EventStoreDlq unknown-detail-type",
        "EventStoreDlq wrong-source",
      ]);

      // 4. the right final state: reordered and duplicated light changes resequenced
      const violations = stored.filter((e) => e.type === "SignalSequenceViolation");
      expect(violations.map((v) => v.detail)).toEqual([]);
      const wrong = new Map<string, string>();
      await waitFor(
        () =>
          `every intersection in its controller's last state (wrong: ${JSON.stringify([...wrong])})`,
        async () => {
          wrong.clear();
          for (const f of finals) {
            const doc = await city.readModel<{
              lights?: { vehicles: string; pedestrians: string };
            }>(`intersection#${f.intersectionId}`, "state");
            const got = `${doc?.lights?.vehicles}/${doc?.lights?.pedestrians}`;
            if (got !== `${f.state.vehicles}/${f.state.pedestrians}`)
              wrong.set(f.intersectionId, got);
          }
          return wrong.size === 0;
        },
        { timeoutMs: OUTCOME_TIMEOUT_MS, intervalMs: 200 },
      );
      expect(finals.length).toBeGreaterThan(5);
    },
    OUTCOME_TEST_TIMEOUT_MS,
  );
});
