/** City life: public transit and public events. */
import { z } from "zod";
import {
  defineEvent,
  firstOf,
  IdSchema,
  IsoUtcSchema,
  LocationSchema,
  PublicTextSchema,
  placeOfLocation,
} from "./common.ts";

const ZONE_STREAM = { kind: "zone", from: "location.zone" } as const;

/** Delay (seconds) from which a transit event is worth a normal-priority look. */
export const TRANSIT_DELAY_NOTABLE_SECONDS = 600;
const Delay = z.int().min(-3600).max(86_400);

const TRANSIT_PRIORITY = firstOf<{ readonly delaySeconds: number }>(
  [
    {
      level: "normal",
      condition: `when delayed ≥ ${TRANSIT_DELAY_NOTABLE_SECONDS} s`,
      test: (p) => p.delaySeconds >= TRANSIT_DELAY_NOTABLE_SECONDS,
    },
  ],
  "info",
);

export const TrainArrivedSchema = z.strictObject({
  trainId: IdSchema,
  lineId: IdSchema,
  stationId: IdSchema,
  location: LocationSchema,
  platform: z.string().min(1).max(8).optional(),
  /** Seconds late (negative: early). */
  delaySeconds: Delay,
  /** Estimated passengers on board (a count). */
  passengersEstimate: z.int().min(0).max(5000).optional(),
});

export const trainArrived = defineEvent({
  type: "TrainArrived",
  description: "A train arrived at a station.",
  payload: TrainArrivedSchema,
  priority: TRANSIT_PRIORITY,
  streamRule: ZONE_STREAM,
  place: placeOfLocation,
  consumers: ["traffic", "event-store", "analytics"],
  example: {
    trainId: "ic-3541",
    lineId: "ic-north",
    stationId: "central",
    location: { latitude: 52.3791, longitude: 4.9003, address: "Central Station", zone: "z1" },
    platform: "5b",
    delaySeconds: 120,
    passengersEstimate: 640,
  },
});

export const BusDepartedSchema = z.strictObject({
  busId: IdSchema,
  routeId: IdSchema,
  stopId: IdSchema,
  location: LocationSchema,
  delaySeconds: Delay,
  occupancyPercent: z.number().min(0).max(150).optional(),
});

export const busDeparted = defineEvent({
  type: "BusDeparted",
  description: "A bus left a stop.",
  payload: BusDepartedSchema,
  priority: TRANSIT_PRIORITY,
  streamRule: ZONE_STREAM,
  place: placeOfLocation,
  consumers: ["traffic", "event-store", "analytics"],
  example: {
    busId: "bus-1187",
    routeId: "r-22",
    stopId: "stop-rozengracht",
    location: { latitude: 52.3735, longitude: 4.8869, zone: "z3", intersectionId: "i-14" },
    delaySeconds: 45,
    occupancyPercent: 72,
  },
});

export const PUBLIC_EVENT_KINDS = [
  "concert",
  "sport",
  "festival",
  "parade",
  "market",
  "other",
] as const;
/** Attendance from which a public event is high priority (traffic, crowd control). */
export const LARGE_EVENT_ATTENDANCE = 10_000;

export const PublicEventStartedSchema = z.strictObject({
  publicEventId: IdSchema,
  name: PublicTextSchema,
  kind: z.enum(PUBLIC_EVENT_KINDS),
  venue: z.string().min(1).max(120),
  location: LocationSchema,
  expectedAttendance: z.int().min(0).max(2_000_000),
  durationMinutes: z.int().min(1).max(10_080),
  endsAt: IsoUtcSchema,
});

export const publicEventStarted = defineEvent({
  type: "PublicEventStarted",
  description: "An organiser reported that a public event (concert, match, festival…) started.",
  payload: PublicEventStartedSchema,
  priority: firstOf<z.output<typeof PublicEventStartedSchema>>(
    [
      {
        level: "high",
        condition: `when ≥ ${LARGE_EVENT_ATTENDANCE} people are expected`,
        test: (p) => p.expectedAttendance >= LARGE_EVENT_ATTENDANCE,
      },
    ],
    "normal",
  ),
  streamRule: ZONE_STREAM,
  place: placeOfLocation,
  consumers: ["traffic", "media", "event-store", "analytics"],
  example: {
    publicEventId: "concert-2026-11-23-ziggo",
    name: "Open-air concert: City Philharmonic",
    kind: "concert",
    venue: "Museumplein",
    location: { latitude: 52.3579, longitude: 4.8812, address: "Museumplein", zone: "z2" },
    expectedAttendance: 18_000,
    durationMinutes: 180,
    endsAt: "2026-11-23T22:00:00.000Z",
  },
});
