/**
 * Building blocks shared by the payload schemas, and the shape of one catalog entry.
 * No AWS code here.
 */
import { z } from "zod";
import {
  IntersectionIdSchema,
  IsoUtcSchema,
  type Priority,
  type StreamKind,
  streamIdOf,
  UlidSchema,
  ZoneSchema,
} from "../envelope.ts";
import type { ServiceName } from "../names.ts";
import { type EventType, SOURCE_OF, type Source } from "../names.ts";

export { IntersectionIdSchema, IsoUtcSchema, UlidSchema, ZoneSchema };

/** Short identifiers of things (alerts, incidents, buildings, devices…). */
export const IdSchema = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:-]*$/, "expected letters, digits and . _ : - only");

/** Free text meant for the public (no personal data): bounded length. */
export const PublicTextSchema = z.string().min(1).max(500);

/** Where something happened. `zone` always; `intersectionId` when at an intersection. */
export const LocationSchema = z.strictObject({
  latitude: z.number().min(-90).max(90),
  longitude: z.number().min(-180).max(180),
  address: z.string().min(1).max(200).optional(),
  zone: ZoneSchema,
  intersectionId: IntersectionIdSchema.optional(),
});
export type Location = z.infer<typeof LocationSchema>;

/** A location that must be an intersection (traffic-light events). */
export const IntersectionLocationSchema = LocationSchema.extend({
  intersectionId: IntersectionIdSchema,
});

export const SEVERITIES = ["low", "medium", "high", "critical"] as const;
export const SeveritySchema = z.enum(SEVERITIES);
export type Severity = z.infer<typeof SeveritySchema>;

export const WEATHER_LEVELS = ["yellow", "orange", "red"] as const;
export const WeatherLevelSchema = z.enum(WEATHER_LEVELS);
export type WeatherLevel = z.infer<typeof WeatherLevelSchema>;

export const LIGHT_COLOURS = ["red", "yellow", "green"] as const;
export const LightColourSchema = z.enum(LIGHT_COLOURS);
/** The state of a traffic light: the vehicle head and the pedestrian head. */
export const LightStateSchema = z.strictObject({
  vehicles: LightColourSchema,
  pedestrians: LightColourSchema,
});
export type LightState = z.infer<typeof LightStateSchema>;

/** Emergency units, `<kind>-<number>`, e.g. `fire-engine-7`, `ambulance-3`. */
export const UNIT_KINDS = ["fire-engine", "ambulance", "police", "hazmat", "rescue"] as const;
export type UnitKind = (typeof UNIT_KINDS)[number];
export const UnitKindSchema = z.enum(UNIT_KINDS);
export const UNIT_ID_PATTERN = /^(fire-engine|ambulance|police|hazmat|rescue)-[0-9]{1,5}$/;
export const UnitIdSchema = z
  .string()
  .regex(UNIT_ID_PATTERN, `expected <kind>-<number> with kind one of ${UNIT_KINDS.join("|")}`);
export const UnitIdsSchema = z.array(UnitIdSchema).min(1).max(50);

/** The kind of a unit id (`fire-engine-7` → `fire-engine`). */
export function unitKindOf(unitId: string): UnitKind {
  const kind = UNIT_KINDS.find((k) => unitId.startsWith(`${k}-`));
  if (!kind) {
    throw new RangeError(
      `Unit id "${unitId}" has no known kind: expected <kind>-<number> with kind one of ${UNIT_KINDS.join("|")}`,
    );
  }
  return kind;
}

/** Where a consumer should file the event: its zone and, if any, its intersection. */
export interface Place {
  readonly zone: string;
  readonly intersectionId?: string;
}

/** The place of a payload that carries a `location`. */
export function placeOfLocation(p: { readonly location: Location }): Place {
  return p.location.intersectionId === undefined
    ? { zone: p.location.zone }
    : { zone: p.location.zone, intersectionId: p.location.intersectionId };
}

// biome-ignore lint/suspicious/noExplicitAny: why: the catalog holds schemas of many shapes; each entry keeps its precise type through defineEvent's generics.
export type AnyPayloadSchema = z.ZodObject<any>;

/** One entry of the catalog: everything the bus, the docs and the consumers need about a type. */
export interface EventDefinition<
  TType extends EventType = EventType,
  TSchema extends AnyPayloadSchema = AnyPayloadSchema,
