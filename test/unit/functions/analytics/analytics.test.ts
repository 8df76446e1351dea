import { describe, expect, it } from "vitest";
import type { AnyCityEvent } from "../../../../events/catalog.ts";
import { AnalyticsService } from "../../../../functions/analytics/service.ts";
import { ManualClock } from "../../../../functions/shared/clock.ts";
import { InMemoryBus } from "../../../../functions/shared/derived.ts";
import { InMemoryDocumentStore } from "../../../../functions/shared/documents.ts";
import { cityEvent, stampContext } from "../fixtures.ts";

const MINUTE = "2026-11-23T15:04:00.000Z";
const at = (s: number) => new Date(Date.parse(MINUTE) + s * 100).toISOString();

function setup() {
  const clock = new ManualClock(Date.parse(MINUTE));
  const bus = new InMemoryBus();
  const service = new AnalyticsService({
    docs: new InMemoryDocumentStore(),
    bus: bus.publisher("analytics", () => clock.now()),
    clock,
    graceMs: 10_000,
  });
  return { clock, bus, service };
}

function readings(zone: string, n: number): AnyCityEvent[] {
  const ctx = stampContext(`cam-${zone}`);
  return Array.from({ length: n }, (_, i) =>
    cityEvent(
      "TrafficDensityMeasured",
      { location: { latitude: 1, longitude: 1, zone }, vehiclesCounted: 10, averageSpeedKmh: 30 },
      { ctx, occurredAt: at(i) },
    ),
  );
}

describe("analytics", () => {
  it("counts per zone and minute, once per event even when redelivered", async () => {
    const { service } = setup();
    const z3 = readings("z3", 200);
    for (const e of z3) service.add(e);
    await service.commit();
    for (const e of z3.slice(0, 50)) service.add(e); // redelivered
    await service.commit();
    const w = await service.minute("z3", MINUTE);
    expect(w?.totalEvents).toBe(200);
    expect(w?.countsByType).toEqual({ TrafficDensityMeasured: 200 });
    expect(w?.traffic.vehiclesCounted).toBe(2_000);
  });

  it("turns hundreds of readings into one ReadingsAggregated per zone and minute", async () => {
    const { service, bus, clock } = setup();
    for (const e of [...readings("z3", 300), ...readings("z5", 300)]) service.add(e);
    await service.commit();
    expect(bus.ofType("ReadingsAggregated")).toHaveLength(0); // minute not over yet
    clock.advance(70_000);
    service.add(
      cityEvent(
        "TrafficDensityMeasured",
        { location: { latitude: 1, longitude: 1, zone: "z3" } },
        { occurredAt: new Date(clock.now()).toISOString() },
      ),
    );
    await service.commit();
    await service.closeDue("z5");
    await service.closeDue("z5"); // closing twice emits once
    const agg = bus.ofType("ReadingsAggregated").map((e) => e.detail);
    expect(agg.map((a) => [a.zone, a.totalEvents])).toEqual([
      ["z3", 300],
      ["z5", 300],
    ]);
    expect(agg[0]?.traffic).toEqual({ samples: 300, vehiclesCounted: 3_000, averageSpeedKmh: 30 });
  });

  it("serves traffic density live, per hour and for the last 7 days", async () => {
    const { service, clock } = setup();
    for (const e of readings("z3", 10)) service.add(e);
    await service.commit();
    expect((await service.liveDensity("z3"))?.vehiclesCounted).toBe(10);
    clock.advance(70_000);
    await service.closeDue("z3");
    const hours = await service.hourlyDistribution("z3", "2026-11-23");
    expect(hours[15]).toBe(100);
    expect(hours.reduce((a, b) => a + b, 0)).toBe(100);
    const week = await service.lastSevenDays("z3");
    expect(week).toHaveLength(7);
    expect(week.at(-1)).toEqual({ day: "2026-11-23", vehiclesCounted: 100 });
  });

  it("closes a quiet zone's window once it is due, at the next invocation of any zone", async () => {
    const { service, bus, clock } = setup();
    for (const e of readings("z4", 3)) service.add(e);
    await service.commit();
    expect(bus.ofType("ReadingsAggregated")).toHaveLength(0);
    clock.advance(70_000); // minute over + grace
    // the next batch only has a z9 event (a later minute); z4 gets no event, yet closes
    service.add(
      cityEvent(
        "TrafficDensityMeasured",
        { location: { latitude: 1, longitude: 1, zone: "z9" } },
        {
          occurredAt: new Date(clock.now()).toISOString(),
        },
      ),
    );
    await service.commit();
    const closed = bus.ofType("ReadingsAggregated").map((e) => e.detail.meta.zone);
    expect(closed).toEqual(["z4"]);
    expect((await service.hourlyDistribution("z4", MINUTE.slice(0, 10)))[15]).toBe(30);
    // closed once: a later sweep does not close or roll it up again
    clock.advance(60_000);
    await service.closeAllDue();
    expect(
      bus.ofType("ReadingsAggregated").filter((e) => e.detail.meta.zone === "z4"),
    ).toHaveLength(1);
    expect((await service.hourlyDistribution("z4", MINUTE.slice(0, 10)))[15]).toBe(30);
  });
});
