/**
 * Derived events of the traffic, notification, media and analytics services.
 * No personal data: notifications carry counts, never recipients.
 */
import { z } from "zod";
import { PrioritySchema, UlidSchema } from "../envelope.ts";
import { ALERT_TYPES, EVENT_TYPES, PUBLIC_TYPES } from "../names.ts";
import {
  always,
  defineEvent,
  IdSchema,
  IntersectionIdSchema,
  IntersectionLocationSchema,
  IsoUtcSchema,
  LightStateSchema,
  LocationSchema,
  type Place,
  PublicTextSchema,
  placeOfLocation,
  ZoneSchema,
} from "./common.ts";

const placeOfZone = (p: { readonly zone: string }): Place => ({ zone: p.zone });

export const REROUTE_REASONS = [
  "incident",
  "public-event",
  "roadworks",
  "weather",
  "emergency-vehicle",
] as const;

export const TrafficReroutedSchema = z.strictObject({
  rerouteId: IdSchema,
  /** Set when the reroute serves an incident (then the event joins the incident's stream). */
  incidentId: IdSchema.optional(),
  reason: z.enum(REROUTE_REASONS),
  /** Where traffic is diverted (usually the first closed intersection). */
  location: LocationSchema,
  closedIntersectionIds: z.array(IntersectionIdSchema).min(1).max(100),
  detourIntersectionIds: z.array(IntersectionIdSchema).min(1).max(100),
  expectedDurationMinutes: z.int().min(1).max(10_080),
  /** Safe to publish as is (media, signs). */
  publicMessage: PublicTextSchema,
});

export const trafficRerouted = defineEvent({
  type: "TrafficRerouted",
  description: "The traffic service diverted traffic around closed intersections.",
  payload: TrafficReroutedSchema,
  priority: always("high"),
  streamRule: {
    kind: "incident",
    from: "incidentId",
    otherwise: { kind: "zone", from: "location.zone" },
  },
  place: placeOfLocation,
  consumers: ["traffic", "media", "event-store", "analytics"],
  example: {
    rerouteId: "rr-i12-0001",
    incidentId: "inc-01JDX8Q4W6T2N5V7X9Y1B3C5D7",
    reason: "incident",
    location: { latitude: 52.3731, longitude: 4.8922, zone: "z3", intersectionId: "i-12" },
    closedIntersectionIds: ["i-12"],
    detourIntersectionIds: ["i-11", "i-15", "i-13"],
    expectedDurationMinutes: 90,
    publicMessage:
      "Rozengracht closed at Prinsengracht after an accident; follow the detour signs.",
  },
});

export const SEQUENCE_RULES = [
  "green-to-red-without-yellow",
  "conflicting-greens",
  "pedestrian-vehicle-conflict",
  "sequence-gap-expired",
  "stale-state",
] as const;

export const SignalSequenceViolationSchema = z.strictObject({
  controllerId: IdSchema,
  location: IntersectionLocationSchema,
  rule: z.enum(SEQUENCE_RULES),
  fromState: LightStateSchema,
  toState: LightStateSchema,
  /** The TrafficLightChanged event that broke the rule. */
  offendingEventId: UlidSchema,
  /** Sequence the traffic service expected from the controller, and the one it saw. */
  expectedSequence: z.int().min(1).optional(),
  observedSequence: z.int().min(1).optional(),
  explanation: z.string().min(1).max(300),
});

export const signalSequenceViolation = defineEvent({
  type: "SignalSequenceViolation",
  description:
    "The traffic service saw an intersection's lights change in an unsafe or invalid order.",
  payload: SignalSequenceViolationSchema,
  priority: always("high"),
  streamRule: { kind: "intersection", from: "location.intersectionId" },
  place: placeOfLocation,
  consumers: ["traffic", "event-store", "analytics"],
  example: {
    controllerId: "tlc-i12",
    location: { latitude: 52.3731, longitude: 4.8922, zone: "z3", intersectionId: "i-12" },
    rule: "green-to-red-without-yellow",
    fromState: { vehicles: "green", pedestrians: "red" },
    toState: { vehicles: "red", pedestrians: "green" },
    offendingEventId: "01JDX8Q4W6T2N5V7X9Y1B3C5D8",
    expectedSequence: 41,
    observedSequence: 41,
    explanation: "vehicles went green → red without yellow",
  },
});

export const NOTIFICATION_CHANNELS = ["sms", "push", "siren", "email"] as const;

