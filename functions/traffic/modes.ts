/**
 * Intersection modes: an accident at an intersection switches it to emergency mode and reroutes
 * traffic (TrafficRerouted); units dispatched on a route pre-empt its lights; a failed or
 * escalated dispatch lifts the pre-emption (saga compensation). Pure functions.
 */
import type { CityEventOf } from "../../events/catalog.ts";
import type { DerivedDraft } from "../shared/derived.ts";
import { incidentIdOf } from "../shared/incident.ts";
import type { IntersectionState } from "./intersection.ts";

/** Neighbouring intersections used as a detour (a grid city: i-(n-1), i-(n+1)). */
export function detourAround(intersectionId: string): string[] {
  const n = Number(intersectionId.slice(2));
  return [n - 1, n + 1].filter((x) => x >= 1).map((x) => `i-${x}`);
}

const MINUTES_BY_SEVERITY = { low: 20, medium: 45, high: 90, critical: 180 } as const;

export function onAccident(
  state: IntersectionState,
  event: CityEventOf<"AccidentDetected">,
): { state: IntersectionState; derived: DerivedDraft[] } {
  const incidentId = incidentIdOf(event);
  if (state.mode === "emergency" && state.modeIncidentId === incidentId) {
    return { state, derived: [] };
  }
  const where = event.detail.location.address ?? state.intersectionId;
  const derived: DerivedDraft[] = [
    {
      type: "TrafficRerouted",
      step: "rerouted",
      payload: {
        rerouteId: `rr-${state.intersectionId}-${event.detail.meta.eventId.slice(-8)}`,
        incidentId,
        reason: "incident",
        location: { ...event.detail.location, intersectionId: state.intersectionId },
        closedIntersectionIds: [state.intersectionId],
        detourIntersectionIds: detourAround(state.intersectionId).length
          ? detourAround(state.intersectionId)
          : [state.intersectionId],
        expectedDurationMinutes: MINUTES_BY_SEVERITY[event.detail.severity],
        publicMessage:
          `Intersection ${state.intersectionId} (${where}) closed after an accident; follow the detour signs.`.slice(
            0,
            500,
          ),
      },
    },
  ];
  return { state: { ...state, mode: "emergency", modeIncidentId: incidentId }, derived };
}

export function preempt(state: IntersectionState, incidentId: string): IntersectionState {
  if (state.mode === "emergency") return state; // an accident closure outranks a pre-emption
  return { ...state, mode: "preempted", modeIncidentId: incidentId };
}

export function liftPreemption(state: IntersectionState, incidentId: string): IntersectionState {
  if (state.mode !== "preempted" || state.modeIncidentId !== incidentId) return state;
  const { modeIncidentId: _, ...rest } = state;
  return { ...rest, mode: "normal" };
}

export function onDensity(
  state: IntersectionState,
  event: CityEventOf<"TrafficDensityMeasured">,
): IntersectionState {
  return {
    ...state,
    density: {
      vehiclesCounted: event.detail.vehiclesCounted,
      averageSpeedKmh: event.detail.averageSpeedKmh,
      occupancyPercent: event.detail.occupancyPercent,
      at: event.detail.meta.occurredAt,
    },
  };
}
