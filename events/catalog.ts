/**
 * The city event catalog: one entry per EventType (names.ts), one source of truth for the zod
 * schemas, the TypeScript types, the JSON Schemas and docs/EVENTS.md.
 */
import type { z } from "zod";
import { busDeparted, publicEventStarted, trainArrived } from "./catalog/city-life.ts";
import type { EventDefinition } from "./catalog/common.ts";
import {
  dispatchEscalated,
  dispatchFailed,
  incidentOpened,
  unitsDispatched,
  unitsReserved,
} from "./catalog/emergency.ts";
import { crisisModeChanged } from "./catalog/ops.ts";
import {
  accidentDetected,
  cameraAnomalyDetected,
  fireAlarmRaised,
  gasLeakDetected,
  intrusionDetected,
  smokeDetected,
} from "./catalog/safety.ts";
import {
  citizensNotified,
  mediaPostPublished,
  readingsAggregated,
  signalSequenceViolation,
  trafficRerouted,
} from "./catalog/services.ts";
import {
  daylightChanged,
  streetLightsSwitched,
  trafficDensityMeasured,
  trafficLightChanged,
} from "./catalog/street.ts";
import { weatherAlertCancelled, weatherAlertIssued } from "./catalog/weather.ts";
import type { CityEvent, EventMeta } from "./envelope.ts";
import { EVENT_TYPES, type EventType } from "./names.ts";

export const CATALOG = {
  WeatherAlertIssued: weatherAlertIssued,
  WeatherAlertCancelled: weatherAlertCancelled,
  TrafficLightChanged: trafficLightChanged,
  AccidentDetected: accidentDetected,
  FireAlarmRaised: fireAlarmRaised,
  SmokeDetected: smokeDetected,
  GasLeakDetected: gasLeakDetected,
  CameraAnomalyDetected: cameraAnomalyDetected,
  IntrusionDetected: intrusionDetected,
  StreetLightsSwitched: streetLightsSwitched,
  DaylightChanged: daylightChanged,
  TrainArrived: trainArrived,
  BusDeparted: busDeparted,
  PublicEventStarted: publicEventStarted,
  TrafficDensityMeasured: trafficDensityMeasured,
  IncidentOpened: incidentOpened,
  UnitsReserved: unitsReserved,
  UnitsDispatched: unitsDispatched,
  DispatchFailed: dispatchFailed,
  DispatchEscalated: dispatchEscalated,
  TrafficRerouted: trafficRerouted,
  SignalSequenceViolation: signalSequenceViolation,
  CitizensNotified: citizensNotified,
  MediaPostPublished: mediaPostPublished,
  ReadingsAggregated: readingsAggregated,
  CrisisModeChanged: crisisModeChanged,
} as const satisfies { readonly [K in EventType]: EventDefinition<K> };

export type Catalog = typeof CATALOG;

/** The payload schema of a type. */
export type PayloadSchemaOf<T extends EventType> = Catalog[T]["payload"];
/** The payload (detail without meta) of a type, after parsing. */
export type PayloadOf<T extends EventType> = z.output<PayloadSchemaOf<T>>;
/** What a producer may pass for a type (before defaults/transforms; same as PayloadOf today). */
export type PayloadInputOf<T extends EventType> = z.input<PayloadSchemaOf<T>>;
/** The EventBridge `detail` of a type: the payload plus meta. */
export type DetailOf<T extends EventType> = PayloadOf<T> & { readonly meta: EventMeta };
/** A city event of a given type. */
export type CityEventOf<T extends EventType> = CityEvent<PayloadOf<T>, T>;
/** Any city event, discriminated by `detailType`. */
export type AnyCityEvent = { [K in EventType]: CityEventOf<K> }[EventType];

/** The catalog entry of a type (typed). */
export function definitionOf<T extends EventType>(type: T): Catalog[T] {
  return CATALOG[type];
}

/** Every entry, in EVENT_TYPES order. */
export function allDefinitions(): readonly EventDefinition[] {
  return EVENT_TYPES.map((t) => CATALOG[t] as EventDefinition);
}

/** Type guard: is this string one of the catalog's detail-types? */
export function isEventType(value: unknown): value is EventType {
  return typeof value === "string" && (EVENT_TYPES as readonly string[]).includes(value);
}
