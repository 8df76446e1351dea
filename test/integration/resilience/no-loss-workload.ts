/**
 * The no-loss test's events (no-loss.test.ts): 40 accidents and 20 red weather alerts among
 * sensor and transit readings of many sensors. Planned up front, stamped when published, so an
 * event occurs when it is sent, as a producer's does (the event store's duplicate look-back and
 * the analytics minute windows then see the traffic a city sends, not events ten days old).
 */
import type { AnyCityEvent } from "../../../events/catalog.ts";
import type { StampContext } from "../../../events/draft.ts";
import { streamIdOf } from "../../../events/envelope.ts";
import { cityEvent, stampContext } from "../../unit/functions/fixtures.ts";

/** An event to publish: its event-store stream, and its stamping (at most once). */
export interface PlannedEvent {
  readonly stream: string;
  stamp(): AnyCityEvent;
}

/** Sensor and transit events for the event store, analytics, traffic (FIFO) and media. */
const FILLER = [
  "TrafficDensityMeasured",
  "StreetLightsSwitched",
  "TrainArrived",
  "BusDeparted",
  "PublicEventStarted",
] as const;

/** The filler types placed at an intersection (the traffic function receives them too). */
const AT_INTERSECTION = new Set<string>(["TrafficDensityMeasured", "BusDeparted"]);

/**
 * About this many filler events per sensor. Each sensor is its zone's only one (a stream of the
 * event store), and a stream's view in an environment keeps 500 event ids: a stream past that
 * inside the store's look-back re-reads its commits on every append (docs/RELIABILITY.md, "Known
 * limits").
 */
const EVENTS_PER_SENSOR = 200;

/**
 * `total` events: 40 accidents (each an incident to dispatch and a zone to notify) and 20 weather
 * alerts (two zones each) spread over the first `withSideEffects` events, the rest readings of
 * at least five sensors (one per ~200 events, types in turn): sensor `j` in zone `z<9 + j>`
 * (zones z1-z8 are the alerts'), at intersection `i-<200 + j>` when its type has one.
 */
export function workload(total: number, withSideEffects: number): PlannedEvent[] {
  const zone = (i: number) => `z${1 + (i % 8)}`;
  const place = (i: number) => ({ latitude: 47.3, longitude: 8.5, zone: zone(i) });
  const accidents = Array.from({ length: 40 }, (_, i) =>
    planned(zone(i), stampContext(`collision-${i}`), (ctx, occurredAt) =>
      cityEvent(
        "AccidentDetected",
        {
          sensorId: `collision-${i}`,
          location: { ...place(i), intersectionId: `i-${100 + i}` },
          severity: "high",
        },
        { ctx, occurredAt },
      ),
    ),
  );
  const alerts = Array.from({ length: 20 }, (_, i) =>
    planned(zone(i), stampContext(`weather-${i}`), (ctx, occurredAt) =>
      cityEvent(
        "WeatherAlertIssued",
        { alertId: `wx-noloss-${i}`, location: place(i), zones: [zone(i), zone(i + 3)] },
        { ctx, occurredAt },
      ),
    ),
  );
  const sensors = fillerSensors(total);
  const special = [...accidents, ...alerts];
  const every = Math.max(1, Math.floor(withSideEffects / special.length));
  const all: PlannedEvent[] = [];
  for (let i = 0; all.length < total; i++) {
    const extra = i % every === 0 ? special[i / every] : undefined;
    if (extra) all.push(extra);
    const s = sensors[i % sensors.length];
    if (s && all.length < total) all.push(s());
  }
  return all;
}

/** One event of a producer (its stamp context) in `zone`'s stream. */
function planned(
  zone: string,
  ctx: StampContext,
  make: (ctx: StampContext, occurredAt: string) => AnyCityEvent,
): PlannedEvent {
  let stamped: AnyCityEvent | undefined;
  return {
    stream: streamIdOf("zone", zone),
    stamp: () => {
      stamped ??= make(ctx, new Date().toISOString());
      return stamped;
    },
  };
}

/** The sensors: each call of one plans its next reading. */
function fillerSensors(total: number): (() => PlannedEvent)[] {
  const count = Math.max(FILLER.length, Math.round(total / EVENTS_PER_SENSOR));
  return Array.from({ length: count }, (_, j) => {
    const type = FILLER[j % FILLER.length] ?? "TrafficDensityMeasured";
    const zone = `z${9 + j}`;
    const location = {
      latitude: 47.3,
      longitude: 8.5,
      zone,
      ...(AT_INTERSECTION.has(type) ? { intersectionId: `i-${200 + j}` } : {}),
    };
    const ctx = stampContext(`noloss-${type}-${j}`);
    return () =>
      planned(zone, ctx, (c, occurredAt) => cityEvent(type, { location }, { ctx: c, occurredAt }));
  });
}
