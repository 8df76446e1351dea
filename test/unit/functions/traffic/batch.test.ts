/**
 * Traffic per batch: one read and one conditional write per intersection, idempotency kept in
 * the intersection's state (no idempotency table), a concurrent writer detected by the version,
 * and derived events never lost between the write and the publish (the state's outbox).
 */
import { describe, expect, it } from "vitest";
import type { LightState } from "../../../../events/catalog/common.ts";
import type { AnyCityEvent } from "../../../../events/catalog.ts";
import { CachedDocumentStore } from "../../../../functions/shared/cached-documents.ts";
import { ManualClock } from "../../../../functions/shared/clock.ts";
import { InMemoryBus } from "../../../../functions/shared/derived.ts";
import { InMemoryDocumentStore } from "../../../../functions/shared/documents.ts";
import type { IntersectionState } from "../../../../functions/traffic/intersection.ts";
import { TrafficService } from "../../../../functions/traffic/service.ts";
import { cityEvent, stampContext } from "../fixtures.ts";

const G_R: LightState = { vehicles: "green", pedestrians: "red" };
const Y_R: LightState = { vehicles: "yellow", pedestrians: "red" };
const R_R: LightState = { vehicles: "red", pedestrians: "red" };
const R_G: LightState = { vehicles: "red", pedestrians: "green" };
const CYCLE = [G_R, Y_R, R_R, R_G, R_R, G_R, Y_R, R_R];
const LOCATION = { latitude: 52.37, longitude: 4.89, zone: "z3", intersectionId: "i-7" } as const;

/** Counts the store's reads and writes (the DynamoDB requests on AWS). */
class CountingDocs extends InMemoryDocumentStore {
  gets = 0;
  puts = 0;
  override async get<T>(pk: string, sk: string) {
    this.gets += 1;
    return super.get<T>(pk, sk);
  }
  override async put<T>(pk: string, sk: string, value: T, expectedVersion: number) {
    this.puts += 1;
    return super.put(pk, sk, value, expectedVersion);
  }
}

function changes(states: LightState[]): AnyCityEvent[] {
  const ctx = stampContext("tlc-i7");
  return states
    .slice(1)
    .map((s, i) =>
      cityEvent(
        "TrafficLightChanged",
        { location: LOCATION, oldState: states[i], newState: s },
        { ctx },
      ),
    );
}

/** Fault injection: while `down`, publishing derived events fails. */
const outage = { down: false };

function container(store: InMemoryDocumentStore, bus: InMemoryBus, clock: ManualClock) {
  const publisher = bus.publisher("traffic", () => clock.now());
  return new TrafficService({
    docs: new CachedDocumentStore(store, { now: () => clock.now() }),
    bus: {
      publishDerived: async (cause, drafts) => {
        if (outage.down) throw new Error("injected: the bus is unavailable");
        return publisher.publishDerived(cause, drafts);
      },
    },
    clock,
    resequencing: { holdMs: 5_000, maxHeld: 20 },
  });
}

async function batch(service: TrafficService, events: readonly AnyCityEvent[]) {
  for (const [i, e] of events.entries()) await service.add(e, `m-${e.detail.meta.eventId}-${i}`);
  return service.commit();
}

