/**
 * Operations events: the city's own state changes, on the bus like everything else so the store
 * keeps their history (docs/OPERATIONS.md, "Crisis mode").
 */
import { z } from "zod";
import { always, defineEvent, IdSchema, IsoUtcSchema, type Place, ZoneSchema } from "./common.ts";

export const CRISIS_MODES = ["normal", "crisis"] as const;
export const CRISIS_TRIGGERS = ["automatic", "operator"] as const;

export const CrisisModeChangedSchema = z.strictObject({
  mode: z.enum(CRISIS_MODES),
  previousMode: z.enum(CRISIS_MODES),
  trigger: z.enum(CRISIS_TRIGGERS),
  /** Why, in words: the backlog reading or the operator's command. */
  reason: z.string().min(1).max(500),
  /** Subscriptions (topology ids) shed while in crisis: their rules are disabled. */
  shedSubscriptions: z.array(IdSchema).max(20),
  /** Messages waiting in the critical queues at the transition (automatic transitions). */
  criticalDepth: z.int().min(0).optional(),
  /** Age of the oldest critical message at the transition, seconds (when measured). */
  criticalOldestSeconds: z.number().min(0).optional(),
  /**
   * On leaving a crisis: when the shedding began. The bus archive holds every event of
   * [shedSince, occurredAt), which `buzzville replay --rules <shed>` re-delivers.
   */
  shedSince: IsoUtcSchema.optional(),
  /** The zone the event is filed under: `z0` stands for the city as a whole. */
  zone: ZoneSchema,
});

const cityWide = (p: { readonly zone: string }): Place => ({ zone: p.zone });

export const crisisModeChanged = defineEvent({
  type: "CrisisModeChanged",
  description:
    "The city entered or left crisis mode: info subscriptions shed (or restored), producers told to slow down.",
  payload: CrisisModeChangedSchema,
  priority: always("high"),
  streamRule: { kind: "zone", from: "zone" },
  place: cityWide,
  consumers: ["event-store", "analytics"],
  example: {
    mode: "crisis",
    previousMode: "normal",
    trigger: "automatic",
    reason: "critical depth 1450, oldest 41 s (enter above depth 1000 or 30 s)",
    shedSubscriptions: ["Media", "Analytics"],
    criticalDepth: 1450,
    criticalOldestSeconds: 41,
    zone: "z0",
  },
});
