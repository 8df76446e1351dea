/**
 * Safety sensors: collision sensors, fire and smoke detectors, gas sensors and AI cameras.
 * None of these payloads identify a person: counts only.
 */
import { z } from "zod";
import {
  always,
  defineEvent,
  firstOf,
  IdSchema,
  LocationSchema,
  placeOfLocation,
  SeveritySchema,
} from "./common.ts";

const ZONE_STREAM = { kind: "zone", from: "location.zone" } as const;
const Confidence = z.number().min(0).max(1);

export const AccidentDetectedSchema = z.strictObject({
  sensorId: IdSchema,
  location: LocationSchema,
  severity: SeveritySchema,
  vehiclesInvolved: z.int().min(1).max(100),
  /** Count of people reported injured (no identities). */
  injuriesReported: z.int().min(0).max(500),
  lanesBlocked: z.int().min(0).max(20),
});

export const accidentDetected = defineEvent({
  type: "AccidentDetected",
  description: "A collision sensor detected a road accident.",
  payload: AccidentDetectedSchema,
  priority: firstOf<z.output<typeof AccidentDetectedSchema>>(
    [
      {
        level: "critical",
        condition: "when severity is high/critical or anyone is injured",
        test: (p) => p.severity === "high" || p.severity === "critical" || p.injuriesReported > 0,
      },
    ],
    "high",
  ),
  streamRule: ZONE_STREAM,
  place: placeOfLocation,
  consumers: ["emergency", "notification", "traffic", "media", "event-store", "analytics"],
  example: {
    sensorId: "collision-118",
    location: {
      latitude: 52.3731,
      longitude: 4.8922,
      address: "Rozengracht x Prinsengracht",
      zone: "z3",
      intersectionId: "i-12",
    },
    severity: "high",
    vehiclesInvolved: 3,
    injuriesReported: 2,
    lanesBlocked: 2,
  },
});

export const FIRE_ALARM_TRIGGERS = ["manual-call-point", "heat", "smoke", "sprinkler"] as const;

export const FireAlarmRaisedSchema = z.strictObject({
  alarmId: IdSchema,
  buildingId: IdSchema,
  location: LocationSchema,
  trigger: z.enum(FIRE_ALARM_TRIGGERS),
  floor: z.int().min(-10).max(200).optional(),
  temperatureC: z.number().min(-60).max(1500).optional(),
  severity: SeveritySchema,
});

export const fireAlarmRaised = defineEvent({
  type: "FireAlarmRaised",
  description: "A building's fire alarm went off.",
  payload: FireAlarmRaisedSchema,
  priority: always("critical"),
  streamRule: ZONE_STREAM,
  place: placeOfLocation,
  consumers: ["emergency", "notification", "traffic", "event-store", "analytics"],
  example: {
    alarmId: "fa-b17-03",
    buildingId: "b-17",
    location: { latitude: 52.3676, longitude: 4.9041, address: "Waterlooplein 22", zone: "z5" },
    trigger: "heat",
    floor: 3,
    temperatureC: 78,
    severity: "critical",
  },
});

/** Smoke density (% obscuration per metre) from which smoke is critical. */
export const SMOKE_CRITICAL_OBSCURATION = 20;
/** Temperature (°C) from which smoke is critical (fixed-temperature heat detector threshold). */
export const SMOKE_CRITICAL_TEMPERATURE_C = 57;

export const SmokeDetectedSchema = z.strictObject({
  detectorId: IdSchema,
  buildingId: IdSchema.optional(),
  location: LocationSchema,
  /** Smoke density, % obscuration per metre (0–100). */
  obscurationPercentPerM: z.number().min(0).max(100),
  temperatureC: z.number().min(-60).max(1500).optional(),
});

export const smokeDetected = defineEvent({
  type: "SmokeDetected",
  description: "A smoke detector measured smoke above its alarm threshold.",
  payload: SmokeDetectedSchema,
  priority: firstOf<z.output<typeof SmokeDetectedSchema>>(
    [
      {
        level: "critical",
        condition: `when obscuration ≥ ${SMOKE_CRITICAL_OBSCURATION} %/m or temperature ≥ ${SMOKE_CRITICAL_TEMPERATURE_C} °C`,
        test: (p) =>
          p.obscurationPercentPerM >= SMOKE_CRITICAL_OBSCURATION ||
          (p.temperatureC ?? 0) >= SMOKE_CRITICAL_TEMPERATURE_C,
      },
    ],
    "high",
  ),
  streamRule: ZONE_STREAM,
  place: placeOfLocation,
  consumers: ["emergency", "traffic", "event-store", "analytics"],
  example: {
    detectorId: "smk-b17-3-02",
    buildingId: "b-17",
    location: { latitude: 52.3676, longitude: 4.9041, address: "Waterlooplein 22", zone: "z5" },
    obscurationPercentPerM: 24.5,
    temperatureC: 41,
  },
});

