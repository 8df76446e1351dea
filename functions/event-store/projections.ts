/**
 * Stream state by replay: the state of any stream at any version or instant is a left fold of
 * its events. Snapshots cache this fold every N events.
 */
import type { StoredEvent } from "./port.ts";

export interface Projection<S> {
  initial(streamId: string): S;
  apply(state: S, event: StoredEvent): S;
}

/** The generic state the store snapshots: status from the last status-bearing event, counts. */
export interface StreamState {
  readonly streamId: string;
  readonly version: number;
  readonly eventCount: number;
  readonly status: string;
  readonly lastEventType?: string;
  readonly lastOccurredAt?: string;
  readonly countsByType: Readonly<Record<string, number>>;
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
    status: STATUS_OF[event.type] ?? state.status,
    lastEventType: event.type,
    lastOccurredAt: event.occurredAt,
    countsByType: {
      ...state.countsByType,
      [event.type]: (state.countsByType[event.type] ?? 0) + 1,
    },
  }),
};
