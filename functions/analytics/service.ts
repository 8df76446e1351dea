/**
 * The analytics service. Per batch: events are folded in memory into per-zone, per-minute
 * windows, then committed (idempotent merge by event id). A window closes `graceMs` after its
 * minute ends: one ReadingsAggregated per zone and minute goes on the bus (hundreds of readings
 * in, a few events out), and its traffic readings roll up into hourly and daily density.
 */
import type { AnyCityEvent } from "../../events/catalog.ts";
import { isCityEventOf } from "../../events/validate.ts";
import type { Clock } from "../shared/clock.ts";
import type { DerivedEventSink } from "../shared/derived.ts";
import { DocumentConflictError, type DocumentStore, update } from "../shared/documents.ts";
import { PendingIndex } from "../shared/pending-index.ts";
import {
  addEvent,
  aggregatedPayload,
  emptyWindow,
  isCounted,
  type MinuteWindow,
  mergeWindows,
  minuteOf,
  type TrafficSums,
} from "./windows.ts";

export interface AnalyticsDeps {
  readonly docs: DocumentStore;
  readonly bus: DerivedEventSink;
  readonly clock: Clock;
  /** Late-arrival grace after a minute ends before its window closes. @default 10000 */
  readonly graceMs?: number;
}

export interface LiveDensity {
  readonly zone: string;
  readonly vehiclesCounted: number;
  readonly averageSpeedKmh: number;
  readonly occupancyPercent: number;
  readonly at: string;
}

/**
 * A stored window and what was emitted of it: `emitted` once a ReadingsAggregated went out,
 * `emittedTotal` its totalEvents, `revision` how many times it was restated for late events
 * (0: the first aggregate), `rolledUp` the traffic sums already in the hour and day roll-ups.
 */
type StoredWindow = MinuteWindow & {
  readonly emitted?: boolean;
  readonly emittedTotal?: number;
  readonly revision?: number;
  readonly rolledUp?: TrafficSums;
  /** A closer's claim while it publishes the window's aggregate (until: its lease's end, ms). */
  readonly closing?: { readonly until: number };
};

/** How long a closer's claim on a window holds (a crashed closer's claim then lapses). */
const CLOSE_LEASE_MS = 60_000;

/** An hour's or day's traffic sums, with the minutes (`<minute>#r<revision>`) already added. */
type RolledUp = TrafficSums & { readonly minutes: readonly string[] };

const statsPk = (zone: string) => `zone-stats#${zone}`;
const ZERO_SUMS: TrafficSums = { samples: 0, vehiclesCounted: 0, speedSum: 0, occupancySum: 0 };
const minus = (a: TrafficSums, b: TrafficSums): TrafficSums => ({
  samples: a.samples - b.samples,
  vehiclesCounted: a.vehiclesCounted - b.vehiclesCounted,
  speedSum: a.speedSum - b.speedSum,
  occupancySum: a.occupancySum - b.occupancySum,
});
const densityPk = (zone: string) => `density#${zone}`;

export class AnalyticsService {
  private readonly pending = new Map<string, { window: MinuteWindow; events: AnyCityEvent[] }>();
  private readonly live = new Map<string, LiveDensity>();

  private readonly dueIndex: PendingIndex;

  constructor(private readonly deps: AnalyticsDeps) {
    this.dueIndex = new PendingIndex(deps.docs, "zone-stats#pending");
  }

  /** Folds an event into this batch's windows (nothing is written yet). */
  add(event: AnyCityEvent): void {
    if (!isCounted(event)) return;
    const zone = event.detail.meta.zone;
    const start = minuteOf(event.detail.meta.occurredAt);
    const key = `${zone}|${start}`;
    const p = this.pending.get(key) ?? { window: emptyWindow(zone, start, event), events: [] };
    p.window = addEvent(p.window, event);
    p.events.push(event);
    this.pending.set(key, p);
    if (isCityEventOf(event, "TrafficDensityMeasured")) {
      const prev = this.live.get(zone);
      if (!prev || prev.at <= event.detail.meta.occurredAt) {
        this.live.set(zone, {
          zone,
          vehiclesCounted: event.detail.vehiclesCounted,
          averageSpeedKmh: event.detail.averageSpeedKmh,
          occupancyPercent: event.detail.occupancyPercent,
          at: event.detail.meta.occurredAt,
        });
      }
    }
  }

