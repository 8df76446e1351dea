/**
 * Validation of payloads, details and whole EventBridge events against the catalog.
 * Throwing forms (`parse*`) raise `InvalidEventError` naming the type, the field and the rule.
 */
import { z } from "zod";
import type { EventDefinition } from "./catalog/common.ts";
import {
  type AnyCityEvent,
  CATALOG,
  type CityEventOf,
  type DetailOf,
  isEventType,
  type PayloadOf,
} from "./catalog.ts";
import { EventMetaSchema, PRIORITIES, type Priority } from "./envelope.ts";
import { type EventProblem, InvalidEventError, UnknownEventTypeError } from "./errors.ts";
import { personalDataProblems } from "./free-text.ts";
import { describeValue, problemsOf } from "./issues.ts";
import { EVENT_TYPES, type EventType, SOURCE_OF } from "./names.ts";

const PARSE_OPTIONS = { reportInput: true } as const;

function definition(type: EventType): EventDefinition {
  return CATALOG[type] as EventDefinition;
}

function assertKnownType(detailType: unknown, index?: number): asserts detailType is EventType {
  if (!isEventType(detailType)) throw new UnknownEventTypeError(detailType, EVENT_TYPES, index);
}

const detailSchemas = new Map<EventType, z.ZodType>();

/**
 * The schema of a type's `detail` = payload + meta. Meta must agree with the payload: zone,
 * intersectionId and streamId are those the catalog derives from it.
 */
export function detailSchemaOf(type: EventType): z.ZodType {
  const cached = detailSchemas.get(type);
  if (cached) return cached;
  const def = definition(type);
  const schema = def.payload.safeExtend({ meta: EventMetaSchema }).superRefine((value, ctx) => {
    const detail = value as Record<string, unknown> & { meta: z.infer<typeof EventMetaSchema> };
    const place = def.place(detail);
    const expected: Record<string, string | undefined> = {
      zone: place.zone,
      intersectionId: place.intersectionId,
      streamId: def.streamId(detail),
    };
    for (const [field, want] of Object.entries(expected)) {
      const got = detail.meta[field as "zone" | "intersectionId" | "streamId"];
      if (got !== want) {
        ctx.addIssue({
          code: "custom",
          path: ["meta", field],
          input: got,
          message: `must be ${want === undefined ? "absent" : JSON.stringify(want)} (derived from the payload)`,
        });
      }
    }
  });
  detailSchemas.set(type, schema);
  return schema;
}

/** Validates a payload (no meta) of a known or unknown type; throws InvalidEventError. */
export function parsePayload<T extends EventType>(
  type: T,
  payload: unknown,
  index?: number,
): PayloadOf<T>;
export function parsePayload(type: string, payload: unknown, index?: number): unknown;
export function parsePayload(type: string, payload: unknown, index?: number): unknown {
  assertKnownType(type, index);
  const schema = definition(type).payload;
  const result = schema.safeParse(payload, PARSE_OPTIONS);
  if (!result.success) throw new InvalidEventError(problemsOf(type, result.error, schema, index));
  return result.data;
}

/** Problems of a payload, without throwing (empty when valid). */
export function payloadProblems(type: unknown, payload: unknown, index?: number): EventProblem[] {
  return checkPayload(type, payload, index).problems;
}

/** The payload's problems, and the parsed payload when there are none. */
export function checkPayload(
  type: unknown,
  payload: unknown,
  index?: number,
): { readonly problems: EventProblem[]; readonly payload?: Record<string, unknown> } {
  if (!isEventType(type))
    return { problems: [...new UnknownEventTypeError(type, EVENT_TYPES, index).problems] };
  const schema = definition(type).payload;
  const result = schema.safeParse(payload, PARSE_OPTIONS);
  if (!result.success) return { problems: problemsOf(type, result.error, schema, index) };
  const personal = personalDataProblems(type, result.data, index);
  return personal.length > 0
    ? { problems: personal }
    : { problems: [], payload: result.data as Record<string, unknown> };
}

/**
 * The priorities a producer may give an event of this type and payload: the catalog's
 * classification or more urgent (PRIORITIES runs from most to least urgent). A producer may
 * raise a priority, never lower it: a FireAlarmRaised marked "info" would miss emergency
 * dispatch (docs/RELIABILITY.md, "Hostile input").
 */
export function allowedPriorities(type: EventType, payload: Record<string, unknown>): Priority[] {
  const classified = definition(type).priority(payload);
  return PRIORITIES.slice(0, PRIORITIES.indexOf(classified) + 1);
}

