/**
 * Causal timelines (docs/OPERATIONS.md, "Causal timelines"): the events of one story ordered by
 * happened-before — vector clocks (`meta.vectorClock`), and the explicit `meta.causationId` links
 * for events stamped before clocks existed — with Lamport time, then occurredAt, then event id as
 * the tiebreak. Steps are antichains: the events of one step are pairwise concurrent. Pure.
 */
import { VectorClock, type VectorClockRecord } from "../../events/logical-clocks.ts";
import type { StoredEvent } from "../event-store/port.ts";

/** What the ordering reads of an event: the store's record and its `detail.meta`. */
export interface TimelineEvent {
  readonly eventId: string;
  readonly type: string;
  readonly streamId: string;
  readonly version: number;
  readonly occurredAt: string;
  readonly producerId: string;
  /** The producer's sequence number (0 when unknown). */
  readonly sequence: number;
  readonly lamport: number;
  readonly correlationId?: string;
  readonly causationId?: string;
  readonly vectorClock?: VectorClockRecord;
}

export interface TimelineEntry extends TimelineEvent {
  /** 1-based position in the order. */
  readonly position: number;
  /** 1-based step: the longest happened-before chain ending at this event. */
  readonly step: number;
  /** Events of the same step (concurrent with this one). */
  readonly concurrentWith: readonly string[];
  /** Why this event looks handled before its cause (empty when in order). */
  readonly anomalies: readonly string[];
}

export interface Timeline {
  readonly events: readonly TimelineEntry[];
  readonly steps: number;
  /** Event ids with at least one anomaly. */
  readonly outOfOrder: readonly string[];
}

const num = (v: unknown): number => (typeof v === "number" && Number.isFinite(v) ? v : 0);
const text = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);

/** Reads the fields the ordering needs from a stored event (old events: no vector clock). */
export function timelineEventOf(e: StoredEvent): TimelineEvent {
  const meta = (e.detail.meta ?? {}) as Record<string, unknown>;
  const clock = meta.vectorClock;
  const correlationId = text(meta.correlationId);
  const causationId = text(meta.causationId);
  return {
    eventId: e.eventId,
    type: e.type,
    streamId: e.streamId,
    version: e.version,
    occurredAt: e.occurredAt,
    producerId: text(meta.producerId) ?? e.source,
    sequence: num(meta.sequence),
    lamport: num(meta.lamport),
    ...(correlationId ? { correlationId } : {}),
    ...(causationId ? { causationId } : {}),
    ...(clock && typeof clock === "object" ? { vectorClock: clock as VectorClockRecord } : {}),
  };
}

/** The event's vector clock; undefined when it has none or a malformed one (orders like none). */
function clockOf(e: TimelineEvent): VectorClock | undefined {
  if (!e.vectorClock) return undefined;
  try {
    return VectorClock.from(e.vectorClock);
  } catch {
    return undefined;
  }
}

/** The tiebreak among events happened-before does not order. Negative: a first. */
export function tiebreak(a: TimelineEvent, b: TimelineEvent): number {
  return (
    a.lamport - b.lamport ||
    a.occurredAt.localeCompare(b.occurredAt) ||
    a.eventId.localeCompare(b.eventId)
  );
}

/**
 * `happenedBefore(a, b)`: by vector clock when both carry one, else by the producer's own order
 * (same producer, lower sequence: it sent a first) or the causation links among `events` (b's
 * chain of causes reaches a).
 */
export function happenedBeforeRelation(
  events: readonly TimelineEvent[],
): (a: TimelineEvent, b: TimelineEvent) => boolean {
  const byId = new Map(events.map((e) => [e.eventId, e]));
  const clocks = new Map(
    events.flatMap((e) => {
      const clock = clockOf(e);
      return clock ? [[e.eventId, clock] as const] : [];
    }),
  );
  const causedBy = (b: TimelineEvent, a: TimelineEvent): boolean => {
    const seen = new Set<string>();
    for (let c = b.causationId; c !== undefined && !seen.has(c); c = byId.get(c)?.causationId) {
      if (c === a.eventId) return true;
      seen.add(c);
    }
    return false;
  };
  return (a, b) => {
    if (a.eventId === b.eventId) return false;
    const ca = clocks.get(a.eventId);
    const cb = clocks.get(b.eventId);
    if (ca && cb) return ca.happenedBefore(cb) || (!cb.happenedBefore(ca) && causedBy(b, a));
    const sent = a.producerId === b.producerId && a.sequence > 0 && a.sequence < b.sequence;
    return sent || causedBy(b, a);
  };
}

