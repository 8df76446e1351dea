/**
 * Derived events of the emergency service: the incident saga (open → reserve → dispatch, or
 * fail → release → escalate). Source buzzville.emergency. Ordered per incident.
 */
import { z } from "zod";
import { INCIDENT_TYPES } from "../names.ts";
import {
  always,
  defineEvent,
  IdSchema,
  IntersectionIdSchema,
  IsoUtcSchema,
  LocationSchema,
  placeOfLocation,
  SeveritySchema,
  UnitIdSchema,
  UnitIdsSchema,
  UnitKindSchema,
} from "./common.ts";

const INCIDENT_STREAM = { kind: "incident", from: "incidentId" } as const;
const DERIVED_CONSUMERS = ["traffic", "event-store", "analytics"] as const;

const LOCATION_AT_I12 = {
  latitude: 52.3731,
  longitude: 4.8922,
  address: "Rozengracht x Prinsengracht",
  zone: "z3",
  intersectionId: "i-12",
} as const;

export const INCIDENT_KINDS = [
  "fire",
  "smoke",
  "gas-leak",
  "accident",
  "intrusion",
  "severe-weather",
] as const;

export const IncidentOpenedSchema = z.strictObject({
  incidentId: IdSchema,
  kind: z.enum(INCIDENT_KINDS),
  severity: SeveritySchema,
  location: LocationSchema,
  /** The detail-type of the event that opened the incident (its id is meta.causationId). */
  triggerType: z.enum(INCIDENT_TYPES),
  requiredUnitKinds: z.array(UnitKindSchema).min(1).max(10),
});

export const incidentOpened = defineEvent({
  type: "IncidentOpened",
  description: "The emergency service opened an incident for a critical event.",
  payload: IncidentOpenedSchema,
  priority: always("critical"),
  streamRule: INCIDENT_STREAM,
  place: placeOfLocation,
  consumers: [...DERIVED_CONSUMERS],
  example: {
    incidentId: "inc-01JDX8Q4W6T2N5V7X9Y1B3C5D7",
    kind: "accident",
    severity: "high",
    location: LOCATION_AT_I12,
    triggerType: "AccidentDetected",
    requiredUnitKinds: ["ambulance", "police"],
  },
});

export const UnitsReservedSchema = z.strictObject({
  incidentId: IdSchema,
  unitIds: UnitIdsSchema,
  location: LocationSchema,
  /** The reservation lapses (units released) if no dispatch happens by then. */
  reservedUntil: IsoUtcSchema,
});

export const unitsReserved = defineEvent({
  type: "UnitsReserved",
  description: "Units were reserved for an incident (saga step before dispatch).",
  payload: UnitsReservedSchema,
  priority: always("critical"),
  streamRule: INCIDENT_STREAM,
  place: placeOfLocation,
  consumers: [...DERIVED_CONSUMERS],
  example: {
    incidentId: "inc-01JDX8Q4W6T2N5V7X9Y1B3C5D7",
    unitIds: ["ambulance-3", "police-12"],
    location: LOCATION_AT_I12,
    reservedUntil: "2026-11-23T15:06:00.000Z",
  },
});

export const UnitsDispatchedSchema = z.strictObject({
  incidentId: IdSchema,
  unitIds: UnitIdsSchema,
  location: LocationSchema,
  /** Intersections on the units' route, in order (traffic pre-empts their lights). */
  route: z.strictObject({ intersectionIds: z.array(IntersectionIdSchema).max(100) }),
  etaSeconds: z.int().min(0).max(86_400),
});

export const unitsDispatched = defineEvent({
  type: "UnitsDispatched",
  description: "The dispatch API accepted the reserved units; they are on their way.",
  payload: UnitsDispatchedSchema,
  priority: always("critical"),
  streamRule: INCIDENT_STREAM,
  place: placeOfLocation,
  consumers: [...DERIVED_CONSUMERS],
  example: {
    incidentId: "inc-01JDX8Q4W6T2N5V7X9Y1B3C5D7",
    unitIds: ["ambulance-3", "police-12"],
    location: LOCATION_AT_I12,
    route: { intersectionIds: ["i-4", "i-9", "i-12"] },
    etaSeconds: 420,
  },
});

export const DISPATCH_FAILURE_REASONS = [
  "no-units-available",
  "dispatch-api-timeout",
  "dispatch-api-error",
  "circuit-open",
  "reservation-expired",
] as const;

export const DispatchFailedSchema = z.strictObject({
  incidentId: IdSchema,
  location: LocationSchema,
  reason: z.enum(DISPATCH_FAILURE_REASONS),
  attempt: z.int().min(1).max(100),
  /** Units released by the compensation (may be empty). */
  releasedUnitIds: z.array(UnitIdSchema).max(50),
  willRetry: z.boolean(),
});

export const dispatchFailed = defineEvent({
  type: "DispatchFailed",
  description: "Dispatching units for an incident failed; reserved units were released.",
  payload: DispatchFailedSchema,
  priority: always("critical"),
  streamRule: INCIDENT_STREAM,
  place: placeOfLocation,
  consumers: [...DERIVED_CONSUMERS],
  example: {
    incidentId: "inc-01JDX8Q4W6T2N5V7X9Y1B3C5D7",
    location: LOCATION_AT_I12,
    reason: "dispatch-api-timeout",
    attempt: 3,
    releasedUnitIds: ["ambulance-3", "police-12"],
    willRetry: false,
  },
});

export const ESCALATION_LEVELS = ["mutual-aid", "regional-command"] as const;
export const ESCALATION_REASONS = [
  "no-units-available",
  "dispatch-failed-repeatedly",
  "severity",
] as const;

export const DispatchEscalatedSchema = z.strictObject({
  incidentId: IdSchema,
  location: LocationSchema,
  level: z.enum(ESCALATION_LEVELS),
  reason: z.enum(ESCALATION_REASONS),
  requestedUnitKinds: z.array(UnitKindSchema).min(1).max(10),
});

export const dispatchEscalated = defineEvent({
  type: "DispatchEscalated",
  description:
    "The incident was escalated (mutual aid from neighbouring cities, regional command).",
  payload: DispatchEscalatedSchema,
  priority: always("critical"),
  streamRule: INCIDENT_STREAM,
  place: placeOfLocation,
  consumers: [...DERIVED_CONSUMERS],
  example: {
    incidentId: "inc-01JDX8Q4W6T2N5V7X9Y1B3C5D7",
    location: LOCATION_AT_I12,
    level: "mutual-aid",
    reason: "dispatch-failed-repeatedly",
    requestedUnitKinds: ["ambulance"],
  },
});