> {
  readonly type: TType;
  readonly source: Source;
  readonly schemaVersion: number;
  /** One sentence: what happened. */
  readonly description: string;
  /** The payload (the detail without `meta`). Strict: unknown fields are rejected. */
  readonly payload: TSchema;
  /** Priority of a given payload. */
  priority(payload: z.output<TSchema>): Priority;
  /** The priority rule in words (docs), from the same statement as `priority`. */
  readonly priorityRule: string;
  /** Ordering key = event-store stream of a given payload (computed from `streamRule`). */
  streamId(payload: z.output<TSchema>): string;
  /** Which payload field names the stream: the one statement `streamId` and the docs read. */
  readonly streamRule: StreamRule;
  /** Zone and intersection of a payload (copied to meta). */
  place(payload: z.output<TSchema>): Place;
  /** Services that consume the type (topology service names), per the subscriptions' patterns. */
  readonly consumers: readonly ServiceName[];
  /** A realistic payload. */
  readonly example: z.input<TSchema>;
}

export interface StreamRule {
  readonly kind: StreamKind;
  /** The payload field the stream id is taken from, e.g. `location.intersectionId`. */
  readonly from: string;
  /** The rule used when `from` is absent from the payload. */
  readonly otherwise?: StreamRule;
}

/** The stream a rule names for a payload: `kind#<value>` of the first rule whose field is set. */
export function streamIdFrom(rule: StreamRule, payload: unknown): string {
  const id = rule.from
    .split(".")
    .reduce<unknown>(
      (at, key) =>
        typeof at === "object" && at !== null ? (at as Record<string, unknown>)[key] : undefined,
      payload,
    );
  if (id === undefined && rule.otherwise) return streamIdFrom(rule.otherwise, payload);
  return streamIdOf(rule.kind, String(id));
}

/** A payload's priority and the rule in words (docs, validation errors), from one statement. */
export interface PriorityStatement<P> {
  readonly of: (payload: P) => Priority;
  readonly rule: string;
}

/** The same priority for every payload, e.g. `always("info", "high-rate reading")`. */
export function always(level: Priority, note?: string): PriorityStatement<unknown> {
  return { of: () => level, rule: `always ${level}${note === undefined ? "" : ` (${note})`}` };
}

/** A level and when it applies, in words ("when …" / "for …") and as a test. */
export interface PriorityCase<P> {
  readonly level: Priority;
  readonly condition: string;
  readonly test: (payload: P) => boolean;
}

/** The first case that applies, otherwise a default: "critical when …, otherwise high". */
export function firstOf<P>(
  cases: readonly PriorityCase<P>[],
  otherwise: Priority,
): PriorityStatement<P> {
  const said = cases.map((c) => `${c.level} ${c.condition}`).join("; ");
  return {
    of: (payload) => cases.find((c) => c.test(payload))?.level ?? otherwise,
    rule: `${said}${cases.length > 1 ? ";" : ","} otherwise ${otherwise}`,
  };
}

/** A priority per value of a field: "by level: red → critical, orange or yellow → normal". */
export function byValue<P, K extends string>(
  label: string,
  key: (payload: P) => K,
  levels: Readonly<Record<K, Priority>>,
): PriorityStatement<P> {
  const groups: { values: string[]; level: Priority }[] = [];
  for (const [value, level] of Object.entries(levels) as [K, Priority][]) {
    const last = groups.at(-1);
    if (last?.level === level) last.values.push(value);
    else groups.push({ values: [value], level });
  }
  const said = groups.map((g) => `${g.values.join(" or ")} → ${g.level}`).join(", ");
  return { of: (payload) => levels[key(payload)], rule: `${label}: ${said}` };
}

/** Declares a catalog entry; the source comes from names.ts (one source of truth). */
export function defineEvent<TType extends EventType, TSchema extends AnyPayloadSchema>(
  def: Omit<
    EventDefinition<TType, TSchema>,
    "source" | "schemaVersion" | "streamId" | "priority" | "priorityRule"
  > & {
    readonly schemaVersion?: number;
    /** The priority of a payload, stated once (`always`, `firstOf`, `byValue`). */
    readonly priority: PriorityStatement<z.output<TSchema>>;
  },
): EventDefinition<TType, TSchema> {
  const { priority, ...rest } = def;
  return {
    ...rest,
    priority: priority.of,
    priorityRule: priority.rule,
    source: SOURCE_OF[def.type],
    schemaVersion: def.schemaVersion ?? 1,
    streamId: (payload) => streamIdFrom(def.streamRule, payload),
  };
}
