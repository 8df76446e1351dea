import { describe, expect, it } from "vitest";
import { CATALOG } from "../../../events/catalog.ts";
import type { AnyEventDraft } from "../../../events/draft.ts";
import { createStampContext, draftProblems, stampDraft } from "../../../events/draft.ts";
import { DERIVED_SOURCES, EVENT_TYPES, SOURCE_OF } from "../../../events/names.ts";
import { parseCityEvent } from "../../../events/validate.ts";
import { buildCity } from "../../../simulator/city.ts";
import { createProducers, producerOf } from "../../../simulator/producers/index.ts";
import { Rng } from "../../../simulator/rng.ts";

const city = buildCity(42);
const rng = new Rng(42);
const p = createProducers(city, rng.fork("producers"));
const first = <T>(m: ReadonlyMap<string, T>): T => {
  const v = m.values().next().value;
  if (v === undefined) throw new Error("empty producer map");
  return v;
};

/** Validates drafts the way the bus sees them: stamped by a publisher, parsed as EventBridge events. */
function expectValid(producerId: string, drafts: readonly AnyEventDraft[]): void {
  expect(draftProblems(drafts)).toEqual([]);
  const ctx = createStampContext({
    producerId,
    now: () => Date.UTC(2026, 5, 1),
    random: () => 0.5,
  });
  for (const d of drafts) {
    const event = stampDraft(d, ctx);
    const parsed = parseCityEvent({
      source: event.source,
      "detail-type": event.detailType,
      detail: JSON.parse(JSON.stringify(event.detail)),
    });
    expect(parsed.source).toBe(SOURCE_OF[d.type]);
  }
}

const alert = {
  alertId: "wx-1",
  level: "red",
  kind: "storm",
  zones: ["z1", "z2"],
  headline: "Storm",
  validFrom: "2026-06-01T06:00:00.000Z",
  validUntil: "2026-06-01T09:00:00.000Z",
  intensity: 9,
  windSpeedKmh: 120,
} as const;

