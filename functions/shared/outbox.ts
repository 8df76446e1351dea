/**
 * Derived events saved with the state change that produced them (an outbox), published after the
 * write, so a state is never saved without its events nor an event published for a state that
 * was not saved. A delivery that finds an outbox publishes it again: the ids derive from the cause
 * and the drafts are the saved ones, so a repeat is the same event, which every consumer drops by
 * id (docs/RELIABILITY.md §2). Used by traffic (the intersection's state) and the emergency saga.
 */
import type { CauseEvent, DerivedDraft, DerivedEventSink } from "./derived.ts";

/** Derived events waiting to be published, with their cause. */
export interface OutboxEntry {
  readonly cause: CauseEvent["detail"]["meta"];
  readonly drafts: readonly DerivedDraft[];
  /** When its writer wrote it (ms): a reader publishes it only once its writer's lease is over. */
  readonly writtenAt?: number;
}

/** The outbox entry of `drafts` caused by `event` (its id, correlation, Lamport and vector clock). */
export function outboxEntry(event: CauseEvent, drafts: readonly DerivedDraft[]): OutboxEntry {
  const { eventId, correlationId, lamport, vectorClock } = event.detail.meta;
  return {
    cause: { eventId, correlationId, lamport, ...(vectorClock ? { vectorClock } : {}) },
    drafts,
  };
}

/** Publishes the entries in order, each under its own cause. */
export async function publishOutbox(
  bus: DerivedEventSink,
  entries: readonly OutboxEntry[],
): Promise<void> {
  for (const { cause, drafts } of entries)
    await bus.publishDerived({ detail: { meta: cause } }, drafts);
}
