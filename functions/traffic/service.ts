/**
 * The traffic service: keeps each intersection's read model (lights, mode, resequencing state)
 * and emits SignalSequenceViolation / TrafficRerouted. Ports only.
 *
 * Per batch, each intersection is read and written once: records are folded in order into its
 * state (`add`), then `commit` writes it with one conditional put on its version (a concurrent
 * writer makes it fail: re-read, fold again). Behind the runtime's document cache the read is
 * usually free, so an intersection costs one write per batch. Idempotency is part of that state:
 * light changes by per-producer sequence (`lastSequence`, `held`), other events by the ids applied
 * recently (`recentEventIds`). Derived events are written with the state (its `outbox`),
 * published right after the write, then the outbox is cleared (one more write, only when there
 * were derived events). A crash in between loses nothing: the record comes back and its
 * intersection's records publish an outbox they find first (ids derive from the cause); saga
 * steps and the sweep carry it, so a writer still publishing is never doubled.
 * See docs/RELIABILITY.md.
 */
import type { AnyCityEvent } from "../../events/catalog.ts";
import { isCityEventOf } from "../../events/validate.ts";
import { zoneOfIntersection } from "../../simulator/city.ts";
import { type CommitFailure, forEachConcurrently, type RecordHandler } from "../shared/batch.ts";
import type { Clock } from "../shared/clock.ts";
import type { DerivedEventSink } from "../shared/derived.ts";
import {
  DocumentConflictError,
  type DocumentStore,
  update,
  type Versioned,
} from "../shared/documents.ts";
import { publishOutbox } from "../shared/outbox.ts";
import { PendingIndex } from "../shared/pending-index.ts";
import { type Counts, foldEvents, foldExpiry, ZERO_COUNTS } from "./fold.ts";
import {
  type IntersectionState,
  initialIntersection,
  type OutboxEntry,
  type ResequencingOptions,
  rememberApplied,
  wasApplied,
} from "./intersection.ts";
import { liftPreemption, preempt } from "./modes.ts";

export interface TrafficDeps {
  readonly docs: DocumentStore;
  readonly bus: DerivedEventSink;
  readonly clock: Clock;
  readonly resequencing: ResequencingOptions;
  /** Intersections whose expired holds are applied per sweep. @default 20 */
  readonly sweepLimit?: number;
  /** Intersections committed at the same time. @default 8 */
  readonly concurrency?: number;
  /**
   * How long an outbox found on reading is left to its writer (carried, not published) unless
   * the reader holds its cause again (a redelivery). @default 60000 (a consumer's visibility)
   */
  readonly outboxLeaseMs?: number;
}

export const intersectionKey = (id: string) => ({ pk: `intersection#${id}`, sk: "state" });
const preemptionKey = (incidentId: string) => ({ pk: `preemption#${incidentId}`, sk: "route" });
/** Conditional-write attempts of one intersection per commit. */
const ATTEMPTS = 5;

interface Buffered {
  readonly zone: string;
  readonly items: { readonly event: AnyCityEvent; readonly messageId: string }[];
}

export class TrafficService {
  private readonly pending: PendingIndex;
  /** Intersections whose held changes this container saw change: earliest due time or none. */
  private readonly touched = new Map<string, number | undefined>();
  /** This batch's records per intersection, in order. */
  private readonly batch = new Map<string, Buffered>();
  /** The sweep index as last read or written here. */
  private index: { due: Readonly<Record<string, number>>; at: number } | undefined;

  constructor(private readonly deps: TrafficDeps) {
    this.pending = new PendingIndex(deps.docs, "traffic#pending");
  }

  /**
   * One record: saga steps (pre-emption and its lifting) are applied at once; the change to the
   * record's own intersection is buffered for `commit`.
   */
  async add(event: AnyCityEvent, messageId = event.detail.meta.eventId): Promise<void> {
    const meta = event.detail.meta;
    if (isCityEventOf(event, "UnitsReserved") || isCityEventOf(event, "UnitsDispatched")) {
      const ids = new Set(
        isCityEventOf(event, "UnitsDispatched") ? event.detail.route.intersectionIds : [],
      );
      if (meta.intersectionId) ids.add(meta.intersectionId);
      await this.preemptAll(event.detail.incidentId, meta.zone, [...ids], meta.eventId);
    } else if (
      (isCityEventOf(event, "DispatchFailed") && !event.detail.willRetry) ||
      isCityEventOf(event, "DispatchEscalated")
    ) {
      const incidentId = event.detail.incidentId;
      const key = preemptionKey(incidentId);
      const route = await this.deps.docs.get<string[]>(key.pk, key.sk);
      for (const id of route?.value ?? []) {
        await this.updateIntersection(id, meta.zone, meta.eventId, (s) =>
          liftPreemption(s, incidentId),
        );
      }
    }
    const id = meta.intersectionId;
    if (!id) return;
    const buffered = this.batch.get(id) ?? { zone: meta.zone, items: [] };
    buffered.items.push({ event, messageId });
    this.batch.set(id, buffered);
  }