/** The problem of a producer-given priority below the catalog's classification, if any. */
export function priorityProblem(
  type: EventType,
  payload: Record<string, unknown>,
  priority: unknown,
  index?: number,
): EventProblem | undefined {
  if (priority === undefined || !PRIORITIES.includes(priority as Priority)) return undefined;
  const allowed = allowedPriorities(type, payload);
  if (allowed.includes(priority as Priority)) return undefined;
  return {
    ...(index === undefined ? {} : { index }),
    eventType: type,
    path: "priority",
    rule: `must not be lower than the catalog's classification for this payload (${definition(type).priorityRule}): allowed ${allowed.join("|")}, got ${describeValue(priority)}`,
  };
}

/** Validates a `detail` (payload + meta) of a detail-type; throws InvalidEventError. */
export function parseDetail<T extends EventType>(detailType: T, detail: unknown): DetailOf<T>;
export function parseDetail(detailType: string, detail: unknown): unknown;
export function parseDetail(detailType: string, detail: unknown): unknown {
  assertKnownType(detailType);
  const schema = detailSchemaOf(detailType);
  const result = schema.safeParse(detail, PARSE_OPTIONS);
  if (!result.success) throw new InvalidEventError(problemsOf(detailType, result.error, schema));
  return result.data;
}

export type ValidationResult<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly error: InvalidEventError };

/** Non-throwing `parseDetail`: `{ ok, value }` or `{ ok: false, error }`. */
export function validateEvent(
  detailType: string,
  detail: unknown,
): ValidationResult<AnyCityEvent["detail"]> {
  try {
    return { ok: true, value: parseDetail(detailType, detail) as AnyCityEvent["detail"] };
  } catch (error) {
    if (error instanceof InvalidEventError) return { ok: false, error };
    throw error;
  }
}

/** The EventBridge event as a consumer receives it (e.g. an SQS message body). */
export const EventBridgeEventSchema = z.looseObject({
  version: z.string().optional(),
  id: z.string().optional(),
  "detail-type": z.string(),
  source: z.string(),
  account: z.string().optional(),
  time: z.string().optional(),
  region: z.string().optional(),
  resources: z.array(z.string()).optional(),
  detail: z.unknown(),
});

/**
 * Parses a whole EventBridge event (object or JSON text): known detail-type, the source the
 * catalog assigns to it, and a valid detail. Returns a typed city event.
 */
export function parseCityEvent(raw: unknown): AnyCityEvent {
  let value = raw;
  if (typeof raw === "string") {
    try {
      value = JSON.parse(raw);
    } catch (cause) {
      throw new InvalidEventError(
        [
          {
            eventType: "unknown",
            path: "",
            rule: `expected an EventBridge event as JSON, got ${raw.slice(0, 60)}`,
          },
        ],
        { cause },
      );
    }
  }
  const envelope = EventBridgeEventSchema.safeParse(value, PARSE_OPTIONS);
  if (!envelope.success) {
    throw new InvalidEventError(
      problemsOf("EventBridgeEvent", envelope.error, EventBridgeEventSchema),
    );
  }
  const type = envelope.data["detail-type"];
  assertKnownType(type);
  const wantSource = SOURCE_OF[type];
  if (envelope.data.source !== wantSource) {
    throw new InvalidEventError([
      {
        eventType: type,
        path: "source",
        rule: `expected ${JSON.stringify(wantSource)} for ${type}, got ${JSON.stringify(envelope.data.source)}`,
      },
    ]);
  }
  const detail = parseDetail(type, envelope.data.detail);
  return { source: wantSource, detailType: type, detail } as AnyCityEvent;
}

/** Narrows a parsed event to one type. */
export function isCityEventOf<T extends EventType>(
  event: AnyCityEvent,
  type: T,
): event is CityEventOf<T> & AnyCityEvent {
  return event.detailType === type;
}

/**
 * A publisher method given something other than a list (e.g. `publish("x")` from untyped code)
 * throws InvalidEventError saying what it takes, never a raw TypeError.
 */
export function assertList(
  value: unknown,
  method: string,
  what: string,
): asserts value is unknown[] {
  if (Array.isArray(value)) return;
  throw new InvalidEventError([
    {
      eventType: "unknown",
      path: "",
      rule: `${method} takes an array of ${what}, got ${describeValue(value)}`,
    },
  ]);
}
