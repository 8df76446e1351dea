import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { LightState } from "../../../../events/catalog/common.ts";
import type { AnyCityEvent } from "../../../../events/catalog.ts";
import { ManualClock } from "../../../../functions/shared/clock.ts";
import { InMemoryBus } from "../../../../functions/shared/derived.ts";
import { InMemoryDocumentStore } from "../../../../functions/shared/documents.ts";
import { incidentIdOf } from "../../../../functions/shared/incident.ts";
import { TrafficService } from "../../../../functions/traffic/service.ts";
import { cityEvent, stampContext } from "../fixtures.ts";

const G_R: LightState = { vehicles: "green", pedestrians: "red" };
const Y_R: LightState = { vehicles: "yellow", pedestrians: "red" };
const R_R: LightState = { vehicles: "red", pedestrians: "red" };
const R_G: LightState = { vehicles: "red", pedestrians: "green" };
/** A legal cycle: vehicles red -> pedestrians green -> pedestrians red -> vehicles green. */
const CYCLE = [G_R, Y_R, R_R, R_G, R_R, G_R];
const LOCATION = {
  latitude: 52.3731,
  longitude: 4.8922,
  zone: "z3",
  intersectionId: "i-12",
} as const;

function setup(holdMs = 5_000) {
  const docs = new InMemoryDocumentStore();
  const bus = new InMemoryBus();
  const clock = new ManualClock();
  const service = new TrafficService({
    docs,
    bus: bus.publisher("traffic", () => clock.now()),
    clock,
    resequencing: { holdMs, maxHeld: 20 },
  });
  return { docs, bus, clock, service };
}

/** Light changes along `states` from one controller, sequences 1..n. */
function changes(states: LightState[]): AnyCityEvent[] {
  const ctx = stampContext("tlc-i12");
  const out: AnyCityEvent[] = [];
  for (let i = 1; i < states.length; i++) {
    out.push(
      cityEvent(
        "TrafficLightChanged",
        { location: LOCATION, oldState: states[i - 1], newState: states[i] },
        { ctx },
      ),
    );
  }
  return out;
}

describe("traffic: light cycle", () => {
  it("applies a legal cycle in order with no violation", async () => {
    const { service, bus } = setup();
    for (const e of changes(CYCLE)) await service.handle(e);
    const state = await service.intersection("i-12");
    expect(state?.lights).toEqual(G_R);
    expect(state?.appliedChanges).toBe(5);
    expect(bus.ofType("SignalSequenceViolation")).toHaveLength(0);
  });

  it("flags green -> red without yellow as a SignalSequenceViolation", async () => {
    const { service, bus } = setup();
    for (const e of changes([G_R, R_R])) await service.handle(e);
    const [v] = bus.ofType("SignalSequenceViolation");
    expect(v?.detail.rule).toBe("green-to-red-without-yellow");
    expect(v?.detail.location.intersectionId).toBe("i-12");
  });

  it("flags two conflicting greens", async () => {
    const { service, bus } = setup();
    const [e] = changes([R_G, { vehicles: "green", pedestrians: "green" }]);
    if (!e) throw new Error("fixture");
    await service.handle(e);
    expect(bus.ofType("SignalSequenceViolation").map((v) => v.detail.rule)).toContain(
      "conflicting-greens",
    );
  });
});

