/**
 * Drafts and stamping: from `{ type, payload }` to a city event with its meta. No AWS code, so
 * the publisher, in-memory adapters and tests share it.
 */
import { z } from "zod";
import type { EventDefinition } from "./catalog/common.ts";
import type { AnyCityEvent, PayloadInputOf } from "./catalog.ts";
import { CATALOG } from "./catalog.ts";
import {
  CorrelationIdSchema,
  CURRENT_SCHEMA_VERSION,
  type EventMeta,
  IsoUtcSchema,
  type Priority,
  PrioritySchema,
  UlidSchema,
} from "./envelope.ts";
import { type EventProblem, InvalidEventError } from "./errors.ts";
import { newEventId } from "./ids.ts";
import { problemsOf } from "./issues.ts";
import { LamportClock, VectorClock, type VectorClockRecord } from "./logical-clocks.ts";
import type { EventType } from "./names.ts";
import { SequenceCounter } from "./sequence.ts";
import { checkPayload, priorityProblem } from "./validate.ts";

/** What a producer hands over: a type, its payload, and optional meta overrides. */
export interface EventDraft<T extends EventType = EventType> {
  readonly type: T;
  readonly payload: PayloadInputOf<T>;
  /** Defaults to the event's own id (a new story). */
  readonly correlationId?: string;
  readonly causationId?: string;
  /** Defaults to a new ULID. Give one to make a retry idempotent. */
  readonly eventId?: string;
  /** Defaults to the publisher's clock. ISO UTC string or Date. */
  readonly occurredAt?: string | Date;
  /** Defaults to the catalog's classifier for the payload. */
  readonly priority?: Priority;
}

/** A draft of any type, discriminated by `type` (payload typed per type). */
export type AnyEventDraft = { [K in EventType]: EventDraft<K> }[EventType];

const DraftOptionsSchema = z.object({
  eventId: UlidSchema.optional(),
  occurredAt: IsoUtcSchema.optional(),
  priority: PrioritySchema.optional(),
  correlationId: CorrelationIdSchema.optional(),
  causationId: UlidSchema.optional(),
});

function isoOf(value: string | Date | undefined): string | undefined {
  if (value instanceof Date)
    return Number.isNaN(value.getTime()) ? "Invalid Date" : value.toISOString();
  return value;
}

/** Every problem of a list of drafts, each tagged with its index. Empty when all are valid. */
export function draftProblems(drafts: readonly unknown[]): EventProblem[] {
  return checkDrafts(drafts).problems;
}

/** The drafts' problems, and each draft's parsed payload (undefined where it is invalid). */
function checkDrafts(drafts: readonly unknown[]): {
  problems: EventProblem[];
  payloads: (Record<string, unknown> | undefined)[];
} {
  const problems: EventProblem[] = [];
  const payloads: (Record<string, unknown> | undefined)[] = [];
  const seenIds = new Map<string, number>();
  drafts.forEach((raw, index) => {
    if (typeof raw !== "object" || raw === null) {
      problems.push({
        index,
        eventType: "unknown",
        path: "",
        rule: `expected a draft object { type, payload }, got ${String(raw)}`,
      });
      payloads.push(undefined);
      return;
    }
    const draft = raw as Partial<EventDraft> & { type?: unknown };
    const type = typeof draft.type === "string" ? draft.type : String(draft.type);
    const checked = checkPayload(draft.type, draft.payload, index);
    problems.push(...checked.problems);
    const lowered =
      checked.payload &&
      priorityProblem(draft.type as EventType, checked.payload, draft.priority, index);
    if (lowered) problems.push(lowered);
    payloads.push(checked.payload);
    const options = DraftOptionsSchema.safeParse(
      {
        eventId: draft.eventId,
        occurredAt: isoOf(draft.occurredAt),
        priority: draft.priority,
        correlationId: draft.correlationId,
        causationId: draft.causationId,
      },
      { reportInput: true },
    );
    if (!options.success)
      problems.push(...problemsOf(type, options.error, DraftOptionsSchema, index));
    if (typeof draft.eventId === "string") {
      const first = seenIds.get(draft.eventId);
      if (first !== undefined) {
        problems.push({
          index,
          eventType: type,
          path: "eventId",
          rule: `duplicates the eventId of draft #${first} (${draft.eventId})`,
        });
      } else seenIds.set(draft.eventId, index);
    }
  });
  return { problems, payloads };
}

