/**
 * Late events correct the aggregates: a zone-minute that closed with 6 events and then received
 * 126 more (after its grace period) is restated, so the latest ReadingsAggregated of the minute
 * states all 132 stored events and the hourly roll-up counts every reading once.
 */
import { describe, expect, it } from "vitest";
import type { AnyCityEvent } from "../../../../events/catalog.ts";
import { AnalyticsService } from "../../../../functions/analytics/service.ts";
import { CachedDocumentStore } from "../../../../functions/shared/cached-documents.ts";
import { ManualClock } from "../../../../functions/shared/clock.ts";
import { InMemoryBus } from "../../../../functions/shared/derived.ts";
import { InMemoryDocumentStore } from "../../../../functions/shared/documents.ts";
import { cityEvent, stampContext } from "../fixtures.ts";

const MINUTE = "2026-11-23T15:04:00.000Z";
const at = (i: number) => new Date(Date.parse(MINUTE) + i * 100).toISOString();

function readings(zone: string, from: number, n: number): AnyCityEvent[] {
  const ctx = stampContext(`cam-late-${zone}-${from}`);
  return Array.from({ length: n }, (_, i) =>
    cityEvent(
      "TrafficDensityMeasured",
      { location: { latitude: 1, longitude: 1, zone }, vehiclesCounted: 10, averageSpeedKmh: 30 },
      { ctx, occurredAt: at(from + i) },
    ),
  );
}

function setup() {
  const clock = new ManualClock(Date.parse(MINUTE));
  const bus = new InMemoryBus();
  const store = new InMemoryDocumentStore();
  const instance = () =>
    new AnalyticsService({
      docs: new CachedDocumentStore(store, { now: () => clock.now() }),
      bus: bus.publisher("analytics", () => clock.now()),
      clock,
      graceMs: 10_000,
    });
  const aggregates = () =>
    bus.ofType("ReadingsAggregated").filter((e) => e.detail.windowStart === MINUTE);
  return { clock, bus, store, instance, aggregates };
}

async function batch(service: AnalyticsService, events: readonly AnyCityEvent[]) {
  for (const e of events) service.add(e);
  await service.commit();
}

describe("analytics: late events", () => {
  it("restates a closed minute so its latest aggregate equals the stored window (6 then 132)", async () => {
    const { clock, instance, aggregates } = setup();
    const service = instance();
    await batch(service, readings("z3", 0, 6));
    clock.advance(75_000); // the minute plus its 10 s grace is over
    await batch(service, []);
    expect(aggregates().map((a) => a.detail.totalEvents)).toEqual([6]);
    // 126 events of that minute arrive late (a backlog), in two batches, one per instance
    const late = readings("z3", 6, 126);
    await batch(service, late.slice(0, 60));
    await batch(instance(), late.slice(60));
    await batch(service, [...late.slice(0, 10)]); // and some redelivered: counted once
    const reader = instance(); // a fresh reader (each instance caches what it wrote)
    const stored = await reader.minute("z3", MINUTE);
    expect(stored?.totalEvents).toBe(132);
    const all = aggregates();
    expect(all.at(-1)?.detail.totalEvents).toBe(132);
    expect(all.at(-1)?.detail.traffic?.samples).toBe(132);
    expect(new Set(all.map((a) => a.detail.meta.eventId)).size).toBe(all.length);
    // the hour counts each reading once across the aggregate and its revisions
    const hours = await reader.hourlyDistribution("z3", MINUTE.slice(0, 10));
    expect(hours[15]).toBe(132 * 10);
  });

  it("a redelivered late event changes nothing and emits no revision", async () => {
    const { clock, instance, aggregates } = setup();
    const service = instance();
    const events = readings("z4", 0, 5);
    await batch(service, events);
    clock.advance(75_000);
    await batch(service, []);
    await batch(service, events.slice(0, 3));
    await batch(service, []);
    expect(aggregates().map((a) => a.detail.totalEvents)).toEqual([5]);
  });

  it("late events merged while another instance closes the window are restated, not lost", async () => {
    const { clock, bus, store, instance, aggregates } = setup();
    await batch(instance(), readings("z3", 0, 6));
    clock.advance(75_000); // due now; no instance closed it yet
    // Paused on purpose: closer A has emitted the aggregate (6) and is about to drop the window
    // from the open list when merger B writes 20 late events (the window is still listed) and
    // only then reads the open list to close the zone.
    let bAtClose = () => {};
    const bReachedClose = new Promise<void>((r) => {
      bAtClose = r;
    });
    let aRemoved = () => {};
    const aDone = new Promise<void>((r) => {
      aRemoved = r;
    });
    let merging: Promise<void> | undefined;
    const paused = (onGet: (sk: string) => Promise<void>, onPut: (sk: string) => Promise<void>) =>
      new AnalyticsService({
        docs: {
          get: async <T>(pk: string, sk: string) => {
            await onGet(sk);
            return store.get<T>(pk, sk);
          },
          put: async (pk, sk, value, version) => {
            await onPut(sk);
            return store.put(pk, sk, value, version);
          },
          list: (pk) => store.list(pk),
          add: (pk, sk, deltas) => store.add(pk, sk, deltas),
        },
        bus: bus.publisher("analytics", () => clock.now()),
        clock,
        graceMs: 10_000,
      });
    let bOpenReads = 0;
    const b = paused(
      async (sk) => {
        if (sk === "open" && ++bOpenReads === 2) {
          bAtClose();
          await aDone;
        }
      },
      async () => {},
    );
    let aOpenPuts = 0;
    const a = paused(
      async () => {},
      async (sk) => {
        if (sk !== "open" || ++aOpenPuts !== 1) return;
        merging = batch(b, readings("z3", 6, 20));
        await bReachedClose;
      },
    );
    const closing = a.closeDue("z3").then(aRemoved);
    await closing;
    await merging;
    expect((await instance().minute("z3", MINUTE))?.totalEvents).toBe(26);
    expect(aggregates().map((x) => x.detail.totalEvents)).toEqual([6, 26]);
  });

  it("two instances closing one window at once publish its aggregate once", async () => {
    const { clock, instance, aggregates } = setup();
    await batch(instance(), readings("z3", 0, 6));
    clock.advance(75_000);
    const [a, b] = [instance(), instance()];
    await Promise.all([a.closeDue("z3"), b.closeDue("z3")]);
    await batch(instance(), []); // a later sweep: nothing left to state
    expect(aggregates().map((x) => x.detail.totalEvents)).toEqual([6]);
  });
});