export const CitizensNotifiedSchema = z.strictObject({
  /** The alert event that was announced. */
  alertEventId: UlidSchema,
  alertType: z.enum(ALERT_TYPES),
  alertId: IdSchema.optional(),
  incidentId: IdSchema.optional(),
  /** One event per notified zone (the zone's citizen topic). */
  zone: ZoneSchema,
  channel: z.enum(NOTIFICATION_CHANNELS),
  /** How many subscribers the message went to: a count, never who. */
  recipientsCount: z.int().min(0).max(10_000_000),
  priority: PrioritySchema,
});

export const citizensNotified = defineEvent({
  type: "CitizensNotified",
  description: "The notification service published an alert to a zone's citizens.",
  payload: CitizensNotifiedSchema,
  priority: always("normal", "audit record"),
  streamRule: {
    kind: "alert",
    from: "alertId",
    otherwise: { kind: "incident", from: "incidentId", otherwise: { kind: "zone", from: "zone" } },
  },
  place: placeOfZone,
  consumers: ["event-store", "analytics"],
  example: {
    alertEventId: "01JDX8Q4W6T2N5V7X9Y1B3C5D9",
    alertType: "WeatherAlertIssued",
    alertId: "wx-2026-0412",
    zone: "z4",
    channel: "push",
    recipientsCount: 18_250,
    priority: "critical",
  },
});

export const MEDIA_CHANNELS = ["press-feed", "social", "website"] as const;

export const MediaPostPublishedSchema = z.strictObject({
  postId: IdSchema,
  sourceEventId: UlidSchema,
  sourceType: z.enum(PUBLIC_TYPES),
  zone: ZoneSchema,
  channel: z.enum(MEDIA_CHANNELS),
  headline: z.string().min(1).max(280),
  body: z.string().max(2000),
});

export const mediaPostPublished = defineEvent({
  type: "MediaPostPublished",
  description: "The media service posted a public-safe city event to the press feed.",
  payload: MediaPostPublishedSchema,
  priority: always("info"),
  streamRule: { kind: "zone", from: "zone" },
  place: placeOfZone,
  consumers: ["event-store", "analytics"],
  example: {
    postId: "post-2026-11-23-0042",
    sourceEventId: "01JDX8Q4W6T2N5V7X9Y1B3C5DA",
    sourceType: "TrafficRerouted",
    zone: "z3",
    channel: "press-feed",
    headline: "Rozengracht closed after accident, detour in place",
    body: "Traffic is diverted via Marnixstraat for about 90 minutes.",
  },
});

const Count = z.int().min(0).max(1_000_000_000);

export const ReadingsAggregatedSchema = z
  .strictObject({
    zone: ZoneSchema,
    windowStart: IsoUtcSchema,
    windowEnd: IsoUtcSchema,
    windowSeconds: z.int().min(1).max(86_400),
    totalEvents: Count,
    countsByType: z.partialRecord(z.enum(EVENT_TYPES), Count),
    countsByPriority: z.partialRecord(PrioritySchema, Count),
    /** Traffic readings of the window, when any were seen. */
    traffic: z
      .strictObject({
        samples: Count,
        vehiclesCounted: Count,
        averageSpeedKmh: z.number().min(0).max(250),
      })
      .optional(),
  })
  .superRefine((p, ctx) => {
    if (Date.parse(p.windowEnd) <= Date.parse(p.windowStart)) {
      ctx.addIssue({
        code: "custom",
        path: ["windowEnd"],
        input: p.windowEnd,
        message: `must be after windowStart (${p.windowStart})`,
      });
    }
  });

export const readingsAggregated = defineEvent({
  type: "ReadingsAggregated",
  description: "The analytics service closed a per-zone window of counts and traffic readings.",
  payload: ReadingsAggregatedSchema,
  priority: always("info"),
  streamRule: { kind: "zone", from: "zone" },
  place: placeOfZone,
  consumers: ["event-store", "analytics"],
  example: {
    zone: "z3",
    windowStart: "2026-11-23T15:00:00.000Z",
    windowEnd: "2026-11-23T15:01:00.000Z",
    windowSeconds: 60,
    totalEvents: 57,
    countsByType: { TrafficDensityMeasured: 48, TrafficLightChanged: 8, AccidentDetected: 1 },
    countsByPriority: { info: 48, normal: 8, critical: 1 },
    traffic: { samples: 48, vehiclesCounted: 1930, averageSpeedKmh: 24.1 },
  },
});
