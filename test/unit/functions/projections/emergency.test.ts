/**
 * The incidents and units projections (docs/OPERATIONS.md §6): the live saga's documents, after
 * dispatches, failed dispatches with compensation, a fleet without units and absorbed events,
 * equal the documents rebuilt from the events it published — without any Dispatch API call.
 */
import { describe, expect, it } from "vitest";
import type { AnyCityEvent } from "../../../../events/catalog.ts";
import { ScriptedDispatchApi } from "../../../../functions/emergency/dispatch-api.ts";
import { IncidentSaga } from "../../../../functions/emergency/saga.ts";
import { DEFAULT_FLEET_SIZE, UnitPool } from "../../../../functions/emergency/units.ts";
import { incidentsFeeder, unitsFeeder } from "../../../../functions/projections/emergency.ts";
import { diffWithLive } from "../../../../functions/projections/sync.ts";
import { CircuitBreaker, InMemoryBreakerStore } from "../../../../functions/shared/breaker.ts";
import { ManualClock } from "../../../../functions/shared/clock.ts";
import { InMemoryBus } from "../../../../functions/shared/derived.ts";
import { InMemoryDocumentStore } from "../../../../functions/shared/documents.ts";
import { cityEvent } from "../fixtures.ts";

function live(behaviour: "ok" | "fail", fleet = DEFAULT_FLEET_SIZE) {
  const docs = new InMemoryDocumentStore();
  const bus = new InMemoryBus();
  const clock = new ManualClock();
  const api = new ScriptedDispatchApi(behaviour);
  const breaker = new CircuitBreaker({
    name: "dispatch-api",
    store: new InMemoryBreakerStore(),
    clock,
    failureThreshold: 5,
    openMs: 30_000,
    timeoutMs: 50,
  });
  const saga = new IncidentSaga({
    docs,
    units: new UnitPool(docs, fleet),
    dispatchApi: api,
    breaker,
    bus: bus.publisher("emergency", () => clock.now()),
    clock,
    maxAttempts: 3,
  });
  /** Delivers like the queue: retried while the saga throws (a failed dispatch). */
  const deliver = async (e: AnyCityEvent) => {
    for (let i = 0; i < 5; i++) {
      try {
        return await saga.handle(e);
      } catch {}
    }
  };
  return { docs, bus, api, deliver };
}

const where = { latitude: 52.37, longitude: 4.89, zone: "z3", intersectionId: "i-12" };
const critical = { priority: "critical" as const };

/** The documents the projections rebuild from `events`, compared with `docs`. */
async function rebuildAndCompare(events: AnyCityEvent[], docs: InMemoryDocumentStore) {
  const rebuilt = new InMemoryDocumentStore();
  for (const feeder of [incidentsFeeder(rebuilt), unitsFeeder(rebuilt)]) {
    for (const e of events.filter(feeder.accepts)) await feeder.feed(e);
  }
  const mine = docs.partitions().filter((pk) => /^(incident|units)#/.test(pk));
  let expected = 0;
  for (const pk of mine) expected += (await docs.list(pk)).length;
  return { ...(await diffWithLive(rebuilt, docs)), expected };
}

describe("incidents and units projections", () => {
  it("a dispatch with a later event absorbed (it occurred before IncidentOpened)", async () => {
    const { docs, bus, deliver } = live("ok");
    const smoke = cityEvent("SmokeDetected", { buildingId: "b-1", location: where }, critical);
    const alarm = cityEvent(
      "FireAlarmRaised",
      { buildingId: "b-1", location: where, severity: "critical" },
      { ...critical, correlationId: smoke.detail.meta.correlationId },
    );
    expect((await deliver(smoke))?.status).toBe("dispatched");
    await deliver(alarm);
    const r = await rebuildAndCompare([smoke, alarm, ...bus.events], docs);
    expect(r.diffs).toEqual([]);
    expect(r.compared).toBe(r.expected);
    expect(r.compared).toBe(3); // saga, absorbed, the fire-engine fleet (smoke opened it)
  });

  it("failed dispatches, then compensation: units released, attempts counted", async () => {
    const { docs, bus, api, deliver } = live("fail");
    const accident = cityEvent("AccidentDetected", { location: where }, critical);
    expect((await deliver(accident))?.status).toBe("escalated");
    const calls = api.calls.length;
    expect(calls).toBe(3);
    const r = await rebuildAndCompare([accident, ...bus.events], docs);
    expect(r.diffs).toEqual([]);
    expect(r.compared).toBe(r.expected);
    expect(api.calls).toHaveLength(calls); // the rebuild called nothing
  });

  it("no unit available: escalated without a reservation", async () => {
    const { docs, bus, deliver } = live("ok", { ...DEFAULT_FLEET_SIZE, police: 0 });
    const accident = cityEvent("AccidentDetected", { location: where }, critical);
    expect((await deliver(accident))?.status).toBe("escalated");
    const r = await rebuildAndCompare([accident, ...bus.events], docs);
    // the incident's saga document; the fleets were only touched by the reservation undone
    expect(r.diffs).toEqual([]);
    expect(r.compared).toBe(1);
  });
});