/** Orders a story's events; duplicates (same event id) are kept once. */
export function buildTimeline(input: readonly TimelineEvent[]): Timeline {
  const events = [...new Map(input.map((e) => [e.eventId, e])).values()].sort(tiebreak);
  const before = happenedBeforeRelation(events);
  const preds = events.map((b) => events.filter((a) => before(a, b)).map((a) => a.eventId));
  const order = linearize(events, preds);
  const step = new Map<string, number>();
  for (const e of order) {
    const p = preds[events.indexOf(e)] ?? [];
    step.set(e.eventId, 1 + Math.max(0, ...p.map((id) => step.get(id) ?? 0)));
  }
  const byStep = new Map<number, string[]>();
  for (const e of order) {
    const s = step.get(e.eventId) ?? 1;
    byStep.set(s, [...(byStep.get(s) ?? []), e.eventId]);
  }
  const byId = new Map(events.map((e) => [e.eventId, e]));
  const entries = order.map((e, i): TimelineEntry => {
    const s = step.get(e.eventId) ?? 1;
    return {
      ...e,
      position: i + 1,
      step: s,
      concurrentWith: (byStep.get(s) ?? []).filter((id) => id !== e.eventId),
      anomalies: anomaliesOf(e, e.causationId ? byId.get(e.causationId) : undefined),
    };
  });
  return {
    events: entries,
    steps: byStep.size,
    outOfOrder: entries.filter((e) => e.anomalies.length > 0).map((e) => e.eventId),
  };
}

/** Kahn's algorithm over the happened-before edges, smallest tiebreak first. */
function linearize(
  events: readonly TimelineEvent[],
  preds: readonly (readonly string[])[],
): TimelineEvent[] {
  const remaining = new Map(events.map((e, i) => [e.eventId, new Set(preds[i] ?? [])]));
  const out: TimelineEvent[] = [];
  const done = new Set<string>();
  while (out.length < events.length) {
    // `events` is sorted by the tiebreak: the first ready one is the smallest.
    const next =
      events.find((e) => !done.has(e.eventId) && remaining.get(e.eventId)?.size === 0) ??
      events.find((e) => !done.has(e.eventId)); // a cycle (inconsistent clocks): break it
    if (!next) break;
    out.push(next);
    done.add(next.eventId);
    for (const set of remaining.values()) set.delete(next.eventId);
  }
  return out;
}

/**
 * Signs that an event was produced or stored before its cause (none when the cause is absent):
 * an earlier occurredAt (clock skew or a wrong timestamp), a Lamport time or vector clock that
 * does not follow the cause's (the producer did not receive the cause: a derived event never, a
 * device's declared cause may), an earlier version in the same stream.
 */
export function anomaliesOf(e: TimelineEvent, cause: TimelineEvent | undefined): string[] {
  if (!cause) return [];
  const out: string[] = [];
  if (e.occurredAt < cause.occurredAt) {
    out.push(
      `occurred at ${e.occurredAt}, before its cause ${cause.eventId} (${cause.occurredAt})`,
    );
  }
  if (e.lamport > 0 && cause.lamport > 0 && e.lamport <= cause.lamport) {
    out.push(`Lamport time ${e.lamport} is not after its cause's ${cause.lamport}`);
  }
  const [mine, theirs] = [clockOf(e), clockOf(cause)];
  if (mine && theirs) {
    const order = theirs.compare(mine);
    if (order !== "before") {
      out.push(
        `vector clock does not follow its cause's (${order}): produced without receiving it`,
      );
    }
  }
  if (e.streamId === cause.streamId && e.version < cause.version) {
    out.push(
      `stored as version ${e.version} of ${e.streamId}, before its cause (version ${cause.version})`,
    );
  }
  return out;
}