  /** Writes the batch's windows and live density, then closes windows that are due. */
  async commit(): Promise<void> {
    const zones = new Set<string>();
    for (const { window, events } of this.pending.values()) {
      zones.add(window.zone);
      let late = false;
      await update<StoredWindow | undefined>(
        this.deps.docs,
        statsPk(window.zone),
        `minute#${window.windowStart}`,
        () => undefined,
        (stored) => {
          const merged = mergeWindows(stored, window, events);
          // Nothing new (every event counted already): no write.
          if (stored && merged.totalEvents === stored.totalEvents) return stored;
          late = stored?.emitted === true;
          return { ...stored, ...merged };
        },
      );
      // (Re)opened: a window emitted already is restated when its late events are due. A late
      // merge adds its start once more even when listed, so a closer that emitted the window
      // before this merge removes only the entries it saw (`closeZone`), never this one.
      await update<string[]>(
        this.deps.docs,
        statsPk(window.zone),
        "open",
        () => [],
        (open) =>
          open.includes(window.windowStart) && !late ? open : [...open, window.windowStart].sort(),
      );
    }
    for (const d of this.live.values()) {
      await update<LiveDensity | undefined>(
        this.deps.docs,
        densityPk(d.zone),
        "live",
        () => undefined,
        (cur) => (cur && cur.at > d.at ? cur : d),
      );
    }
    this.pending.clear();
    this.live.clear();
    await this.closeAllDue(zones);
  }

  /**
   * Closes the due windows of the batch's zones, records each zone's next close time, then closes
   * the due windows of every other zone — also quiet zones that got no event since — at most
   * `limit` zones per call.
   */
  async closeAllDue(batchZones: Iterable<string> = [], limit = 20): Promise<number> {
    let emitted = 0;
    await this.dueIndex.sweep(
      batchZones,
      limit,
      () => this.deps.clock.now(),
      async (zone) => {
        const r = await this.closeZone(zone);
        emitted += r.emitted;
        return r.nextDueAt;
      },
    );
    return emitted;
  }

  /** Discards what was folded but not committed (after a failed batch). */
  reset(): void {
    this.pending.clear();
    this.live.clear();
  }

  /** Emits ReadingsAggregated for every window of the zone whose minute (plus grace) is over. */
  async closeDue(zone: string): Promise<number> {
    return (await this.closeZone(zone)).emitted;
  }

  private async closeZone(zone: string): Promise<{ emitted: number; nextDueAt?: number }> {
    const now = this.deps.clock.now();
    const grace = this.deps.graceMs ?? 10_000;
    const closesAt = (start: string) => Date.parse(start) + 60_000 + grace;
    const open = (await this.deps.docs.get<string[]>(statsPk(zone), "open"))?.value ?? [];
    const due = [...new Set(open.filter((start) => closesAt(start) <= now))];
    const later = open.filter((start) => closesAt(start) > now).map(closesAt);
    let emitted = 0;
    for (const start of due) {
      const r = await this.emitWindow(zone, start);
      if (r.emitted) emitted += 1;
      if (r.keepOpen) {
        later.push(now); // changed meanwhile: the zone stays due for the next close
        continue;
      }
      // Only the entries seen before the emit: one a late merge added since stays.
      const seen = open.filter((s) => s === start).length;
      await update<string[]>(
        this.deps.docs,
        statsPk(zone),
        "open",
        () => [],
        (o) => {
          let left = seen;
          return o.filter((s) => s !== start || left-- <= 0);
        },
      );
    }
    const nextDueAt = later.length > 0 ? Math.min(...later) : undefined;
    return { emitted, ...(nextDueAt === undefined ? {} : { nextDueAt }) };
  }

