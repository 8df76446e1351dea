/**
 * The incident saga's read-model transitions, pure: what each saga event does to the incident's
 * `saga` and `absorbed` documents. The live saga (saga.ts) saves the result of applying each event
 * it publishes; the projection rebuild (functions/projections/emergency.ts) applies the stored
 * ones, so both write the same documents from one implementation (docs/OPERATIONS.md §6).
 */
import type { Severity } from "../../events/catalog/common.ts";
import type { DerivedDraft } from "../shared/derived.ts";

export type SagaStatus = "new" | "opened" | "reserved" | "dispatched" | "escalated";

export interface SagaState {
  readonly incidentId: string;
  readonly status: SagaStatus;
  readonly unitIds: readonly string[];
  /** Dispatch API calls made (circuit-open refusals do not count). */
  readonly attempts: number;
  /** The event that opened the incident: only its deliveries drive the saga. */
  readonly causeEventId?: string;
  /** The severity of the event that opened the incident. */
  readonly severity?: Severity;
}

/** Later critical events of an open incident (`incident#<id>` / `absorbed`). */
export interface AbsorbedEvents {
  /** Absorbed instead of opening another incident (last 50). */
  readonly eventIds: readonly string[];
  /** The highest severity seen among the incident's events. */
  readonly severity: Severity;
}

export const sagaKey = (incidentId: string) => ({ pk: `incident#${incidentId}`, sk: "saga" });

const SEVERITY_RANK: Readonly<Record<Severity, number>> = {
  low: 0,
  medium: 1,
  high: 2,
  critical: 3,
};

/** The saga document an incident's first event claims (status "new"). */
export function claimedSaga(
  incidentId: string,
  causeEventId: string,
  severity: Severity,
): SagaState {
  return { incidentId, status: "new", unitIds: [], attempts: 0, causeEventId, severity };
}

/** A saga event: what the saga publishes, or a stored one (`detail` as payload). */
export type SagaEvent = DerivedDraft extends infer D
  ? D extends DerivedDraft
    ? Pick<D, "type" | "payload">
    : never
  : never;

/**
 * The saga document after one of its events. A dispatch succeeds on the call after the calls that
 * failed (so UnitsDispatched counts one more attempt); a failure counts the attempts it states,
 * unless the API was not called (circuit open, no units).
 */
export function sagaStateAfter(state: SagaState, event: SagaEvent): SagaState {
  switch (event.type) {
    case "IncidentOpened":
      return { ...state, status: "opened" };
    case "UnitsReserved":
      return { ...state, status: "reserved", unitIds: [...event.payload.unitIds] };
    case "UnitsDispatched":
      return { ...state, status: "dispatched", attempts: state.attempts + 1 };
    case "DispatchFailed": {
      const called =
        event.payload.reason === "dispatch-api-timeout" ||
        event.payload.reason === "dispatch-api-error";
      return called ? { ...state, attempts: event.payload.attempt } : state;
    }
    case "DispatchEscalated":
      return { ...state, status: "escalated" };
    default:
      return state;
  }
}

/** The absorbed-events document after one more event of the incident (idempotent). */
export function absorbedAfter(
  current: AbsorbedEvents,
  eventId: string,
  severity: Severity,
): AbsorbedEvents {
  if (current.eventIds.includes(eventId)) return current;
  return {
    eventIds: [...current.eventIds, eventId].slice(-50),
    severity:
      SEVERITY_RANK[severity] > SEVERITY_RANK[current.severity] ? severity : current.severity,
  };
}
