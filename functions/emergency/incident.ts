/** Which critical events open an incident, and what an incident needs. Pure. */

import type { Location, Severity, UnitKind } from "../../events/catalog/common.ts";
import type { INCIDENT_KINDS } from "../../events/catalog/emergency.ts";
import type { AnyCityEvent } from "../../events/catalog.ts";
import type { INCIDENT_TYPES } from "../../events/names.ts";

export type IncidentKind = (typeof INCIDENT_KINDS)[number];
export type IncidentTrigger = (typeof INCIDENT_TYPES)[number];

export interface IncidentPlan {
  readonly kind: IncidentKind;
  readonly severity: Severity;
  readonly location: Location;
  readonly triggerType: IncidentTrigger;
  readonly requiredUnitKinds: UnitKind[];
}

export const UNITS_FOR: Readonly<Record<IncidentKind, UnitKind[]>> = {
  fire: ["fire-engine", "ambulance"],
  smoke: ["fire-engine"],
  "gas-leak": ["hazmat", "fire-engine"],
  accident: ["ambulance", "police"],
  intrusion: ["police"],
  "severe-weather": ["rescue"],
};

/** The incident a critical event opens, or undefined when it opens none (e.g. a yellow alert). */
export function planIncident(event: AnyCityEvent): IncidentPlan | undefined {
  const critical = event.detail.meta.priority === "critical";
  const plan = (kind: IncidentKind, severity: Severity, location: Location): IncidentPlan => ({
    kind,
    severity,
    location,
    triggerType: event.detailType as IncidentTrigger,
    requiredUnitKinds: UNITS_FOR[kind],
  });
  switch (event.detailType) {
    case "FireAlarmRaised":
      return plan("fire", event.detail.severity, event.detail.location);
    case "SmokeDetected":
      return plan("smoke", critical ? "high" : "medium", event.detail.location);
    case "GasLeakDetected":
      return plan("gas-leak", critical ? "critical" : "high", event.detail.location);
    case "AccidentDetected":
      return plan("accident", event.detail.severity, event.detail.location);
    case "IntrusionDetected":
      return plan("intrusion", critical ? "high" : "medium", event.detail.location);
    case "WeatherAlertIssued":
      return event.detail.level === "red"
        ? plan("severe-weather", "critical", event.detail.location)
        : undefined;
    default:
      return undefined;
  }
}