  /**
   * Emits the window's ReadingsAggregated if it has events not emitted yet: the first aggregate
   * when it closes, a revision (the same zone and minute restated with every event counted so
   * far, a new event id) when events arrived after it closed, so the latest aggregate of a
   * minute always equals the stored window. `keepOpen`: the window changed meanwhile (late
   * events merged, or another instance closed it), so it stays open for the next close.
   */
  private async emitWindow(
    zone: string,
    start: string,
  ): Promise<{ emitted: boolean; keepOpen: boolean }> {
    const sk = `minute#${start}`;
    // Read the window itself, not this container's copy: another instance may have merged late
    // events into it, and a stale "nothing new" would close it without its revision.
    this.deps.docs.forget?.(statsPk(zone), sk);
    const stored = await this.deps.docs.get<StoredWindow>(statsPk(zone), sk);
    if (!stored) return { emitted: false, keepOpen: false };
    const w = stored.value;
    if (w.emitted && w.totalEvents <= (w.emittedTotal ?? w.totalEvents)) {
      return { emitted: false, keepOpen: false };
    }
    const now = this.deps.clock.now();
    if (w.closing && w.closing.until > now) return { emitted: false, keepOpen: true };
    // Claimed first, conditionally on the version: of two closers of one window (a sweep and a
    // batch, two instances), one publishes; a merge in between makes the claim fail.
    try {
      const claim = { ...w, closing: { until: now + CLOSE_LEASE_MS } };
      await this.deps.docs.put(statsPk(zone), sk, claim, stored.version);
    } catch (error) {
      if (!(error instanceof DocumentConflictError)) throw error;
      return { emitted: false, keepOpen: true };
    }
    const revision = w.emitted ? (w.revision ?? 0) + 1 : 0;
    await this.deps.bus.publishDerived({ detail: { meta: w.first } }, [
      {
        type: "ReadingsAggregated",
        // the first keeps its historical id; a revision's id is fixed by what it states
        step:
          revision === 0
            ? `aggregated:${zone}:${start}`
            : `aggregated:${zone}:${start}:r${revision}:${w.totalEvents}`,
        payload: aggregatedPayload(w),
      },
    ]);
    // Roll-up before the close is recorded, and idempotent per minute and revision: a crash in
    // between rolls up again on retry without counting twice, and never loses the window.
    const rolled = w.rolledUp ?? ZERO_SUMS;
    await this.rollUp(zone, `${start}#r${revision}`, minus(w.traffic, rolled));
    // Recorded on the window as it is now: events merged since stay to be restated.
    const after = await update<StoredWindow | undefined>(
      this.deps.docs,
      statsPk(zone),
      sk,
      () => undefined,
      (cur) => {
        const { closing: _, ...rest } = cur ?? w;
        return {
          ...rest,
          emitted: true,
          emittedTotal: w.totalEvents,
          revision,
          rolledUp: w.traffic,
        };
      },
    );
    return { emitted: true, keepOpen: (after?.totalEvents ?? 0) > w.totalEvents };
  }

  /** Adds traffic sums to the minute's hour and day, once per `entry` (minute and revision). */
  private async rollUp(zone: string, entry: string, t: TrafficSums): Promise<void> {
    if (t.samples === 0) return;
    const start = entry.slice(0, 24);
    for (const sk of [`hour#${start.slice(0, 13)}`, `day#${start.slice(0, 10)}`]) {
      await update<RolledUp>(
        this.deps.docs,
        densityPk(zone),
        sk,
        () => ({ samples: 0, vehiclesCounted: 0, speedSum: 0, occupancySum: 0, minutes: [] }),
        (cur) =>
          cur.minutes.includes(entry) || (entry.endsWith("#r0") && cur.minutes.includes(start))
            ? cur
            : {
                samples: cur.samples + t.samples,
                vehiclesCounted: cur.vehiclesCounted + t.vehiclesCounted,
                speedSum: cur.speedSum + t.speedSum,
                occupancySum: cur.occupancySum + t.occupancySum,
                minutes: [...cur.minutes, entry],
              },
      );
    }
  }

  // ---- queries (the seed's traffic pipeline: live, hourly distribution, last 7 days) ----

  async minute(zone: string, iso: string): Promise<MinuteWindow | undefined> {
    return (await this.deps.docs.get<StoredWindow>(statsPk(zone), `minute#${minuteOf(iso)}`))
      ?.value;
  }

  async liveDensity(zone: string): Promise<LiveDensity | undefined> {
    return (await this.deps.docs.get<LiveDensity>(densityPk(zone), "live"))?.value;
  }

  /** Vehicles counted per hour of `day` (YYYY-MM-DD), 24 entries. */
  async hourlyDistribution(zone: string, day: string): Promise<number[]> {
    const out: number[] = [];
    for (let h = 0; h < 24; h++) {
      const doc = await this.deps.docs.get<TrafficSums>(
        densityPk(zone),
        `hour#${day}T${String(h).padStart(2, "0")}`,
      );
      out.push(doc?.value.vehiclesCounted ?? 0);
    }
    return out;
  }

  /** Vehicles counted per day for the 7 days ending today (oldest first). */
  async lastSevenDays(zone: string): Promise<{ day: string; vehiclesCounted: number }[]> {
    const today = Date.parse(new Date(this.deps.clock.now()).toISOString().slice(0, 10));
    const out: { day: string; vehiclesCounted: number }[] = [];
    for (let i = 6; i >= 0; i--) {
      const day = new Date(today - i * 86_400_000).toISOString().slice(0, 10);
      const doc = await this.deps.docs.get<TrafficSums>(densityPk(zone), `day#${day}`);
      out.push({ day, vehiclesCounted: doc?.value.vehiclesCounted ?? 0 });
    }
    return out;
  }
}
