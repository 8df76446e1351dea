/**
 * An intersection's state as the traffic service keeps it (read model), and the pure rules that
 * move it: resequencing of the controller's changes by per-source sequence (apply the next, hold
 * a gap for a bounded time, drop duplicates, then apply and flag), light-cycle checks, and modes.
 */

import type { LightState } from "../../events/catalog/common.ts";
import type { CityEventOf } from "../../events/catalog.ts";
import type { DerivedDraft } from "../shared/derived.ts";
import type { OutboxEntry } from "../shared/outbox.ts";
import { checkTransition, type RuleBreach, sameLights } from "./lights.ts";

export type IntersectionMode = "normal" | "emergency" | "preempted";

/** A TrafficLightChanged waiting for the gap before it to fill. */
export interface HeldChange {
  readonly eventId: string;
  readonly producerId: string;
  readonly sequence: number;
  readonly heldAt: number;
  readonly controllerId: string;
  readonly location: CityEventOf<"TrafficLightChanged">["detail"]["location"];
  readonly oldState: LightState;
  readonly newState: LightState;
  readonly occurredAt: string;
  /** The change's correlation and lamport: it is the cause of what its hold's expiry emits. */
  readonly correlationId?: string;
  readonly lamport?: number;
}

export interface IntersectionState {
  readonly intersectionId: string;
  readonly zone: string;
  readonly lights?: LightState;
  readonly mode: IntersectionMode;
  readonly modeIncidentId?: string;
  /** Last applied sequence per source (controller producer id). */
  readonly lastSequence: Readonly<Record<string, number>>;
  readonly held: readonly HeldChange[];
  readonly appliedChanges: number;
  readonly violations: number;
  readonly duplicatesDropped: number;
  readonly lastChangeAt?: string;
  readonly density?: {
    readonly vehiclesCounted: number;
    readonly averageSpeedKmh: number;
    readonly occupancyPercent: number;
    readonly at: string;
  };
  /**
   * Ids of the latest events applied (or held) here: a redelivered event is skipped, not applied
   * or counted twice. At most RECENT_IDS; beyond, light changes are still deduplicated by
   * `lastSequence` and `held`, and the FIFO queue drops copies within 5 minutes.
   */
  readonly recentEventIds?: readonly string[];
  /**
   * The derived events of the write that produced this state, published right after it and then
   * cleared; a reader that finds them (a crash in between) publishes them first (their ids derive
   * from the cause, so the bus's consumers see each once).
   */
  readonly outbox?: readonly OutboxEntry[];
}

export type { OutboxEntry };

/** Most event ids kept in `recentEventIds`. */
export const RECENT_IDS = 64;

/** Records an applied event id (bounded; oldest forgotten first). */
export function rememberApplied(state: IntersectionState, eventId: string): IntersectionState {
  const recent = [...(state.recentEventIds ?? []), eventId];
  return { ...state, recentEventIds: recent.slice(-RECENT_IDS) };
}

export const wasApplied = (state: IntersectionState, eventId: string) =>
  state.recentEventIds?.includes(eventId) ?? false;

export interface ResequencingOptions {
  /** How long a gap is waited for before the held changes are applied and flagged. */
  readonly holdMs: number;
  /** Most changes held per source; beyond, the oldest gap is given up. */
  readonly maxHeld: number;
}

export interface Outcome {
  readonly state: IntersectionState;
  readonly derived: DerivedDraft[];
  readonly applied: string[];
  readonly held: string[];
  readonly dropped: string[];
}

export function initialIntersection(intersectionId: string, zone: string): IntersectionState {
  return {
    intersectionId,
    zone,
    mode: "normal",
    lastSequence: {},
    held: [],
    appliedChanges: 0,
    violations: 0,
    duplicatesDropped: 0,
  };
}

function heldOf(e: CityEventOf<"TrafficLightChanged">, now: number): HeldChange {
  const m = e.detail.meta;
  return {
    eventId: m.eventId,
    producerId: m.producerId,
    sequence: m.sequence,
    heldAt: now,
    controllerId: e.detail.controllerId,
    location: e.detail.location,
    oldState: e.detail.oldState,
    newState: e.detail.newState,
    occurredAt: m.occurredAt,
    correlationId: m.correlationId,
    lamport: m.lamport,
  };
}