export const GASES = [
  "methane",
  "propane",
  "carbon-monoxide",
  "hydrogen-sulfide",
  "ammonia",
] as const;
export type Gas = (typeof GASES)[number];

/** ppm from which a leak is critical (about 10 % of the LEL, or the IDLH for toxic gases). */
export const GAS_DANGER_PPM: Readonly<Record<Gas, number>> = {
  methane: 5000,
  propane: 2100,
  "carbon-monoxide": 200,
  "hydrogen-sulfide": 50,
  ammonia: 300,
};

export const GasLeakDetectedSchema = z.strictObject({
  sensorId: IdSchema,
  buildingId: IdSchema.optional(),
  location: LocationSchema,
  gas: z.enum(GASES),
  ppm: z.number().min(0).max(1_000_000),
});

export const gasLeakDetected = defineEvent({
  type: "GasLeakDetected",
  description: "A gas sensor measured a gas concentration above its alarm threshold.",
  payload: GasLeakDetectedSchema,
  priority: firstOf<z.output<typeof GasLeakDetectedSchema>>(
    [
      {
        level: "critical",
        condition: `when ppm ≥ the gas's danger level (${Object.entries(GAS_DANGER_PPM)
          .map(([g, v]) => `${g} ${v}`)
          .join(", ")})`,
        test: (p) => p.ppm >= GAS_DANGER_PPM[p.gas],
      },
    ],
    "high",
  ),
  streamRule: ZONE_STREAM,
  place: placeOfLocation,
  consumers: ["emergency", "notification", "traffic", "event-store", "analytics"],
  example: {
    sensorId: "gas-z2-044",
    buildingId: "b-204",
    location: { latitude: 52.3584, longitude: 4.8811, address: "Overtoom 301", zone: "z2" },
    gas: "methane",
    ppm: 7400,
  },
});

export const CAMERA_ANOMALIES = [
  "crowd-surge",
  "stalled-vehicle",
  "wrong-way-driver",
  "debris-on-road",
  "flooding",
  "fire-visible",
  "other",
] as const;
const URGENT_ANOMALIES: readonly string[] = ["crowd-surge", "wrong-way-driver", "fire-visible"];

export const CameraAnomalyDetectedSchema = z.strictObject({
  cameraId: IdSchema,
  location: LocationSchema,
  anomaly: z.enum(CAMERA_ANOMALIES),
  confidence: Confidence,
  /** How strong the anomaly is, 0–10 (e.g. crowd density, water depth). */
  intensity: z.number().min(0).max(10),
});

export const cameraAnomalyDetected = defineEvent({
  type: "CameraAnomalyDetected",
  description: "An AI camera saw something unusual on the street.",
  payload: CameraAnomalyDetectedSchema,
  priority: firstOf<z.output<typeof CameraAnomalyDetectedSchema>>(
    [
      { level: "info", condition: "when confidence < 0.5", test: (p) => p.confidence < 0.5 },
      {
        level: "high",
        condition: "for crowd-surge, wrong-way-driver or fire-visible at confidence ≥ 0.8",
        test: (p) => URGENT_ANOMALIES.includes(p.anomaly) && p.confidence >= 0.8,
      },
    ],
    "normal",
  ),
  streamRule: ZONE_STREAM,
  place: placeOfLocation,
  consumers: ["traffic", "event-store", "analytics"],
  example: {
    cameraId: "cam-i12-n",
    location: { latitude: 52.3731, longitude: 4.8922, zone: "z3", intersectionId: "i-12" },
    anomaly: "stalled-vehicle",
    confidence: 0.91,
    intensity: 4,
  },
});

export const IntrusionDetectedSchema = z.strictObject({
  cameraId: IdSchema,
  location: LocationSchema,
  buildingId: IdSchema.optional(),
  /** The protected area, e.g. "substation north gate". */
  area: z.string().min(1).max(120),
  confidence: Confidence,
  /** How many people were seen (a count, never an identity). */
  personsCount: z.int().min(1).max(1000),
});

export const intrusionDetected = defineEvent({
  type: "IntrusionDetected",
  description: "A camera saw people entering a protected area.",
  payload: IntrusionDetectedSchema,
  priority: firstOf<z.output<typeof IntrusionDetectedSchema>>(
    [{ level: "critical", condition: "when confidence ≥ 0.8", test: (p) => p.confidence >= 0.8 }],
    "high",
  ),
  streamRule: ZONE_STREAM,
  place: placeOfLocation,
  consumers: ["emergency", "traffic", "event-store", "analytics"],
  example: {
    cameraId: "cam-sub-n-01",
    location: { latitude: 52.3912, longitude: 4.8725, address: "Substation Noord", zone: "z7" },
    buildingId: "sub-noord",
    area: "substation north gate",
    confidence: 0.87,
    personsCount: 2,
  },
});