describe("traffic: resequencing", () => {
  it("ends in the right state from out-of-order and duplicated deliveries", async () => {
    const { service, bus } = setup();
    const [c1, c2, c3, c4, c5] = changes(CYCLE);
    if (!c1 || !c2 || !c3 || !c4 || !c5) throw new Error("fixture");
    for (const e of [c3, c1, c1, c2, c5, c4, c3]) await service.handle(e);
    const state = await service.intersection("i-12");
    expect(state?.lights).toEqual(G_R);
    expect(state?.appliedChanges).toBe(5);
    // the same events again are redeliveries (their ids are in recentEventIds): skipped, not
    // counted; a controller re-sending a sequence under a new event id is a duplicate dropped
    expect(state?.duplicatesDropped).toBe(0);
    expect(state?.recentEventIds).toEqual(
      expect.arrayContaining([c1, c2, c3, c4, c5].map((c) => c.detail.meta.eventId)),
    );
    const resent = structuredClone(c2);
    (resent.detail.meta as { eventId: string }).eventId = "01KM0000000000000000000000";
    await service.handle(resent);
    expect((await service.intersection("i-12"))?.duplicatesDropped).toBe(1);
    expect(state?.held).toEqual([]);
    expect(bus.ofType("SignalSequenceViolation")).toHaveLength(0);
  });

  it("holds a gap for the configured time, then applies and flags it", async () => {
    const { service, bus, clock } = setup(5_000);
    const [c1, , c3] = changes(CYCLE.slice(0, 4));
    if (!c1 || !c3) throw new Error("fixture");
    await service.handle(c1);
    await service.handle(c3);
    expect((await service.intersection("i-12"))?.held).toHaveLength(1);
    clock.advance(5_000);
    await service.handle(cityEvent("TrafficDensityMeasured", { location: LOCATION }));
    const state = await service.intersection("i-12");
    expect(state?.held).toEqual([]);
    expect(state?.lights).toEqual(R_G);
    const rules = bus.ofType("SignalSequenceViolation").map((v) => v.detail);
    expect(rules[0]).toMatchObject({
      rule: "sequence-gap-expired",
      expectedSequence: 2,
      observedSequence: 3,
    });
  });

  it("any order with duplicates ends like the in-order run (property)", async () => {
    const events = changes([...CYCLE, ...CYCLE.slice(1)]);
    await fc.assert(
      fc.asyncProperty(
        fc.shuffledSubarray(events, { minLength: events.length }),
        fc.array(fc.nat(events.length - 1), { maxLength: 5 }),
        async (order, dupIdx) => {
          const { service, bus } = setup(60_000);
          const delivery = [...order, ...dupIdx.map((i) => events[i] as AnyCityEvent)];
          for (const e of delivery) await service.handle(e);
          const state = await service.intersection("i-12");
          expect(state?.lights).toEqual(G_R);
          expect(state?.appliedChanges).toBe(events.length);
          expect(bus.ofType("SignalSequenceViolation")).toHaveLength(0);
        },
      ),
      { numRuns: 40, seed: 7 },
    );
  });
});

describe("traffic: emergency mode", () => {
  it("switches to emergency mode and reroutes once on an accident, even delivered twice", async () => {
    const { service, bus } = setup();
    const accident = cityEvent("AccidentDetected", { location: LOCATION });
    await service.handle(accident);
    await service.handle(accident);
    const state = await service.intersection("i-12");
    expect(state?.mode).toBe("emergency");
    const reroutes = bus.ofType("TrafficRerouted");
    expect(new Set(reroutes.map((r) => r.detail.meta.eventId)).size).toBe(1);
    expect(reroutes[0]?.detail).toMatchObject({
      incidentId: incidentIdOf(accident),
      closedIntersectionIds: ["i-12"],
      detourIntersectionIds: ["i-11", "i-13"],
    });
    expect(reroutes[0]?.detail.meta.causationId).toBe(accident.detail.meta.eventId);
  });

  it("pre-empts the route on UnitsDispatched and lifts it when dispatch fails (compensation)", async () => {
    const { service } = setup();
    const incidentId = "inc-test-1";
    await service.handle(
      cityEvent("UnitsDispatched", {
        incidentId,
        location: LOCATION,
        route: { intersectionIds: ["i-4", "i-9"] },
      }),
    );
    expect((await service.intersection("i-4"))?.mode).toBe("preempted");
    expect((await service.intersection("i-12"))?.mode).toBe("preempted");
    await service.handle(cityEvent("DispatchFailed", { incidentId, location: LOCATION }));
    for (const id of ["i-4", "i-9", "i-12"]) {
      expect((await service.intersection(id))?.mode).toBe("normal");
    }
  });

  it("gives a route's intersection its census zone, whichever event touches it first", async () => {
    // the fire is at i-48 (z8); its route passes i-46, which the census puts in z7
    const at48 = { ...LOCATION, zone: "z8", intersectionId: "i-48" };
    const at46 = { ...LOCATION, zone: "z7", intersectionId: "i-46" };
    const dispatch = cityEvent("UnitsDispatched", {
      incidentId: "inc-test-2",
      location: at48,
      route: { intersectionIds: ["i-46", "i-47", "i-48"] },
    });
    const change = cityEvent("TrafficLightChanged", {
      location: at46,
      oldState: G_R,
      newState: Y_R,
    });
    for (const order of [
      [dispatch, change],
      [change, dispatch],
    ]) {
      const { service } = setup();
      for (const e of order) await service.handle(e);
      const zones = await Promise.all(
        ["i-46", "i-47", "i-48"].map(async (id) => (await service.intersection(id))?.zone),
      );
      expect(zones).toEqual(["z7", "z8", "z8"]);
    }
  });
});