describe("traffic: one read and one write per intersection and batch", () => {
  it("a batch of light changes costs one get and one put; the next batch only a put", async () => {
    const store = new CountingDocs();
    const clock = new ManualClock();
    const service = container(store, new InMemoryBus(), clock);
    const all = changes(CYCLE);
    await batch(service, all.slice(0, 4));
    expect({ gets: store.gets, puts: store.puts }).toEqual({ gets: 1, puts: 1 });
    await batch(service, all.slice(4));
    expect({ gets: store.gets, puts: store.puts }).toEqual({ gets: 1, puts: 2 });
    const state = await service.intersection("i-7");
    expect(state?.lights).toEqual(R_R);
    expect(state?.appliedChanges).toBe(7);
    expect(state?.violations).toBe(0);
  });

  it("a redelivered batch (same records again) changes nothing and writes nothing", async () => {
    const store = new CountingDocs();
    const bus = new InMemoryBus();
    const service = container(store, bus, new ManualClock());
    const accident = cityEvent("AccidentDetected", { location: LOCATION, severity: "high" });
    const density = cityEvent("TrafficDensityMeasured", { location: LOCATION });
    const records = [...changes(CYCLE.slice(0, 3)), accident, density];
    await batch(service, records);
    const puts = store.puts;
    const { failures } = await batch(service, records);
    expect(failures).toEqual([]);
    expect(store.puts).toBe(puts);
    expect(bus.ofType("TrafficRerouted")).toHaveLength(1);
    const after = await service.intersection("i-7");
    expect(after?.appliedChanges).toBe(2);
    expect(after?.duplicatesDropped).toBe(0);
  });
});

describe("traffic: a copy of an event in the same batch", () => {
  it("is applied and announced once (a FIFO receive hands a group's run over together)", async () => {
    const store = new CountingDocs();
    const bus = new InMemoryBus();
    const service = container(store, bus, new ManualClock());
    const accident = cityEvent("AccidentDetected", { location: LOCATION, severity: "high" });
    const lights = changes(CYCLE.slice(0, 3));
    const records = [...lights, accident, ...lights, accident];
    const { failures } = await batch(service, records);
    expect(failures).toEqual([]);
    expect(bus.ofType("TrafficRerouted")).toHaveLength(1);
    const ids = bus.events.map((e) => e.detail.meta.eventId);
    expect(new Set(ids).size).toBe(ids.length);
    const after = await service.intersection("i-7");
    expect(after?.appliedChanges).toBe(2);
    expect(store.puts).toBe(2); // the state with its outbox, then the outbox cleared
  });
});

describe("traffic: two containers on one intersection", () => {
  it("a stale cache meets the version check, re-reads and applies in sequence order", async () => {
    const store = new InMemoryDocumentStore();
    const bus = new InMemoryBus();
    const clock = new ManualClock();
    const a = container(store, bus, clock);
    const b = container(store, bus, clock);
    const all = changes(CYCLE);
    await batch(a, all.slice(0, 2)); // a and b both cache version 1 after these
    await b.intersection("i-7");
    await batch(a, all.slice(2, 4)); // version 2: b's cache is stale now
    await batch(b, all.slice(4, 6)); // conflict -> re-read -> fold again
    await batch(a, all.slice(6)); // a's cache is stale too
    const state = await a.intersection("i-7");
    expect(state?.appliedChanges).toBe(7);
    expect(state?.lastSequence).toEqual({ [all[0]?.detail.meta.producerId ?? ""]: 7 });
    expect(state?.held).toEqual([]);
    expect(state?.violations).toBe(0);
    expect(bus.ofType("SignalSequenceViolation")).toHaveLength(0);
  });
});

describe("traffic: derived events are written with the state, then published", () => {
  it("a publish that fails after the write fails the records; the redelivery publishes the outbox once", async () => {
    const store = new InMemoryDocumentStore();
    const bus = new InMemoryBus();
    const clock = new ManualClock();
    const a = container(store, bus, clock);
    const accident = cityEvent("AccidentDetected", { location: LOCATION, severity: "high" });
    outage.down = true;
    const first = await batch(a, [accident]);
    outage.down = false;
    expect(first.failures.map((f) => f.messageId)).toHaveLength(1);
    expect((await a.intersection("i-7"))?.mode).toBe("emergency"); // the state was written
    expect(bus.ofType("TrafficRerouted")).toHaveLength(0);
    // The redelivered record, in another container (no cache): the outbox goes out first, the
    // record itself is a duplicate of what the state already holds.
    const b = container(store, bus, clock);
    expect((await batch(b, [accident])).failures).toEqual([]);
    expect(bus.ofType("TrafficRerouted")).toHaveLength(1);
    await batch(b, [cityEvent("TrafficDensityMeasured", { location: LOCATION })]);
    expect(bus.ofType("TrafficRerouted")).toHaveLength(1);
  });

  it("an outbox published once is cleared: another container or a saga step never re-publishes it", async () => {
    const store = new InMemoryDocumentStore();
    const bus = new InMemoryBus();
    const clock = new ManualClock();
    const accident = cityEvent("AccidentDetected", { location: LOCATION, severity: "high" });
    await batch(container(store, bus, clock), [accident]);
    expect((await container(store, bus, clock).intersection("i-7"))?.outbox).toBeUndefined();
    const other = container(store, bus, clock);
    await batch(other, [cityEvent("TrafficDensityMeasured", { location: LOCATION })]);
    await batch(other, [
      cityEvent("UnitsReserved", { incidentId: "inc-accident-1", location: LOCATION }),
    ]);
    expect(bus.ofType("TrafficRerouted")).toHaveLength(1);
  });
});