/** Throws one InvalidEventError listing every invalid draft by index. */
export function assertValidDrafts(drafts: readonly unknown[]): Record<string, unknown>[] {
  const { problems, payloads } = checkDrafts(drafts);
  if (problems.length > 0) {
    const bad = new Set(problems.map((p) => p.index)).size;
    throw new InvalidEventError(problems, {
      header: `${bad} of ${drafts.length} event drafts are invalid; nothing was published`,
    });
  }
  return payloads as Record<string, unknown>[];
}

/** The producer's state used to stamp meta. */
export interface StampContext {
  readonly producerId: string;
  readonly now: () => number;
  readonly random: () => number;
  readonly sequence: SequenceCounter;
  readonly lamport: LamportClock;
  /**
   * Stamp `meta.vectorClock` (see `causalClock`). Holds the last clock stamped.
   */
  vectorClock?: VectorClock;
}

/**
 * The vector clock of an event: its cause's clock (derived events; empty for a first event)
 * with the producer's own entry set to the event's sequence number. One entry per producer on
 * the causal chain (a device, a service instance), so clocks stay small; the producer's entry
 * counts its sends, so two events of one producer are ordered by it (docs/OPERATIONS.md,
 * "Causal timelines").
 */
export function causalClock(
  producerId: string,
  sequence: number,
  cause: VectorClockRecord | undefined,
): VectorClock {
  return VectorClock.from(cause).merge(VectorClock.from({ [producerId]: sequence }));
}

export function createStampContext(options: {
  readonly producerId: string;
  readonly now?: () => number;
  readonly random?: () => number;
  readonly vectorClocks?: boolean;
}): StampContext {
  return {
    producerId: options.producerId,
    now: options.now ?? Date.now,
    random: options.random ?? Math.random,
    sequence: new SequenceCounter(),
    lamport: new LamportClock(),
    ...(options.vectorClocks ? { vectorClock: VectorClock.empty() } : {}),
  };
}

/** How the Lamport time of a stamped event is obtained. */
export type LamportStep =
  | { readonly kind: "tick" }
  | { readonly kind: "receive"; readonly remote: number };

/**
 * Stamps a VALIDATED draft (see assertValidDrafts): parses its payload (unless `parsedPayload`,
 * what assertValidDrafts returned for it, is given), builds meta.
 * `remoteVector` is the cause's vector clock (derived events; see causalClock).
 */
export function stampDraft(
  draft: EventDraft,
  ctx: StampContext,
  lamportStep: LamportStep = { kind: "tick" },
  remoteVector?: VectorClockRecord,
  parsedPayload?: Record<string, unknown>,
): AnyCityEvent {
  const def = CATALOG[draft.type] as EventDefinition;
  const payload = parsedPayload ?? (def.payload.parse(draft.payload) as Record<string, unknown>);
  const eventId = draft.eventId ?? newEventId(ctx.now(), ctx.random);
  const occurredAt = isoOf(draft.occurredAt) ?? new Date(ctx.now()).toISOString();
  const lamport =
    lamportStep.kind === "tick" ? ctx.lamport.tick() : ctx.lamport.receive(lamportStep.remote);
  const sequence = ctx.sequence.next(ctx.producerId);
  let vectorClock: Record<string, number> | undefined;
  if (ctx.vectorClock) {
    ctx.vectorClock = causalClock(ctx.producerId, sequence, remoteVector);
    vectorClock = ctx.vectorClock.toJSON();
  }
  const place = def.place(payload);
  const meta: EventMeta = {
    eventId,
    occurredAt,
    producerId: ctx.producerId,
    sequence,
    lamport,
    ...(vectorClock ? { vectorClock } : {}),
    priority: draft.priority ?? def.priority(payload),
    zone: place.zone,
    ...(place.intersectionId === undefined ? {} : { intersectionId: place.intersectionId }),
    streamId: def.streamId(payload),
    correlationId: draft.correlationId ?? eventId,
    ...(draft.causationId === undefined ? {} : { causationId: draft.causationId }),
    schemaVersion: def.schemaVersion ?? CURRENT_SCHEMA_VERSION,
  };
  return {
    source: def.source,
    detailType: draft.type,
    detail: { ...payload, meta },
  } as AnyCityEvent;
}
