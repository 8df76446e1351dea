/**
 * The machinery every scenario shares: a context (city, seeded rng, rate, duration, start
 * time), background streams of routine readings merged lazily in time order, a story builder
 * for the scenario's own events, and deterministic event ids (ULIDs from the seeded rng at the
 * event's virtual time). Pure: no network, no real clock.
 */

import type { AnyEventDraft } from "../../events/draft.ts";
import { newEventId } from "../../events/ids.ts";
import type { City } from "../city.ts";
import { iso } from "../clock.ts";
import { type Rng, SimulatorArgumentError } from "../rng.ts";
import type { EventStep, ScenarioStep } from "../steps.ts";

export interface ScenarioContext {
  readonly city: City;
  /** The scenario's seeded generator (the runner derives it from the seed). */
  readonly rng: Rng;
  /** Base rate, events per second, of an ordinary day's routine traffic. */
  readonly rate: number;
  readonly durationSeconds: number;
  /** Epoch ms of the scenario's start; `occurredAt` = start + step.atMs. */
  readonly startMs: number;
}

/** One outcome the city's services should produce, as data an outcome test can check. */
export type Expectation =
  | {
      readonly kind: "zone-notified";
      readonly zone: string;
      readonly times: number;
      readonly forType: string;
      readonly description: string;
    }
  | {
      readonly kind: "units-dispatched";
      readonly zone: string;
      readonly correlationId: string;
      readonly unitKinds: readonly string[];
      readonly description: string;
    }
  | {
      readonly kind: "intersections-preempted";
      /** The incident's intersection: the dispatched route (whatever the service plans) ends here. */
      readonly target: string;
      /** The city model's route from the nearest station (routeBetween), for reference. */
      readonly intersectionIds: readonly string[];
      readonly description: string;
    }
  | {
      readonly kind: "alert-final-state";
      readonly alertId: string;
      readonly state: "active" | "cancelled";
      readonly description: string;
    }
  | { readonly kind: "no-incident"; readonly description: string }
  | { readonly kind: "no-duplicate-actions"; readonly description: string }
  | {
      /** Appended when the steps have been played through (the last change is known only then). */
      readonly kind: "final-light-state";
      readonly intersectionId: string;
      readonly state: { readonly vehicles: string; readonly pedestrians: string };
      readonly description: string;
    }
  | { readonly kind: "rejected"; readonly count: number; readonly description: string }
  | { readonly kind: "note"; readonly description: string };

export interface ExpectedOutcome {
  /** The story in one paragraph. */
  readonly story: string;
  /** What to watch in the console / dashboards. */
  readonly watch: readonly string[];
  readonly checks: readonly Expectation[];
}

export interface ScenarioRun {
  /** The timed steps, in time order. A generator: iterate once; build again to replay. */
  readonly steps: Iterable<ScenarioStep>;
  /** Checks that depend on the whole stream (chaos: `final-light-state`) are appended once `steps` is exhausted. */
  readonly expected: ExpectedOutcome;
}

export interface Scenario {
  readonly name: string;
  readonly title: string;
  build(ctx: ScenarioContext): ScenarioRun;
}

/** The longest run: 30 days (the local cloud runs "until stopped" as a very long run). */
export const MAX_DURATION_SECONDS = 30 * 24 * 3600;

/** A scenario's story plays within this window (or the whole run if shorter); routine continues after. */
export const STORY_WINDOW_SECONDS = 15 * 60;

export function validateContext(ctx: ScenarioContext): void {
  if (!(Number.isFinite(ctx.rate) && ctx.rate > 0 && ctx.rate <= 10_000)) {
    throw new SimulatorArgumentError(
      `rate must be a number in (0, 10000] events/s, got ${ctx.rate}`,
    );
  }
  if (
    !(
      Number.isFinite(ctx.durationSeconds) &&
      ctx.durationSeconds > 0 &&
      ctx.durationSeconds <= MAX_DURATION_SECONDS
    )
  ) {
    throw new SimulatorArgumentError(
      `duration must be a number of seconds in (0, ${MAX_DURATION_SECONDS}], got ${ctx.durationSeconds}`,
    );
  }
}

/** A step before its ids are stamped: who says what, when. */
export interface Planned {
  readonly atMs: number;
  readonly producerId: string;
  readonly draft: AnyEventDraft;
}