/** The intersection as stored (no container's cache in between). */
const stored = async (store: InMemoryDocumentStore) =>
  (await store.get<IntersectionState>("intersection#i-7", "state"))?.value;

/** A traffic container whose first publish waits until released (a writer paused mid-publish). */
function pausedWriter(store: InMemoryDocumentStore, bus: InMemoryBus, clock: ManualClock) {
  const publisher = bus.publisher("traffic", () => clock.now());
  let release = () => {};
  const released = new Promise<void>((r) => {
    release = r;
  });
  let entered = () => {};
  const publishing = new Promise<void>((r) => {
    entered = r;
  });
  let first = true;
  const service = new TrafficService({
    docs: new CachedDocumentStore(store, { now: () => clock.now() }),
    bus: {
      publishDerived: async (cause, drafts) => {
        if (first) {
          first = false;
          entered();
          await released;
        }
        return publisher.publishDerived(cause, drafts);
      },
    },
    clock,
    resequencing: { holdMs: 5_000, maxHeld: 20 },
  });
  return { service, publishing, release };
}

describe("traffic: a saga step beside a writer still publishing its outbox", () => {
  it("the accident's reroute goes on the bus once when units are reserved meanwhile", async () => {
    const store = new InMemoryDocumentStore();
    const bus = new InMemoryBus();
    const clock = new ManualClock();
    const writer = pausedWriter(store, bus, clock);
    const accident = cityEvent("AccidentDetected", { location: LOCATION, severity: "high" });
    const pending = batch(writer.service, [accident]);
    await writer.publishing; // the state and its outbox are written; the publish is under way
    const saga = container(store, bus, clock);
    await saga.handle(
      cityEvent("UnitsReserved", { incidentId: "inc-accident-1", location: LOCATION }),
    );
    writer.release();
    expect((await pending).failures).toEqual([]);
    expect(bus.ofType("TrafficRerouted")).toHaveLength(1);
    expect((await stored(store))?.outbox).toBeUndefined();
  });

  it("a pre-emption written meanwhile carries the outbox; the writer then drops only its entries", async () => {
    const store = new InMemoryDocumentStore();
    const bus = new InMemoryBus();
    const clock = new ManualClock();
    const writer = pausedWriter(store, bus, clock);
    const pending = batch(writer.service, changes([G_R, R_R])); // green -> red: a violation
    await writer.publishing;
    const saga = container(store, bus, clock);
    await saga.handle(
      cityEvent("UnitsDispatched", {
        incidentId: "inc-fire-1",
        location: { ...LOCATION, intersectionId: "i-9" },
        route: { intersectionIds: ["i-7", "i-8"] },
      }),
    );
    expect((await stored(store))?.outbox).toHaveLength(1); // carried, not published
    writer.release();
    expect((await pending).failures).toEqual([]);
    expect(bus.ofType("SignalSequenceViolation")).toHaveLength(1);
    const state = await stored(store);
    expect(state?.outbox).toBeUndefined();
    expect(state?.mode).toBe("preempted");
    expect(state?.violations).toBe(1);
  });
});
