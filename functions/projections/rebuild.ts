/**
 * Rebuilding read models from the event store (docs/OPERATIONS.md, "Projections"): the stored
 * events are fed, in occurrence order and marked `meta.replayed`, to the SAME service code the
 * live consumers run — TrafficService.add/commit for the intersections, AnalyticsService.add/commit
 * for the zone statistics — writing into a fresh document store. Their derived events are already
 * in the store (they were published live), so the rebuild publishes nothing: it is a projection,
 * never a side effect. The incidents and units apply the emergency saga's stored events with the
 * saga's own transitions (./emergency.ts): a replay never calls the Dispatch API.
 */
import type { AnyCityEvent } from "../../events/catalog.ts";
import { parseCityEvent } from "../../events/validate.ts";
import { AnalyticsService } from "../analytics/service.ts";
import type { StoredEvent } from "../event-store/port.ts";
import type { Clock } from "../shared/clock.ts";
import type { DerivedEventSink } from "../shared/derived.ts";
import type { DocumentStore } from "../shared/documents.ts";
import { TrafficService } from "../traffic/service.ts";
import { incidentsFeeder, unitsFeeder } from "./emergency.ts";

export const PROJECTION_NAMES = ["intersections", "zone-stats", "incidents", "units"] as const;
export type ProjectionName = (typeof PROJECTION_NAMES)[number];

/** Read-model partitions each projection owns (pk prefixes on the read-models table). */
export const PROJECTION_PARTITIONS: Readonly<Record<ProjectionName, readonly string[]>> = {
  intersections: ["intersection#", "preemption#", "traffic#pending"],
  "zone-stats": ["zone-stats#", "density#"],
  incidents: ["incident#"],
  units: ["units#fleet"],
};

export function isProjectionName(name: string): name is ProjectionName {
  return (PROJECTION_NAMES as readonly string[]).includes(name);
}

/** Derived events of a rebuild are dropped: the store already holds the live ones. */
export const DISCARD_DERIVED: DerivedEventSink = { publishDerived: async () => [] };

/** A stored event as the consumers receive it, marked as a replay. */
export function replayedEventOf(e: StoredEvent): AnyCityEvent {
  const meta = (e.detail.meta ?? {}) as Record<string, unknown>;
  return parseCityEvent({
    source: e.source,
    "detail-type": e.type,
    detail: { ...e.detail, meta: { ...meta, replayed: true } },
  });
}

/** How one projection consumes events: the live consumer's own entry points. */
interface Feeder {
  accepts(event: AnyCityEvent): boolean;
  feed(event: AnyCityEvent): Promise<void>;
  /** After every `batchSize` events and at the end (the live kit's per-batch hook). */
  endBatch(): Promise<void>;
}

export interface RebuildOptions {
  /** Where the rebuilt documents go (a fresh store: the rebuild starts from scratch). */
  readonly target: DocumentStore;
  /** The instant the rebuild stands at: holds and windows due by then are applied/closed. */
  readonly clock: Clock;
  /** @default every projection */
  readonly only?: readonly ProjectionName[];
  /** Traffic's resequencing options. @default the function's defaults (5000 ms, 20) */
  readonly resequencing?: { readonly holdMs: number; readonly maxHeld: number };
  /** Events per batch, as the live analytics consumer batches. @default 100 */
  readonly batchSize?: number;
  readonly onProgress?: (projection: ProjectionName, applied: number, total: number) => void;
}

function feederOf(name: ProjectionName, options: RebuildOptions): Feeder {
  if (name === "incidents") return incidentsFeeder(options.target);
  if (name === "units") return unitsFeeder(options.target);
  const deps = { docs: options.target, bus: DISCARD_DERIVED, clock: options.clock };
  if (name === "intersections") {
    const traffic = new TrafficService({
      ...deps,
      resequencing: options.resequencing ?? { holdMs: 5_000, maxHeld: 20 },
    });
    return {
      // the TrafficSignals subscription's pattern: every event at an intersection
      accepts: (e) => e.detail.meta.intersectionId !== undefined,
      // As the live consumer: records buffered, each intersection committed once per batch, then
      // the sweep of expired holds (functions/traffic/runtime.ts).
      feed: async (e) => traffic.add(e),
      endBatch: async () => {
        const { failures } = await traffic.commit();
        if (failures[0]) throw failures[0].error;
        await traffic.sweepHeld();
      },
    };
  }
  const analytics = new AnalyticsService(deps);
  return {
    accepts: () => true, // the Analytics subscription: every city event
    feed: async (e) => analytics.add(e),
    endBatch: async () => {
      await analytics.commit();
      analytics.reset();
    },
  };
}

/** Feeds `events` (occurrence order) to each projection; returns the events applied per projection. */
export async function rebuildProjections(
  events: readonly StoredEvent[],
  options: RebuildOptions,
): Promise<Record<ProjectionName, number>> {
  const names = options.only ?? PROJECTION_NAMES;
  const batchSize = options.batchSize ?? 100;
  const applied = Object.fromEntries(PROJECTION_NAMES.map((n) => [n, 0])) as Record<
    ProjectionName,
    number
  >;
  const replayed = events.map(replayedEventOf);
  for (const name of names) {
    const feeder = feederOf(name, options);
    const mine = replayed.filter((e) => feeder.accepts(e));
    for (const [i, event] of mine.entries()) {
      await feeder.feed(event);
      if ((i + 1) % batchSize === 0) {
        await feeder.endBatch();
        options.onProgress?.(name, i + 1, mine.length);
      }
    }
    await feeder.endBatch();
    applied[name] = mine.length;
    options.onProgress?.(name, mine.length, mine.length);
  }
  return applied;
}
