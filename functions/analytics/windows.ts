/**
 * Per-zone, per-minute windows of city events: counts by type and priority, traffic readings.
 * Merging is idempotent by event id (a redelivered event is not counted twice). Pure.
 */
import type { AnyCityEvent } from "../../events/catalog.ts";

export interface TrafficSums {
  readonly samples: number;
  readonly vehiclesCounted: number;
  readonly speedSum: number;
  readonly occupancySum: number;
}

export interface MinuteWindow {
  readonly zone: string;
  /** ISO start of the minute. */
  readonly windowStart: string;
  readonly totalEvents: number;
  readonly countsByType: Readonly<Record<string, number>>;
  readonly countsByPriority: Readonly<Record<string, number>>;
  readonly traffic: TrafficSums;
  /** Event ids counted (dedup); capped, beyond which counting is at-least-once. */
  readonly eventIds: readonly string[];
  /** The first event counted: the deterministic cause of the window's ReadingsAggregated. */
  readonly first: {
    readonly eventId: string;
    readonly correlationId: string;
    readonly lamport: number;
  };
}

export const MAX_TRACKED_IDS = 5_000;
const ZERO: TrafficSums = { samples: 0, vehiclesCounted: 0, speedSum: 0, occupancySum: 0 };

export const minuteOf = (iso: string) => `${new Date(iso).toISOString().slice(0, 16)}:00.000Z`;

/** Events the analytics service does not count (its own output, to avoid feedback loops). */
export const isCounted = (e: AnyCityEvent) => e.detailType !== "ReadingsAggregated";

export function emptyWindow(zone: string, windowStart: string, e: AnyCityEvent): MinuteWindow {
  const m = e.detail.meta;
  return {
    zone,
    windowStart,
    totalEvents: 0,
    countsByType: {},
    countsByPriority: {},
    traffic: ZERO,
    eventIds: [],
    first: { eventId: m.eventId, correlationId: m.correlationId, lamport: m.lamport },
  };
}

/** Adds one event to a window (no-op if its id was counted already). */
export function addEvent(w: MinuteWindow, e: AnyCityEvent): MinuteWindow {
  const m = e.detail.meta;
  if (w.eventIds.includes(m.eventId)) return w;
  const bump = (r: Readonly<Record<string, number>>, k: string) => ({ ...r, [k]: (r[k] ?? 0) + 1 });
  let traffic = w.traffic;
  if (e.detailType === "TrafficDensityMeasured") {
    traffic = {
      samples: traffic.samples + 1,
      vehiclesCounted: traffic.vehiclesCounted + e.detail.vehiclesCounted,
      speedSum: traffic.speedSum + e.detail.averageSpeedKmh,
      occupancySum: traffic.occupancySum + e.detail.occupancyPercent,
    };
  }
  return {
    ...w,
    totalEvents: w.totalEvents + 1,
    countsByType: bump(w.countsByType, e.detailType),
    countsByPriority: bump(w.countsByPriority, m.priority),
    traffic,
    eventIds: w.eventIds.length < MAX_TRACKED_IDS ? [...w.eventIds, m.eventId] : w.eventIds,
  };
}

/** Merges a batch's window into the stored one, counting only events not counted before. */
export function mergeWindows(
  stored: MinuteWindow | undefined,
  batch: MinuteWindow,
  events: readonly AnyCityEvent[],
): MinuteWindow {
  if (!stored) return batch;
  return events.reduce(addEvent, stored);
}

/** The ReadingsAggregated payload of a closed window. */
export function aggregatedPayload(w: MinuteWindow) {
  const end = new Date(Date.parse(w.windowStart) + 60_000).toISOString();
  return {
    zone: w.zone,
    windowStart: w.windowStart,
    windowEnd: end,
    windowSeconds: 60,
    totalEvents: w.totalEvents,
    countsByType: w.countsByType,
    countsByPriority: w.countsByPriority,
    ...(w.traffic.samples > 0
      ? {
          traffic: {
            samples: w.traffic.samples,
            vehiclesCounted: w.traffic.vehiclesCounted,
            averageSpeedKmh: Math.round((w.traffic.speedSum / w.traffic.samples) * 10) / 10,
          },
        }
      : {}),
  };
}