describe("every producer's drafts pass the catalog", () => {
  it("weather stations: alerts issued and cancelled, every level", () => {
    for (const w of p.weather) {
      const zones = [w.station.zone];
      expectValid(
        w.producerId,
        (["yellow", "orange", "red"] as const).flatMap((level) => [
          w.issue({ ...alert, level, zones }),
          w.cancel({ ...alert, level, zones }, "passed"),
        ]),
      );
    }
  });

  it("AI cameras: routine and low-confidence anomalies, urgent sightings, intrusions", () => {
    const building = city.buildings[0];
    if (!building) throw new Error("no building");
    for (const cam of p.cameras.values()) {
      expectValid(cam.producerId, [
        cam.anomaly(rng, false),
        cam.anomaly(rng, true),
        cam.sighting("crowd-surge", 0.95, 9),
        cam.intrusion(building, rng, 0.9),
      ]);
    }
  });

  it("low-confidence camera readings are info, routine ones normal", () => {
    const cam = first(p.cameras);
    const low = cam.anomaly(rng, true);
    const routine = cam.anomaly(rng, false);
    if (low.type !== "CameraAnomalyDetected" || routine.type !== "CameraAnomalyDetected") {
      throw new Error("camera produced another type");
    }
    expect(CATALOG.CameraAnomalyDetected.priority(low.payload)).toBe("info");
    expect(CATALOG.CameraAnomalyDetected.priority(routine.payload)).toBe("normal");
  });

  it("density feeds: every zone, ordinary and rush-hour load", () => {
    for (const f of p.densityFeeds) {
      expectValid(f.producerId, [
        f.measure(rng, 60, 1),
        f.measure(rng, 20, 2.5),
        f.measure(rng, 6, 4),
      ]);
    }
  });

  it("fire panels (smoke/heat and alarm) and gas sensors, every building", () => {
    for (const f of p.firePanels.values()) {
      expectValid(f.producerId, [f.smoke(2, 8, 30), f.smoke(3, 30, 70), f.alarm(99, 80, "smoke")]);
    }
    for (const g of p.gasSensors.values()) {
      expectValid(g.producerId, [g.leak("methane", 800), g.leak("carbon-monoxide", 450)]);
    }
    expect(p.gasSensors.size).toBeGreaterThan(0);
  });

  it("collision sensors, every severity", () => {
    for (const c of p.collisionSensors.values()) {
      expectValid(c.producerId, [c.accident("low", 2, 0, 1), c.accident("critical", 4, 5, 3)]);
    }
  });

  it("traffic-light controllers through two full cycles", () => {
    for (const tl of p.trafficLights.values()) {
      expectValid(
        tl.producerId,
        Array.from({ length: 10 }, () => tl.next()),
      );
    }
  });

  it("transit GPS: trains arriving and buses departing along their lines", () => {
    for (const t of p.trains)
      expectValid(
        t.producerId,
        Array.from({ length: 6 }, () => t.arrive(rng)),
      );
    for (const b of p.buses) {
      expectValid(
        b.producerId,
        Array.from({ length: 10 }, () => b.depart(rng, 900, 2.2)),
      );
    }
  });

  it("light sensors: sunrise, sunset and street lights", () => {
    for (const l of p.lightSensors.values()) {
      expectValid(l.producerId, [
        l.daylight("sunrise", rng),
        l.switchLights("off", "daylight", rng),
        l.daylight("sunset", rng),
        l.switchLights("on", "daylight", rng),
        l.switchLights("dimmed", "schedule", rng),
      ]);
    }
  });

  it("event organisers at every venue", () => {
    expect(p.organisers.size).toBeGreaterThan(0);
    for (const o of p.organisers.values()) {
      expectValid(o.producerId, [
        o.start({
          publicEventId: "concert-1",
          name: "Concert",
          kind: "concert",
          expectedAttendance: 18_000,
          durationMinutes: 120,
          startsAtMs: Date.UTC(2026, 5, 1, 19),
        }),
      ]);
    }
  });

  it("covers every event type a city device produces (all but the services' derived ones)", () => {
    const made = new Set<string>();
    const cam = first(p.cameras);
    const panel = first(p.firePanels);
    const light = first(p.lightSensors);
    const w = p.weather[0];
    const t = p.trains[0];
    const b = p.buses[0];
    const density = p.densityFeeds[0];
    if (!w || !t || !b || !density || !city.buildings[0]) throw new Error("city lacks producers");
    for (const d of [
      w.issue({ ...alert, zones: [w.station.zone] }),
      w.cancel({ ...alert, zones: [w.station.zone] }, "over"),
      first(p.trafficLights).next(),
      first(p.collisionSensors).accident("low", 1, 0, 0),
      panel.alarm(1, 60),
      panel.smoke(1, 5, 25),
      first(p.gasSensors).leak("propane", 100),
      cam.anomaly(rng, true),
      cam.intrusion(city.buildings[0], rng, 0.5),
      light.switchLights("on", "daylight", rng),
      light.daylight("sunset", rng),
      t.arrive(rng),
      b.depart(rng),
      first(p.organisers).start({
        publicEventId: "e",
        name: "Market",
        kind: "market",
        expectedAttendance: 100,
        durationMinutes: 60,
        startsAtMs: 0,
      }),
      density.measure(rng, 60, 1),
    ]) {
      made.add(d.type);
    }
    const deviceTypes = EVENT_TYPES.filter((t) => !DERIVED_SOURCES.includes(SOURCE_OF[t]));
    expect([...made].sort()).toEqual([...deviceTypes].sort());
  });

  it("looks producers up by key or names what exists", () => {
    expect(producerOf(p.trafficLights, "i-3", "controller").producerId).toBe("tlc-i-3");
    expect(() => producerOf(p.lightSensors, "z99", "light sensor")).toThrow(
      /No light sensor for "z99" \(known: z1, z2/,
    );
  });
});
