/**
 * A realistic, seeded mix of city events built from the catalog's own examples: mostly street
 * traffic and transit, some sensors and alerts, and the services' derived events.
 */
import {
  ALERT_TYPES,
  type AnyCityEvent,
  type AnyEventDraft,
  createStampContext,
  DERIVED_SOURCES,
  definitionOf,
  EVENT_TYPES,
  type EventDraft,
  type EventType,
  type Priority,
  payloadProblems,
  SOURCE_OF,
  stampDraft,
} from "../events/index.ts";
import { allowedPriorities } from "../events/validate.ts";
import { LOCAL_ACCOUNT } from "../local/account.ts";
import { BenchError } from "./errors.ts";

/** Relative frequency of each type in the mix (a busy normal day). */
export const MIX_WEIGHTS: Readonly<Record<EventType, number>> = {
  TrafficLightChanged: 300,
  TrafficDensityMeasured: 200,
  BusDeparted: 100,
  TrainArrived: 60,
  StreetLightsSwitched: 40,
  CameraAnomalyDetected: 30,
  AccidentDetected: 15,
  SmokeDetected: 10,
  FireAlarmRaised: 10,
  WeatherAlertIssued: 10,
  GasLeakDetected: 5,
  IntrusionDetected: 5,
  WeatherAlertCancelled: 5,
  PublicEventStarted: 5,
  DaylightChanged: 5,
  ReadingsAggregated: 60,
  CitizensNotified: 30,
  TrafficRerouted: 20,
  IncidentOpened: 20,
  MediaPostPublished: 20,
  UnitsReserved: 15,
  UnitsDispatched: 15,
  SignalSequenceViolation: 10,
  DispatchFailed: 3,
  DispatchEscalated: 2,
  CrisisModeChanged: 1,
};

const ALERTS: ReadonlySet<EventType> = new Set(ALERT_TYPES);
/** Alerts come in every urgency, so both notification rules see traffic. */
const ALERT_PRIORITIES: readonly Priority[] = ["critical", "high", "normal", "normal", "info"];

const DERIVED: ReadonlySet<string> = new Set(DERIVED_SOURCES);

/** Picks a type with probability proportional to its weight, among `types`. */
export function pickType(
  random: () => number,
  types: readonly EventType[] = EVENT_TYPES,
): EventType {
  let total = 0;
  for (const type of types) total += MIX_WEIGHTS[type];
  let point = random() * total;
  for (const type of types) {
    point -= MIX_WEIGHTS[type];
    if (point < 0) return type;
  }
  return types[types.length - 1] as EventType;
}

/** Types published by devices (not derived by the city's services). */
export const PRODUCER_TYPES: readonly EventType[] = EVENT_TYPES.filter(
  (t) => !DERIVED.has(SOURCE_OF[t]),
);

/** The city the mix spreads over: 8 zones, 40 intersections (intersection n lies in zone (n-1) mod 8 + 1). */
export const ZONES = 8;
export const INTERSECTIONS = 40;

type Json = Record<string, unknown>;

/**
 * The example payload moved to another place of the city: `location.zone`,
 * `location.intersectionId` (when the example has one), a top-level `zone`, and `zones` (which
 * must hold the home zone). Falls back to the example as is when the moved payload is invalid.
 */
export function relocate(type: EventType, random: () => number): Json {
  const example = definitionOf(type).example as Json;
  const n = 1 + Math.floor(random() * INTERSECTIONS);
  const zone = `z${((n - 1) % ZONES) + 1}`;
  const moved = structuredClone(example);
  const location = moved.location as Json | undefined;
  if (location && typeof location === "object") {
    location.zone = zone;
    if ("intersectionId" in location) location.intersectionId = `i-${n}`;
  }
  if (typeof moved.zone === "string") moved.zone = zone;
  if (Array.isArray(moved.zones)) moved.zones = [zone];
  return payloadProblems(type, moved).length === 0 ? moved : structuredClone(example);
}

/**
 * `count` drafts (type + the catalog's example payload, relocated) in the weighted mix; with
 * `producerOnly`, only the types devices publish (the services derive the others).
 */
export function draftMix(
  count: number,
  random: () => number,
  { producerOnly = false }: { readonly producerOnly?: boolean } = {},
): AnyEventDraft[] {
  const types = producerOnly ? PRODUCER_TYPES : EVENT_TYPES;
  if (!Number.isSafeInteger(count) || count < 1) {
    throw new BenchError(`draftMix: count must be an integer >= 1, got ${count}`);
  }
  return Array.from({ length: count }, () => {
    const type = pickType(random, types);
    const payload = relocate(type, random) as EventDraft["payload"];
    const wanted = ALERTS.has(type)
      ? ALERT_PRIORITIES[Math.floor(random() * ALERT_PRIORITIES.length)]
      : undefined;
    // Never below the catalog's classification (the publisher refuses it, and the whole batch).
    const allowed = allowedPriorities(type, payload as Record<string, unknown>);
    const priority = wanted && !allowed.includes(wanted) ? allowed.at(-1) : wanted;
    const draft: EventDraft = { type, payload, ...(priority ? { priority } : {}) };
    return draft as AnyEventDraft;
  });
}

/** `count` stamped city events in the mix, from 8 producers, 50 ms apart from a fixed start. */
export function stampedMix(count: number, random: () => number): AnyCityEvent[] {
  let clock = Date.parse("2026-11-23T15:00:00.000Z");
  const contexts = Array.from({ length: 8 }, (_, p) =>
    createStampContext({ producerId: `bench-producer-${p}`, now: () => clock, random }),
  );
  return draftMix(count, random).map((draft, i) => {
    clock += 50;
    const ctx = contexts[i % contexts.length];
    if (!ctx) throw new BenchError(`stampedMix: no producer context for event ${i}`);
    return stampDraft(draft as EventDraft, ctx);
  });
}

/** The EventBridge event a rule sees (and an SQS consumer receives) for a city event. */
export function wireEventOf(event: AnyCityEvent, index: number): Record<string, unknown> {
  return {
    version: "0",
    id: `00000000-0000-4000-8000-${index.toString(16).padStart(12, "0")}`,
    "detail-type": event.detailType,
    source: event.source,
    account: LOCAL_ACCOUNT,
    time: event.detail.meta.occurredAt.replace(/\.\d{3}Z$/, "Z"),
    region: "us-east-1",
    resources: [],
    detail: event.detail,
  };
}
