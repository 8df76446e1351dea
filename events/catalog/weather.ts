/** Weather service events (source buzzville.weather). */
import { z } from "zod";
import type { Priority } from "../envelope.ts";
import {
  byValue,
  defineEvent,
  IdSchema,
  IsoUtcSchema,
  LocationSchema,
  PublicTextSchema,
  placeOfLocation,
  type WeatherLevel,
  WeatherLevelSchema,
  ZoneSchema,
} from "./common.ts";

export const WEATHER_KINDS = [
  "storm",
  "thunderstorm",
  "heatwave",
  "flood",
  "snow",
  "ice",
  "wind",
  "fog",
] as const;

/** Alert level → priority: red is critical, orange high, yellow normal. */
export const WEATHER_LEVEL_PRIORITY: Readonly<Record<WeatherLevel, Priority>> = {
  red: "critical",
  orange: "high",
  yellow: "normal",
};

/** A cancellation is one step less urgent than the alert it lifts. */
export const WEATHER_CANCEL_PRIORITY: Readonly<Record<WeatherLevel, Priority>> = {
  red: "high",
  orange: "normal",
  yellow: "normal",
};

export const WeatherAlertIssuedSchema = z
  .strictObject({
    alertId: IdSchema,
    level: WeatherLevelSchema,
    kind: z.enum(WEATHER_KINDS),
    /** Centre of the alert area; its zone is the alert's home zone. */
    location: LocationSchema,
    /** Every zone the alert covers (includes the home zone). */
    zones: z.array(ZoneSchema).min(1).max(100),
    headline: PublicTextSchema,
    /** Intensity on a 0–10 scale (wind, rain, heat… as the kind says). */
    intensity: z.number().min(0).max(10),
    temperatureC: z.number().min(-60).max(60).optional(),
    windSpeedKmh: z.number().min(0).max(400).optional(),
    precipitationMmPerHour: z.number().min(0).max(500).optional(),
    validFrom: IsoUtcSchema,
    validUntil: IsoUtcSchema,
  })
  .superRefine((p, ctx) => {
    if (Date.parse(p.validUntil) <= Date.parse(p.validFrom)) {
      ctx.addIssue({
        code: "custom",
        path: ["validUntil"],
        input: p.validUntil,
        message: `must be after validFrom (${p.validFrom})`,
      });
    }
    if (!p.zones.includes(p.location.zone)) {
      ctx.addIssue({
        code: "custom",
        path: ["zones"],
        input: p.zones,
        message: `must include location.zone (${p.location.zone})`,
      });
    }
  });

export const weatherAlertIssued = defineEvent({
  type: "WeatherAlertIssued",
  description:
    "The weather service issued an alert (storm, heatwave, flood…) for one or more zones.",
  payload: WeatherAlertIssuedSchema,
  priority: byValue<z.output<typeof WeatherAlertIssuedSchema>, WeatherLevel>(
    "by level",
    (p) => p.level,
    WEATHER_LEVEL_PRIORITY,
  ),
  streamRule: { kind: "alert", from: "alertId" },
  place: placeOfLocation,
  consumers: ["emergency", "notification", "traffic", "media", "event-store", "analytics"],
  example: {
    alertId: "wx-2026-0412",
    level: "red",
    kind: "storm",
    location: { latitude: 52.3702, longitude: 4.8952, address: "Dam Square", zone: "z3" },
    zones: ["z3", "z4"],
    headline: "Severe storm with gusts up to 120 km/h; stay indoors.",
    intensity: 9,
    temperatureC: 11.5,
    windSpeedKmh: 120,
    precipitationMmPerHour: 35,
    validFrom: "2026-11-23T15:00:00.000Z",
    validUntil: "2026-11-23T21:00:00.000Z",
  },
});

export const WeatherAlertCancelledSchema = z.strictObject({
  alertId: IdSchema,
  /** The level of the alert being lifted. */
  level: WeatherLevelSchema,
  location: LocationSchema,
  zones: z.array(ZoneSchema).min(1).max(100),
  reason: PublicTextSchema,
});

export const weatherAlertCancelled = defineEvent({
  type: "WeatherAlertCancelled",
  description: "The weather service lifted an alert it had issued.",
  payload: WeatherAlertCancelledSchema,
  priority: byValue<z.output<typeof WeatherAlertCancelledSchema>, WeatherLevel>(
    "by the lifted level",
    (p) => p.level,
    WEATHER_CANCEL_PRIORITY,
  ),
  streamRule: { kind: "alert", from: "alertId" },
  place: placeOfLocation,
  consumers: ["notification", "traffic", "media", "event-store", "analytics"],
  example: {
    alertId: "wx-2026-0412",
    level: "red",
    location: { latitude: 52.3702, longitude: 4.8952, address: "Dam Square", zone: "z3" },
    zones: ["z3", "z4"],
    reason: "The storm has passed; winds below 40 km/h.",
  },
});