/** Applies a controller's change in sequence order (see module doc). */
export function onLightChanged(
  state: IntersectionState,
  event: CityEventOf<"TrafficLightChanged">,
  now: number,
  options: ResequencingOptions,
): Outcome {
  const out = mutable(state);
  const change = heldOf(event, now);
  const last = out.state.lastSequence[change.producerId] ?? 0;
  const alreadyHeld = out.state.held.some(
    (h) => h.producerId === change.producerId && h.sequence === change.sequence,
  );
  if (change.sequence <= last || alreadyHeld) {
    out.state = { ...out.state, duplicatesDropped: out.state.duplicatesDropped + 1 };
    out.dropped.push(change.eventId);
  } else if (change.sequence === last + 1) {
    apply(out, change);
    drain(out, change.producerId);
  } else {
    out.state = { ...out.state, held: [...out.state.held, change] };
    out.held.push(change.eventId);
    const ofSource = out.state.held.filter((h) => h.producerId === change.producerId);
    if (ofSource.length > options.maxHeld) giveUpGap(out, change.producerId);
  }
  return expireHeld(out, now, options);
}

/** Gives up gaps older than holdMs: applies the held changes, flagging each skipped gap. */
export function expireHeld(
  outcome: Outcome | IntersectionState,
  now: number,
  options: ResequencingOptions,
): Outcome {
  const out = "state" in outcome && "derived" in outcome ? toMutable(outcome) : mutable(outcome);
  for (;;) {
    const expired = out.state.held.find((h) => now - h.heldAt >= options.holdMs);
    if (!expired) return out;
    giveUpGap(out, expired.producerId);
  }
}

interface MutableOutcome {
  state: IntersectionState;
  derived: DerivedDraft[];
  applied: string[];
  held: string[];
  dropped: string[];
}

function mutable(state: IntersectionState): MutableOutcome {
  return { state, derived: [], applied: [], held: [], dropped: [] };
}

function toMutable(o: Outcome): MutableOutcome {
  return {
    state: o.state,
    derived: [...o.derived],
    applied: [...o.applied],
    held: [...o.held],
    dropped: [...o.dropped],
  };
}

/** Applies the lowest held change of a source even though its predecessor never came. */
function giveUpGap(out: MutableOutcome, producerId: string): void {
  const lowest = out.state.held
    .filter((h) => h.producerId === producerId)
    .sort((a, b) => a.sequence - b.sequence)[0];
  if (!lowest) return;
  const expected = (out.state.lastSequence[producerId] ?? 0) + 1;
  const from = out.state.lights ?? lowest.oldState;
  out.state = { ...out.state, held: out.state.held.filter((h) => h !== lowest) };
  flag(
    out,
    lowest,
    from,
    {
      rule: "sequence-gap-expired",
      explanation: `waited for sequence ${expected} of ${producerId}; applied ${lowest.sequence} after the hold expired`,
    },
    expected,
  );
  apply(out, lowest);
  drain(out, producerId);
}

function drain(out: MutableOutcome, producerId: string): void {
  for (;;) {
    const next = (out.state.lastSequence[producerId] ?? 0) + 1;
    const h = out.state.held.find((x) => x.producerId === producerId && x.sequence === next);
    if (!h) return;
    out.state = { ...out.state, held: out.state.held.filter((x) => x !== h) };
    apply(out, h);
  }
}

function apply(out: MutableOutcome, change: HeldChange): void {
  const current = out.state.lights;
  const from = current ?? change.oldState;
  const breaches: RuleBreach[] = [];
  if (current && !sameLights(current, change.oldState)) {
    breaches.push({
      rule: "stale-state",
      explanation: `controller reported oldState vehicles ${change.oldState.vehicles}/pedestrians ${change.oldState.pedestrians}, known state was ${current.vehicles}/${current.pedestrians}`,
    });
  }
  breaches.push(...checkTransition(from, change.newState));
  for (const b of breaches) flag(out, change, from, b);
  out.state = {
    ...out.state,
    lights: change.newState,
    lastSequence: { ...out.state.lastSequence, [change.producerId]: change.sequence },
    appliedChanges: out.state.appliedChanges + 1,
    lastChangeAt: change.occurredAt,
  };
  out.applied.push(change.eventId);
}

function flag(
  out: MutableOutcome,
  change: HeldChange,
  from: LightState,
  breach: RuleBreach,
  expectedSequence?: number,
): void {
  out.state = { ...out.state, violations: out.state.violations + 1 };
  out.derived.push({
    type: "SignalSequenceViolation",
    step: `violation:${change.eventId}:${breach.rule}`,
    payload: {
      controllerId: change.controllerId,
      location: change.location,
      rule: breach.rule,
      fromState: from,
      toState: change.newState,
      offendingEventId: change.eventId,
      expectedSequence: expectedSequence ?? change.sequence,
      observedSequence: change.sequence,
      explanation: breach.explanation.slice(0, 300),
    },
  });
}
