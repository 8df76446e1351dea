/**
 * Folding a batch's records into an intersection's state (pure): each record as the traffic
 * rules say (resequenced light changes, accident, density; every event expires due holds), a
 * redelivered record applied at most once, and the derived events collected with their cause.
 */
import type { AnyCityEvent } from "../../events/catalog.ts";
import { isCityEventOf } from "../../events/validate.ts";
import {
  expireHeld,
  type HeldChange,
  type IntersectionState,
  type OutboxEntry,
  type Outcome,
  onLightChanged,
  type ResequencingOptions,
  rememberApplied,
  wasApplied,
} from "./intersection.ts";
import { onAccident, onDensity } from "./modes.ts";

export interface Counts {
  applied: number;
  held: number;
  dropped: number;
}

export const ZERO_COUNTS: Readonly<Counts> = { applied: 0, held: 0, dropped: 0 };

export interface Folded {
  readonly state: IntersectionState;
  readonly outbox: OutboxEntry[];
  readonly counts: Counts;
}

/** Applies the events in order. Returns `state` itself when nothing changed. */
export function foldEvents(
  state: IntersectionState,
  events: readonly AnyCityEvent[],
  now: number,
  options: ResequencingOptions,
): Folded {
  const outbox: OutboxEntry[] = [];
  const counts = { ...ZERO_COUNTS };
  let s = state;
  for (const event of events) {
    const meta = event.detail.meta;
    if (wasApplied(s, meta.eventId)) continue; // redelivered: applied already
    const outcome = ruleOf(s, event, now, options);
    // Remembered when it changed the state; a dropped light change (another event id with a
    // sequence already applied) is counted in `duplicatesDropped` instead.
    s =
      outcome.state !== s && outcome.dropped.length === 0
        ? rememberApplied(outcome.state, meta.eventId)
        : outcome.state;
    if (outcome.derived.length > 0) {
      const cause = {
        eventId: meta.eventId,
        correlationId: meta.correlationId,
        lamport: meta.lamport,
      };
      outbox.push({ cause, drafts: outcome.derived });
    }
    counts.applied += outcome.applied.length;
    counts.held += outcome.held.length;
    counts.dropped += outcome.dropped.length;
  }
  return { state: s, outbox, counts };
}

/** The sweep: gives up expired gaps; the earliest expiring change is the cause of the flags. */
export function foldExpiry(
  state: IntersectionState,
  now: number,
  options: ResequencingOptions,
): Folded {
  const expiring: HeldChange | undefined = [...state.held].sort((a, b) => a.heldAt - b.heldAt)[0];
  const outcome = expireHeld(state, now, options);
  const outbox: OutboxEntry[] =
    outcome.derived.length > 0 && expiring
      ? [
          {
            cause: {
              eventId: expiring.eventId,
              correlationId: expiring.correlationId ?? expiring.eventId,
              lamport: expiring.lamport ?? 1,
            },
            drafts: outcome.derived,
          },
        ]
      : [];
  return {
    state: outcome.state,
    outbox,
    counts: { applied: outcome.applied.length, held: 0, dropped: 0 },
  };
}

function ruleOf(
  state: IntersectionState,
  event: AnyCityEvent,
  now: number,
  options: ResequencingOptions,
): Outcome {
  if (isCityEventOf(event, "TrafficLightChanged")) {
    return onLightChanged(state, event, now, options);
  }
  if (isCityEventOf(event, "AccidentDetected")) {
    const r = onAccident(state, event);
    return expireHeld(
      { state: r.state, derived: r.derived, applied: [], held: [], dropped: [] },
      now,
      options,
    );
  }
  if (isCityEventOf(event, "TrafficDensityMeasured")) {
    return expireHeld(onDensity(state, event), now, options);
  }
  return expireHeld(state, now, options);
}