  /** Writes every intersection the batch touched; returns the records whose write failed. */
  async commit(): Promise<{ failures: CommitFailure[]; counts: Counts }> {
    const work = [...this.batch.entries()];
    this.batch.clear();
    const failures: CommitFailure[] = [];
    const counts = { ...ZERO_COUNTS };
    await forEachConcurrently(work, this.deps.concurrency ?? 8, async ([id, b]) => {
      const causes = new Set(b.items.map((i) => i.event.detail.meta.eventId));
      try {
        const c = await this.commitIntersection(
          id,
          b.zone,
          (s, now) =>
            foldEvents(
              s,
              b.items.map((i) => i.event),
              now,
              this.deps.resequencing,
            ),
          (e) => causes.has(e.cause.eventId),
        );
        for (const k of Object.keys(counts) as (keyof Counts)[]) counts[k] += c[k];
      } catch (error) {
        for (const i of b.items) failures.push({ messageId: i.messageId, error });
      }
    });
    return { failures, counts };
  }

  /** Drops what was buffered and not committed (after a failed batch). */
  reset(): void {
    this.batch.clear();
  }

  /** One event on its own: add + commit (tests, tools). */
  async handle(event: AnyCityEvent): Promise<Counts> {
    await this.add(event);
    const { failures, counts } = await this.commit();
    if (failures[0]) throw failures[0].error;
    return counts;
  }

  /**
   * After each batch: records which intersections hold changes and until when, then applies
   * (and flags) the expired holds of every due intersection — also quiet ones that got no event
   * since — at most `sweepLimit` per call. The shared index is read when this container changed
   * it, or at most once per hold time otherwise. Returns the intersections swept.
   */
  async sweepHeld(): Promise<string[]> {
    const changes = new Map(this.touched);
    const now = this.deps.clock.now();
    if (changes.size > 0 || !this.index || now - this.index.at >= this.deps.resequencing.holdMs) {
      this.index = { due: await this.pending.merge(changes), at: now };
    }
    // Forgotten only once recorded: if the merge throws, the next sweep records them again.
    for (const [id, at] of changes) if (this.touched.get(id) === at) this.touched.delete(id);
    const due = PendingIndex.due(this.index.due, now, this.deps.sweepLimit ?? 20);
    if (due.length === 0) return [];
    const after = new Map<string, number | undefined>();
    for (const id of due) {
      try {
        await this.commitIntersection(id, undefined, (s, t) =>
          foldExpiry(s, t, this.deps.resequencing),
        );
      } catch (error) {
        if (!(error instanceof DocumentConflictError)) throw error;
        continue; // the intersection's own records keep writing it: the next sweep looks again
      }
      after.set(id, this.touched.get(id));
      this.touched.delete(id);
    }
    this.index = { due: await this.pending.merge(after), at: now };
    return due;
  }

  /**
   * Reads the intersection, folds, writes it at its version, publishes the outbox it wrote and
   * drops those entries. `zone` undefined: a missing intersection is skipped. An outbox found on
   * reading belongs to another writer, maybe publishing it right now (records of other message
   * groups — a saga step, an accident — reach the same intersection): it is published here only
   * when this reader holds its cause again (`ownCause`: the writer failed, its record came back)
   * or its writer's lease is over; otherwise it is carried in the write, so a derived event goes
   * on the bus once whatever the timing (docs/RELIABILITY.md).
   */
  private async commitIntersection(
    id: string,
    zone: string | undefined,
    fold: (
      s: IntersectionState,
      now: number,
    ) => { state: IntersectionState; outbox: OutboxEntry[]; counts: Counts },
    ownCause: (e: OutboxEntry) => boolean = () => false,
  ): Promise<Counts> {
    const key = intersectionKey(id);
    for (let attempt = 1; ; attempt++) {
      const read = await this.deps.docs.get<IntersectionState>(key.pk, key.sk);
      if (!read && zone === undefined) return { ...ZERO_COUNTS };
      const now = this.deps.clock.now();
      const lease = this.deps.outboxLeaseMs ?? 60_000;
      const found = (read?.value.outbox ?? []).filter(
        (e) => ownCause(e) || e.writtenAt === undefined || now - e.writtenAt >= lease,
      );
      const current = read && (await this.publishOutbox(id, found, read));
      const before = current?.value ?? initialIntersection(id, zoneOf(id, zone ?? ""));
      const folded = fold(before, now);
      this.noteHeld(id, before, folded.state);
      if (current && folded.state === before) return folded.counts;
      const { outbox: carried = [], ...state } = folded.state;
      const mine = folded.outbox.map((e) => ({ ...e, writtenAt: now }));
      const outbox = [...carried, ...mine];
      const next: IntersectionState = outbox.length > 0 ? { ...state, outbox } : state;
      const version = current?.version ?? 0;
      try {
        await this.deps.docs.put(key.pk, key.sk, next, version);
      } catch (error) {
        if (!(error instanceof DocumentConflictError) || attempt >= ATTEMPTS) throw error;
        continue;
      }
      await this.publishOutbox(id, mine, { value: next, version: version + 1 });
      return folded.counts;
    }
  }

