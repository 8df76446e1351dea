/**
 * The names of the city's events: EventBridge `source` per producer kind and `detail-type` per
 * event type. This file is the contract shared by the catalog (schemas), the topology (rules)
 * and the simulator. It holds no AWS code.
 */

/** Every producer kind publishes with `source = "buzzville.<kind>"`. */
export const SOURCES = {
  weather: "buzzville.weather",
  camera: "buzzville.camera",
  fireSensor: "buzzville.fire-sensor",
  gasSensor: "buzzville.gas-sensor",
  collisionSensor: "buzzville.collision-sensor",
  trafficLight: "buzzville.traffic-light",
  transit: "buzzville.transit",
  lightSensor: "buzzville.light-sensor",
  eventOrganiser: "buzzville.event-organiser",
  // derived events, emitted by the city's own services
  emergency: "buzzville.emergency",
  traffic: "buzzville.traffic",
  notification: "buzzville.notification",
  media: "buzzville.media",
  analytics: "buzzville.analytics",
  // the city's operations (crisis controller, operators)
  ops: "buzzville.ops",
} as const;

export type Source = (typeof SOURCES)[keyof typeof SOURCES];

/** Sources of the city's own services (derived events, and operations such as crisis mode). */
export const DERIVED_SOURCES: readonly Source[] = [
  SOURCES.emergency,
  SOURCES.traffic,
  SOURCES.notification,
  SOURCES.media,
  SOURCES.analytics,
  SOURCES.ops,
];

/** Every `detail-type`, PascalCase past tense. */
export const EVENT_TYPES = [
  "WeatherAlertIssued",
  "WeatherAlertCancelled",
  "TrafficLightChanged",
  "AccidentDetected",
  "FireAlarmRaised",
  "SmokeDetected",
  "GasLeakDetected",
  "CameraAnomalyDetected",
  "IntrusionDetected",
  "StreetLightsSwitched",
  "DaylightChanged",
  "TrainArrived",
  "BusDeparted",
  "PublicEventStarted",
  "TrafficDensityMeasured",
  // derived
  "IncidentOpened",
  "UnitsReserved",
  "UnitsDispatched",
  "DispatchFailed",
  "DispatchEscalated",
  "TrafficRerouted",
  "SignalSequenceViolation",
  "CitizensNotified",
  "MediaPostPublished",
  "ReadingsAggregated",
  // operations
  "CrisisModeChanged",
] as const;

export type EventType = (typeof EVENT_TYPES)[number];

/** The source each event type is published with. */
export const SOURCE_OF: Readonly<Record<EventType, Source>> = {
  WeatherAlertIssued: SOURCES.weather,
  WeatherAlertCancelled: SOURCES.weather,
  TrafficLightChanged: SOURCES.trafficLight,
  AccidentDetected: SOURCES.collisionSensor,
  FireAlarmRaised: SOURCES.fireSensor,
  SmokeDetected: SOURCES.fireSensor,
  GasLeakDetected: SOURCES.gasSensor,
  CameraAnomalyDetected: SOURCES.camera,
  IntrusionDetected: SOURCES.camera,
  StreetLightsSwitched: SOURCES.lightSensor,
  DaylightChanged: SOURCES.lightSensor,
  TrainArrived: SOURCES.transit,
  BusDeparted: SOURCES.transit,
  PublicEventStarted: SOURCES.eventOrganiser,
  TrafficDensityMeasured: SOURCES.camera,
  IncidentOpened: SOURCES.emergency,
  UnitsReserved: SOURCES.emergency,
  UnitsDispatched: SOURCES.emergency,
  DispatchFailed: SOURCES.emergency,
  DispatchEscalated: SOURCES.emergency,
  TrafficRerouted: SOURCES.traffic,
  SignalSequenceViolation: SOURCES.traffic,
  CitizensNotified: SOURCES.notification,
  MediaPostPublished: SOURCES.media,
  ReadingsAggregated: SOURCES.analytics,
  CrisisModeChanged: SOURCES.ops,
};

/** Citizens are alerted for these types (notification service). */
export const ALERT_TYPES = [
  "WeatherAlertIssued",
  "WeatherAlertCancelled",
  "FireAlarmRaised",
  "GasLeakDetected",
  "AccidentDetected",
] as const satisfies readonly EventType[];

/** Public-safe types that become media posts. */
export const PUBLIC_TYPES = [
  "WeatherAlertIssued",
  "WeatherAlertCancelled",
  "AccidentDetected",
  "TrafficRerouted",
  "PublicEventStarted",
] as const satisfies readonly EventType[];

/** Critical incident types the emergency service opens incidents for. */
export const INCIDENT_TYPES = [
  "FireAlarmRaised",
  "SmokeDetected",
  "GasLeakDetected",
  "AccidentDetected",
  "IntrusionDetected",
  "WeatherAlertIssued",
] as const satisfies readonly EventType[];

/** The city's consumer services (one Lambda function each). */
export type ServiceName =
  | "emergency"
  | "notification"
  | "traffic"
  | "event-store"
  | "media"
  | "analytics";

/** The shared resources a function may use. Each maps to one environment variable. */
export type ResourceRef =
  | "bus"
  | "eventsTable"
  | "readModelsTable"
  | "idempotencyTable"
  | "citizenAlertsTopic"
  | "mediaTopic";

/** The environment variable through which a function receives each resource's name or ARN. */
export const RESOURCE_ENV = {
  bus: "EVENT_BUS_NAME",
  eventsTable: "EVENTS_TABLE_NAME",
  readModelsTable: "READ_MODELS_TABLE_NAME",
  idempotencyTable: "IDEMPOTENCY_TABLE_NAME",
  citizenAlertsTopic: "CITIZEN_ALERTS_TOPIC_ARN",
  mediaTopic: "MEDIA_TOPIC_ARN",
} as const satisfies Readonly<Record<ResourceRef, string>>;

/** The name of an environment variable that carries a resource (`RESOURCE_ENV[ref]`). */
export type ResourceEnvName = (typeof RESOURCE_ENV)[ResourceRef];
