/**
 * Stream state by replay: the state of any stream at any version or instant is a left fold of
 * its events. Snapshots cache this fold every N events.
 */
import type { StoredEvent } from "./port.ts";

export interface Projection<S> {
  initial(streamId: string): S;
  apply(state: S, event: StoredEvent): S;
}

/**
 * The generic state the store snapshots: counts, and the status of the causally latest
 * status-bearing event — ordered by `meta.lamport`, then `occurredAt`, then event id — not of
 * the last one stored: the bus may deliver IncidentOpened after UnitsDispatched.
 */
export interface StreamState {
  readonly streamId: string;
  readonly version: number;
  readonly eventCount: number;
  readonly status: string;
  readonly lastEventType?: string;
  readonly lastOccurredAt?: string;
  readonly countsByType: Readonly<Record<string, number>>;
  /** The order key of the event that set `status`. */
  readonly statusSetBy?: OrderKey;
}

export interface OrderKey {
  readonly lamport: number;
  readonly occurredAt: string;
  readonly eventId: string;
}

export function orderKeyOf(event: StoredEvent): OrderKey {
  const lamport = (event.detail.meta as { lamport?: unknown } | undefined)?.lamport;
  return {
    lamport: typeof lamport === "number" ? lamport : 0,
    occurredAt: event.occurredAt,
    eventId: event.eventId,
  };
}

/** Negative when a is causally before b. */
export function compareOrder(a: OrderKey, b: OrderKey): number {
  return (
    a.lamport - b.lamport ||
    a.occurredAt.localeCompare(b.occurredAt) ||
    a.eventId.localeCompare(b.eventId)
  );
}

function foldStatus(
  state: StreamState,
  event: StoredEvent,
): Pick<StreamState, "status" | "statusSetBy"> {
  const kept = {
    status: state.status,
    ...(state.statusSetBy ? { statusSetBy: state.statusSetBy } : {}),
  };
  const status = STATUS_OF[event.type];
  if (status === undefined) return kept;
  const key = orderKeyOf(event);
  if (state.statusSetBy && compareOrder(key, state.statusSetBy) < 0) return kept;
  return { status, statusSetBy: key };
}

/** Event types that set a stream's status (alert, incident and intersection lifecycles). */
const STATUS_OF: Readonly<Record<string, string>> = {
  WeatherAlertIssued: "ACTIVE",
  WeatherAlertCancelled: "CANCELLED",
  IncidentOpened: "OPEN",
  UnitsReserved: "UNITS_RESERVED",
  UnitsDispatched: "DISPATCHED",
  DispatchFailed: "DISPATCH_FAILED",
  DispatchEscalated: "ESCALATED",
  AccidentDetected: "EMERGENCY",
  TrafficRerouted: "REROUTED",
  FireAlarmRaised: "ALARM",
  GasLeakDetected: "ALARM",
  SmokeDetected: "ALARM",
};

export const streamStateProjection: Projection<StreamState> = {
  initial: (streamId) => ({
    streamId,
    version: 0,
    eventCount: 0,
    status: "NONE",
    countsByType: {},
  }),
  apply: (state, event) => ({
    ...state,
    version: event.version,
    eventCount: state.eventCount + 1,
    ...foldStatus(state, event),
    lastEventType: event.type,
    lastOccurredAt: event.occurredAt,
    countsByType: {
      ...state.countsByType,
      [event.type]: (state.countsByType[event.type] ?? 0) + 1,
    },
  }),
};