  /**
   * Publishes `entries` (ids derive from the cause), then drops them from the outbox of `doc`,
   * re-reading on a concurrent write (a saga step or the sweep carried them). Returns the state
   * without them, or undefined when the intersection is gone.
   */
  private async publishOutbox(
    id: string,
    entries: readonly OutboxEntry[],
    doc: Versioned<IntersectionState>,
  ): Promise<Versioned<IntersectionState> | undefined> {
    if (entries.length === 0) return doc;
    await publishOutbox(this.deps.bus, entries);
    const published = new Set(entries.map((e) => JSON.stringify(e)));
    const key = intersectionKey(id);
    let cur: Versioned<IntersectionState> | undefined = doc;
    for (let attempt = 1; cur; attempt++) {
      const { outbox = [], ...state } = cur.value;
      const rest = outbox.filter((e) => !published.has(JSON.stringify(e)));
      if (rest.length === outbox.length) return cur; // dropped already
      const value: IntersectionState = rest.length > 0 ? { ...state, outbox: rest } : state;
      try {
        await this.deps.docs.put(key.pk, key.sk, value, cur.version);
        return { value, version: cur.version + 1 };
      } catch (error) {
        if (!(error instanceof DocumentConflictError) || attempt >= ATTEMPTS) throw error;
      }
      cur = await this.deps.docs.get<IntersectionState>(key.pk, key.sk);
    }
    return undefined;
  }

  /** Remembers when an intersection's earliest held change expires (for the sweep index). */
  private noteHeld(id: string, before: IntersectionState, after: IntersectionState): void {
    if (before.held.length === 0 && after.held.length === 0) return;
    this.touched.set(
      id,
      after.held.length === 0
        ? undefined
        : Math.min(...after.held.map((h) => h.heldAt)) + this.deps.resequencing.holdMs,
    );
  }

  private async preemptAll(
    incidentId: string,
    zone: string,
    ids: string[],
    eventId: string,
  ): Promise<void> {
    const key = preemptionKey(incidentId);
    await update(
      this.deps.docs,
      key.pk,
      key.sk,
      () => [] as string[],
      (cur) => (ids.every((id) => cur.includes(id)) ? cur : [...new Set([...cur, ...ids])]),
    );
    for (const id of ids) {
      await this.updateIntersection(id, zone, eventId, (s) => preempt(s, incidentId));
    }
  }

  /**
   * A saga step on one intersection, at most once per event (`recentEventIds`). It runs beside
   * the intersection's own records (another message group), so an outbox it finds — maybe being
   * published by its writer right now — is carried in its write, never published here.
   */
  private async updateIntersection(
    id: string,
    zone: string,
    eventId: string,
    change: (s: IntersectionState) => IntersectionState,
  ): Promise<void> {
    await this.commitIntersection(id, zone, (s) => {
      if (wasApplied(s, eventId)) return { state: s, outbox: [], counts: { ...ZERO_COUNTS } };
      const next = change(s);
      return {
        state: next === s ? s : rememberApplied(next, eventId),
        outbox: [],
        counts: { ...ZERO_COUNTS },
      };
    });
  }

  async intersection(id: string): Promise<IntersectionState | undefined> {
    const key = intersectionKey(id);
    return (await this.deps.docs.get<IntersectionState>(key.pk, key.sk))?.value;
  }
}

/**
 * An intersection's zone is a fact of the city (the census, docs/SIMULATOR.md), not of the
 * event that touched it first: a pre-emption reaches the route's intersections with the
 * incident's zone, which may be a neighbouring one. An id outside the census keeps `fallback`
 * (the zone of the event that created it).
 */
export const zoneOf = (id: string, fallback: string): string => zoneOfIntersection(id) ?? fallback;

/** The kit's record handler: buffers the record for the batch's commit. */
export function trafficRecordHandler(service: TrafficService): RecordHandler {
  return async (event, ctx) => {
    await service.add(event, ctx.record.messageId);
    return undefined;
  };
}
