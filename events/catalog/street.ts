/** The street: traffic-light controllers, traffic cameras' counts and light sensors. */
import { z } from "zod";
import {
  always,
  defineEvent,
  firstOf,
  IdSchema,
  IntersectionLocationSchema,
  LightStateSchema,
  LocationSchema,
  placeOfLocation,
} from "./common.ts";

const ZONE_STREAM = { kind: "zone", from: "location.zone" } as const;

export const LIGHT_CHANGE_REASONS = [
  "schedule",
  "preemption",
  "manual",
  "fault",
  "reroute",
] as const;

export const TrafficLightChangedSchema = z
  .strictObject({
    controllerId: IdSchema,
    /** The intersection (location.intersectionId is required here). */
    location: IntersectionLocationSchema,
    oldState: LightStateSchema,
    newState: LightStateSchema,
    /** How long the new state is planned to last, seconds. */
    durationSeconds: z.int().min(1).max(3600),
    reason: z.enum(LIGHT_CHANGE_REASONS),
  })
  .superRefine((p, ctx) => {
    if (
      p.oldState.vehicles === p.newState.vehicles &&
      p.oldState.pedestrians === p.newState.pedestrians
    ) {
      ctx.addIssue({
        code: "custom",
        path: ["newState"],
        input: p.newState,
        message: "must differ from oldState (a change changes something)",
      });
    }
  });

export const trafficLightChanged = defineEvent({
  type: "TrafficLightChanged",
  description: "A traffic-light controller switched an intersection's lights.",
  payload: TrafficLightChangedSchema,
  priority: firstOf<z.output<typeof TrafficLightChangedSchema>>(
    [
      {
        level: "high",
        condition: "for emergency pre-emption or a fault",
        test: (p) => p.reason === "preemption" || p.reason === "fault",
      },
    ],
    "normal",
  ),
  streamRule: { kind: "intersection", from: "location.intersectionId" },
  place: placeOfLocation,
  consumers: ["traffic", "event-store", "analytics"],
  example: {
    controllerId: "tlc-i12",
    location: {
      latitude: 52.3731,
      longitude: 4.8922,
      address: "Rozengracht x Prinsengracht",
      zone: "z3",
      intersectionId: "i-12",
    },
    oldState: { vehicles: "green", pedestrians: "red" },
    newState: { vehicles: "yellow", pedestrians: "red" },
    durationSeconds: 4,
    reason: "schedule",
  },
});

export const TrafficDensityMeasuredSchema = z.strictObject({
  cameraId: IdSchema,
  location: LocationSchema,
  /** Length of the measurement window, seconds. */
  windowSeconds: z.int().min(1).max(3600),
  vehiclesCounted: z.int().min(0).max(100_000),
  averageSpeedKmh: z.number().min(0).max(250),
  /** Share of the time the lane was occupied, 0–100 %. */
  occupancyPercent: z.number().min(0).max(100),
});

export const trafficDensityMeasured = defineEvent({
  type: "TrafficDensityMeasured",
  description: "A traffic camera reported vehicle counts and speed over a short window.",
  payload: TrafficDensityMeasuredSchema,
  priority: always("info", "high-rate reading"),
  streamRule: ZONE_STREAM,
  place: placeOfLocation,
  consumers: ["traffic", "event-store", "analytics"],
  example: {
    cameraId: "cam-i12-n",
    location: { latitude: 52.3731, longitude: 4.8922, zone: "z3", intersectionId: "i-12" },
    windowSeconds: 60,
    vehiclesCounted: 42,
    averageSpeedKmh: 27.5,
    occupancyPercent: 38,
  },
});

export const STREET_LIGHT_STATES = ["on", "off", "dimmed"] as const;
export const STREET_LIGHT_REASONS = ["daylight", "schedule", "manual", "fault", "event"] as const;

export const StreetLightsSwitchedSchema = z.strictObject({
  circuitId: IdSchema,
  location: LocationSchema,
  state: z.enum(STREET_LIGHT_STATES),
  brightnessPercent: z.number().min(0).max(100),
  lampsCount: z.int().min(1).max(10_000),
  reason: z.enum(STREET_LIGHT_REASONS),
});

export const streetLightsSwitched = defineEvent({
  type: "StreetLightsSwitched",
  description: "A street-light circuit was switched on, off or dimmed.",
  payload: StreetLightsSwitchedSchema,
  priority: firstOf<z.output<typeof StreetLightsSwitchedSchema>>(
    [{ level: "normal", condition: "when switched by a fault", test: (p) => p.reason === "fault" }],
    "info",
  ),
  streamRule: ZONE_STREAM,
  place: placeOfLocation,
  consumers: ["traffic", "event-store", "analytics"],
  example: {
    circuitId: "sl-z3-07",
    location: { latitude: 52.372, longitude: 4.89, address: "Raadhuisstraat", zone: "z3" },
    state: "on",
    brightnessPercent: 80,
    lampsCount: 46,
    reason: "daylight",
  },
});

export const DaylightChangedSchema = z.strictObject({
  sensorId: IdSchema,
  location: LocationSchema,
  phase: z.enum(["sunrise", "sunset"]),
  luxLevel: z.number().min(0).max(200_000),
});

export const daylightChanged = defineEvent({
  type: "DaylightChanged",
  description: "A light sensor saw sunrise or sunset.",
  payload: DaylightChangedSchema,
  priority: always("info"),
  streamRule: ZONE_STREAM,
  place: placeOfLocation,
  consumers: ["traffic", "event-store", "analytics"],
  example: {
    sensorId: "lux-z3-01",
    location: { latitude: 52.3702, longitude: 4.8952, zone: "z3" },
    phase: "sunset",
    luxLevel: 380,
  },
});
