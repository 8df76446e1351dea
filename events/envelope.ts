/**
 * The envelope of every city event: the `meta` object carried in `detail.meta`, and the shape of
 * a city event (`source`, `detail-type`, `detail`). No AWS code here.
 *
 * On the wire (an EventBridge event): `source` = SOURCE_OF[type], `detail-type` = type,
 * `detail` = `{ ...payload, meta }`.
 */
import { z } from "zod";
import type { EventType, Source } from "./names.ts";

/** Priorities, most urgent first. */
export const PRIORITIES = ["critical", "high", "normal", "info"] as const;
export const PrioritySchema = z.enum(PRIORITIES);
export type Priority = z.infer<typeof PrioritySchema>;

/** Crockford base32, 26 characters, first character 0-7 (48-bit time fits). */
export const ULID_PATTERN = /^[0-7][0-9A-HJKMNP-TV-Z]{25}$/;
export const UlidSchema = z
  .string()
  .regex(
    ULID_PATTERN,
    "expected a ULID (26 Crockford base32 characters, e.g. 01J9Z3K8Q4W6T2N5V7X9Y1B3C5)",
  );

/** ISO 8601 in UTC with a `Z` suffix, e.g. `2026-11-23T15:04:05.123Z`. */
export const IsoUtcSchema = z.iso.datetime({ offset: false });

/** A city zone, `z<number>`, e.g. `z3`. */
export const ZONE_PATTERN = /^z[0-9]{1,4}$/;
export const ZoneSchema = z.string().regex(ZONE_PATTERN, "expected a zone id like z3 (z + digits)");

/** An intersection, `i-<number>`, e.g. `i-12`. */
export const INTERSECTION_PATTERN = /^i-[0-9]{1,6}$/;
export const IntersectionIdSchema = z
  .string()
  .regex(INTERSECTION_PATTERN, "expected an intersection id like i-12 (i- + digits)");

/** The event-store streams (docs/ARCHITECTURE.md, "Data"). */
export const STREAM_KINDS = ["intersection", "incident", "alert", "zone"] as const;
export type StreamKind = (typeof STREAM_KINDS)[number];
export const STREAM_ID_PATTERN =
  /^(intersection|incident|alert|zone)#[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$/;
export const StreamIdSchema = z
  .string()
  .regex(
    STREAM_ID_PATTERN,
    "expected <kind>#<id> with kind one of intersection|incident|alert|zone, e.g. intersection#i-12",
  );

/** Builds a stream id, e.g. `streamIdOf("zone", "z3")` → `zone#z3`. */
export function streamIdOf(kind: StreamKind, id: string): string {
  return `${kind}#${id}`;
}

/** Producer ids: short, printable, e.g. `weather-station-7`, `svc-emergency`. */
export const ProducerIdSchema = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:/-]*$/, "expected letters, digits and . _ : / - only");

/** Correlation ids default to the first event's id (a ULID) but may come from outside. */
export const CorrelationIdSchema = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:-]*$/, "expected letters, digits and . _ : - only");

export const CURRENT_SCHEMA_VERSION = 1;

/** `detail.meta` of every city event. */
export const EventMetaSchema = z.strictObject({
  /** ULID, unique per event; derived events get a deterministic one (see derivedEventId). */
  eventId: UlidSchema,
  /** When it happened, ISO UTC. */
  occurredAt: IsoUtcSchema,
  /** Who emitted it (a device or a service instance). */
  producerId: ProducerIdSchema,
  /** Per-producer sequence number, 1, 2, 3… (gap / duplicate / reorder detection). */
  sequence: z.int().min(1),
  /** Lamport timestamp of the producer when it sent the event. */
  lamport: z.int().min(1),
  /** Optional vector clock, producerId → counter. */
  vectorClock: z.record(z.string().min(1), z.int().min(0)).optional(),
  priority: PrioritySchema,
  zone: ZoneSchema,
  intersectionId: IntersectionIdSchema.optional(),
  /** Ordering key / event-store stream (FIFO MessageGroupId for the store). */
  streamId: StreamIdSchema,
  /** Groups every event of one story (e.g. an incident); defaults to the first event's id. */
  correlationId: CorrelationIdSchema,
  /** The event that caused this one (derived events). */
  causationId: UlidSchema.optional(),
  schemaVersion: z.int().min(1),
  /** True when delivered again from the archive (replay). */
  replayed: z.boolean().optional(),
});
export type EventMeta = z.infer<typeof EventMetaSchema>;

/**
 * A city event as producers and consumers see it: the parts of the EventBridge event that carry
 * meaning. `TPayload` is the payload of the type (see `PayloadOf<T>` in the catalog).
 */
export interface CityEvent<
  TPayload extends object = Record<string, unknown>,
  TType extends EventType = EventType,
> {
  readonly source: Source;
  readonly detailType: TType;
  readonly detail: TPayload & { readonly meta: EventMeta };
}