/** A routine stream: `perSecond` emissions, each giving one or more planned events. */
export interface Stream {
  readonly name: string;
  readonly perSecond: number;
  emit(rng: Rng, atMs: number): readonly Omit<Planned, "atMs">[];
}

/**
 * Merge streams lazily in time order. Emissions are evenly spaced (interval 1/perSecond) with a
 * seeded phase and ±10 % jitter, so counts are exact enough to reason about.
 */
export function* mergeStreams(
  streams: readonly Stream[],
  durationMs: number,
  rng: Rng,
): Generator<Planned> {
  const live = streams
    .filter((s) => s.perSecond > 0)
    .map((s) => {
      const interval = 1000 / s.perSecond;
      const own = rng.fork(`stream:${s.name}`);
      return { stream: s, interval, rng: own, next: own.float(0, interval) };
    });
  for (;;) {
    let best: (typeof live)[number] | undefined;
    for (const l of live) if (l.next < durationMs && (!best || l.next < best.next)) best = l;
    if (!best) return;
    const atMs = Math.floor(best.next);
    for (const p of best.stream.emit(best.rng, atMs)) yield { ...p, atMs };
    best.next += best.interval * best.rng.float(0.9, 1.1);
  }
}

/** Merge time-ordered iterables (ties: earlier iterable first). */
export function* mergeByTime<T extends { readonly atMs: number }>(
  ...sources: Iterable<T>[]
): Generator<T> {
  const its = sources.map((s) => s[Symbol.iterator]());
  const heads = its.map((it) => it.next());
  for (;;) {
    let best = -1;
    for (let i = 0; i < heads.length; i++) {
      const h = heads[i];
      if (h && !h.done) {
        const b = best >= 0 ? heads[best] : undefined;
        if (!b || b.done || h.value.atMs < b.value.atMs) best = i;
      }
    }
    if (best < 0) return;
    const head = heads[best] as IteratorYieldResult<T>;
    yield head.value;
    heads[best] = (its[best] as Iterator<T>).next();
  }
}

/** Stamps deterministic ids and times on planned events. */
export class Stamper {
  private readonly ids: () => number;
  constructor(
    private readonly startMs: number,
    rng: Rng,
    label: string,
  ) {
    this.ids = rng.fork(`event-ids:${label}`).asPrng();
  }

  step(p: Planned, extra: Pick<AnyEventDraft, "correlationId" | "causationId"> = {}): EventStep {
    const at = this.startMs + p.atMs;
    return {
      kind: "event",
      atMs: p.atMs,
      producerId: p.producerId,
      draft: { ...p.draft, ...extra, eventId: newEventId(at, this.ids), occurredAt: iso(at) },
    };
  }

  /** Stamp ids/times on a draft without making a step (for reorder pairs). */
  draft(p: Planned): AnyEventDraft {
    return this.step(p).draft;
  }
}

/**
 * The scenario's own events. `add` returns the stamped step so later events can correlate
 * with it (`correlationId` = the first event's id, `causationId` = the event it follows).
 */
export class Story {
  private readonly steps: EventStep[] = [];
  constructor(
    private readonly stamper: Stamper,
    /** Latest time of a story event (jittered times are clamped to it, so the story stays within the run). */
    private readonly lastMs = Number.POSITIVE_INFINITY,
  ) {}

  add(
    atMs: number,
    producer: { readonly producerId: string },
    draft: AnyEventDraft,
    links: { readonly correlateWith?: EventStep; readonly causedBy?: EventStep } = {},
  ): EventStep {
    const corr = links.correlateWith?.draft;
    const step = this.stamper.step(
      {
        atMs: Math.min(this.lastMs, Math.max(0, Math.floor(atMs))),
        producerId: producer.producerId,
        draft,
      },
      {
        ...(corr ? { correlationId: corr.correlationId ?? corr.eventId } : {}),
        ...(links.causedBy?.draft.eventId ? { causationId: links.causedBy.draft.eventId } : {}),
      },
    );
    this.steps.push(step);
    return step;
  }

  /** The story in time order (stable for equal times). */
  sorted(): EventStep[] {
    return this.steps
      .map((s, i) => ({ s, i }))
      .sort((a, b) => a.s.atMs - b.s.atMs || a.i - b.i)
      .map((x) => x.s);
  }
}
