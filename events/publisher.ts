/**
 * The producers' client: validates, stamps meta, batches PutEvents (≤ 10 entries and ≤ 256 KiB
 * per request), retries only what failed with exponential backoff and full jitter, and throws a
 * typed error listing what still failed. Never drops an entry silently.
 *
 * The only module of `events/` with AWS code. The client is injected; by default
 * `new EventBridgeClient({ maxAttempts: 1 })`, so the standard AWS configuration (AWS_REGION,
 * AWS_ENDPOINT_URL…) applies and the SDK's own retries (3 attempts by default) are off: the
 * publisher's backoff, with the injected sleep and random, is the only retry layer (stacked,
 * a throttled call would be tried up to 3 × 5 times). An injected client keeps its own retry
 * settings; build it with `maxAttempts: 1` for the same behaviour.
 *
 * Sequence numbers and Lamport clocks live in memory and restart at 1 with every instance (Lambda
 * cold start, process restart). A producer with several instances sets `instanceId` so each
 * stamps its own `meta.producerId` (`<producerId>/<instanceId>`) and (producerId, sequence)
 * never repeats; consumers track sequences per producerId.
 */
import {
  EventBridgeClient,
  PutEventsCommand,
  type PutEventsCommandOutput,
  type PutEventsRequestEntry,
} from "@aws-sdk/client-eventbridge";
import { z } from "zod";
import type { AnyCityEvent } from "./catalog.ts";
import {
  type AnyEventDraft,
  assertValidDrafts,
  createStampContext,
  type EventDraft,
  type StampContext,
  stampDraft,
} from "./draft.ts";
import type { CityEvent, EventMeta, Priority } from "./envelope.ts";
import { CityEventError, InvalidEventError } from "./errors.ts";
import { derivedEventId } from "./ids.ts";
import type { VectorClockRecord } from "./logical-clocks.ts";
import { type EventType, RESOURCE_ENV, SOURCE_OF } from "./names.ts";
import { resolveProducerId } from "./producer-id.ts";
import { publishFailure, recordFailure, type SendItem, type SendRound } from "./publish-round.ts";
import {
  backoffDelayMs,
  batchEntries,
  errorCodeOf,
  isPermanentEntryError,
  isRetryableCallError,
  MAX_PUTEVENTS_BYTES,
  MAX_PUTEVENTS_ENTRIES,
  putEventsEntrySize,
  type RetryPolicy,
} from "./publisher-policy.ts";
import { withoutSdkLogging } from "./sdk-logging.ts";
import { assertList, priorityProblem, validateEvent } from "./validate.ts";

/** The part of the EventBridge client the publisher uses (an in-memory fake implements it in tests). */
export interface PutEventsPort {
  send(command: PutEventsCommand): Promise<PutEventsCommandOutput>;
}

export interface CityEventPublisherOptions {
  /** Name or ARN of the bus (from RESOURCE_ENV.bus; see `fromEnv`). */
  readonly busName: string;
  /** Who publishes (a device or a service), stamped as meta.producerId (plus `/<instanceId>`). */
  readonly producerId: string;
  /**
   * Per-instance producer id: meta.producerId = `<producerId>/<instanceId>`, so instances that
   * each count from 1 (Lambda instances, restarts) never repeat (producerId, sequence).
   * `true`: a random 8-character id drawn from `random` (`newInstanceId`); a string: that id
   * (1-64 letters, digits or . _ : -); `false`: no suffix, for a producer with one long-lived
   * counter (a simulated device).
   * @default false for the constructor, true for `fromEnv`
   */
  readonly instanceId?: string | boolean;
  /** @default new EventBridgeClient({ maxAttempts: 1 }) (see the class doc) */
  readonly client?: PutEventsPort;
  /** @default Date.now */
  readonly now?: () => number;
  /** PRNG in [0, 1) for ids and jitter. @default Math.random */
  readonly random?: () => number;
  /** @default a setTimeout-based sleep */
  readonly sleep?: (ms: number) => Promise<void>;
  /** @default { maxAttempts: 5, baseDelayMs: 100, maxDelayMs: 5000 } */
  readonly retry?: Partial<RetryPolicy>;
  /** Stamp `meta.vectorClock` (the cause's clock plus this producer's sequence). @default true */
  readonly vectorClocks?: boolean;
  /** X-Ray trace header for the entries (e.g. from `_X_AMZN_TRACE_ID`). */
  readonly traceHeader?: () => string | undefined;
  /** Request size limit, bytes (AWS's entry-size arithmetic). @default 262144 (256 KiB, the AWS limit) */
  readonly maxRequestBytes?: number;
}

/** The cause of derived events: the event a handler is reacting to. */
export interface CauseEvent {
  readonly detail: {
    readonly meta: Pick<EventMeta, "eventId" | "correlationId" | "lamport"> & {
      readonly vectorClock?: VectorClockRecord;
    };
  };
}

/** A derived event: type and payload; its id comes from the cause and `step`. */
export type DerivedDraft = {
  [K in EventType]: Pick<EventDraft<K>, "type" | "payload" | "priority" | "occurredAt"> & {
    /** Distinguishes the events derived from one cause. @default the draft's index */
    readonly step?: string | number;
  };
}[EventType];

/** The PutEvents entry of a stamped event on `busName` (what the publisher sends, trace aside). */
export function putEventsEntryOf(event: AnyCityEvent, busName: string): PutEventsRequestEntry {
  return {
    EventBusName: busName,
    Source: event.source,
    DetailType: event.detailType,
    Detail: JSON.stringify(event.detail),
    Time: new Date(event.detail.meta.occurredAt),
  };
}

const EnvSchema = z.object({
  [RESOURCE_ENV.bus]: z.string().min(1, `${RESOURCE_ENV.bus} must name the event bus`),
});

const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 5, baseDelayMs: 100, maxDelayMs: 5000 };

const realSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Validates, stamps and publishes city events (the module comment above says how).
 *
 * @example
 * // In a producer; the bus comes from EVENT_BUS_NAME, the AWS configuration from the environment.
 * const publisher = CityEventPublisher.fromEnv({ producerId: "smoke-sensor-17" });
 * const event = await publisher.publishOne({
 *   type: "SmokeDetected",
 *   payload: CATALOG.SmokeDetected.example,
 * });
 * // event.detail.meta: eventId, occurredAt, priority, streamId, sequence... stamped
 */
export class CityEventPublisher {
  readonly busName: string;
  /** The producer id stamped on every event: `producerId`, or `<producerId>/<instanceId>`. */
  readonly producerId: string;
  /** The per-instance part of `producerId`, when per-instance. */
  readonly instanceId: string | undefined;
  readonly #client: PutEventsPort;
  readonly #sleep: (ms: number) => Promise<void>;
  readonly #retry: RetryPolicy;
  readonly #ctx: StampContext;
  readonly #traceHeader: (() => string | undefined) | undefined;
  readonly #maxRequestBytes: number;

  constructor(options: CityEventPublisherOptions) {
    if (typeof options.busName !== "string" || options.busName.length === 0) {
      throw new CityEventError(
        `CityEventPublisher: busName must be a non-empty string, got ${JSON.stringify(options.busName)}`,
      );
    }
    const retry = { ...DEFAULT_RETRY, ...options.retry };
    if (!Number.isSafeInteger(retry.maxAttempts) || retry.maxAttempts < 1) {
      throw new CityEventError(
        `CityEventPublisher: retry.maxAttempts must be an integer >= 1, got ${retry.maxAttempts}`,
      );
    }
    if (!(retry.baseDelayMs >= 0) || !(retry.maxDelayMs >= retry.baseDelayMs)) {
      throw new CityEventError(
        `CityEventPublisher: retry delays must satisfy 0 <= baseDelayMs <= maxDelayMs, got ${retry.baseDelayMs} and ${retry.maxDelayMs}`,
      );
    }
    const maxBytes = options.maxRequestBytes ?? MAX_PUTEVENTS_BYTES;
    if (!Number.isSafeInteger(maxBytes) || maxBytes < 1 || maxBytes > MAX_PUTEVENTS_BYTES) {
      throw new CityEventError(
        `CityEventPublisher: maxRequestBytes must be an integer in 1..${MAX_PUTEVENTS_BYTES}, got ${maxBytes}`,
      );
    }
    const { producerId, instanceId } = resolveProducerId(
      options.producerId,
      options.instanceId ?? false,
      options.random ?? Math.random,
    );
    this.#maxRequestBytes = maxBytes;
    this.busName = options.busName;
    this.producerId = producerId;
    this.instanceId = instanceId;
    this.#client = options.client ?? withoutSdkLogging(new EventBridgeClient({ maxAttempts: 1 }));
    this.#sleep = options.sleep ?? realSleep;
    this.#retry = retry;
    this.#traceHeader = options.traceHeader;
    this.#ctx = createStampContext({
      producerId,
      ...(options.now ? { now: options.now } : {}),
      ...(options.random ? { random: options.random } : {}),
      vectorClocks: options.vectorClocks ?? true,
    });
  }

  /**
   * A publisher on the bus named by the EVENT_BUS_NAME env var (validated now, not at import),
   * per instance unless told otherwise (`instanceId` defaults to true: a deployed instance's
   * counters restart at 1 with every cold start).
   */
  static fromEnv(
    options: Omit<CityEventPublisherOptions, "busName">,
    env: Readonly<Record<string, string | undefined>> = process.env,
  ): CityEventPublisher {
    const parsed = EnvSchema.safeParse(env);
    if (!parsed.success) {
      throw new CityEventError(
        `CityEventPublisher.fromEnv: environment variable ${RESOURCE_ENV.bus} is missing or empty; set it to the event bus name or ARN`,
        { cause: parsed.error },
      );
    }
    return new CityEventPublisher({
      ...options,
      instanceId: options.instanceId ?? true,
      busName: parsed.data[RESOURCE_ENV.bus],
    });
  }

  /** Validates every draft (throws InvalidEventError listing all invalid ones, before any call), stamps, publishes. */
  async publish(drafts: readonly AnyEventDraft[]): Promise<AnyCityEvent[]> {
    assertList(drafts, "publish", "drafts { type, payload }");
    const payloads = assertValidDrafts(drafts);
    const events = drafts.map((d, i) =>
      stampDraft(d as EventDraft, this.#ctx, { kind: "tick" }, undefined, payloads[i]),
    );
    return this.#send(events);
  }

  /** Publishes one draft; returns the published event. */
  async publishOne(draft: AnyEventDraft): Promise<AnyCityEvent> {
    const [event] = await this.publish([draft]);
    if (!event) throw new CityEventError("publishOne: no event was returned");
    return event;
  }

  /**
   * Publishes events derived from `cause` (a handler's reaction): causationId = cause's eventId,
   * correlationId = cause's, eventId = derivedEventId(cause eventId, step) so a retried handler
   * re-emits the same ids; Lamport time = receive(cause's lamport), then a tick per further event.
   */
  async publishDerived(
    cause: CauseEvent,
    drafts: readonly DerivedDraft[],
  ): Promise<AnyCityEvent[]> {
    assertList(drafts, "publishDerived", "drafts { type, payload }");
    const causeMeta = cause.detail.meta;
    const full = drafts.map(
      (d, i): EventDraft => ({
        type: d.type,
        payload: d.payload,
        eventId: derivedEventId(causeMeta.eventId, d.step ?? i),
        correlationId: causeMeta.correlationId,
        causationId: causeMeta.eventId,
        ...(d.priority === undefined ? {} : { priority: d.priority as Priority }),
        ...(d.occurredAt === undefined ? {} : { occurredAt: d.occurredAt }),
      }),
    );
    const payloads = assertValidDrafts(full);
    const events = full.map((d, i) =>
      stampDraft(
        d,
        this.#ctx,
        i === 0 ? { kind: "receive", remote: causeMeta.lamport } : { kind: "tick" },
        causeMeta.vectorClock,
        payloads[i],
      ),
    );
    return this.#send(events);
  }

  /**
   * Sends already stamped events again, unchanged (same ids, sequences, Lamport times), e.g.
   * `PublishFailedError.unpublished`. Each is validated first.
   */
  async resend(events: readonly CityEvent[]): Promise<AnyCityEvent[]> {
    assertList(events, "resend", "stamped events { detailType, detail }");
    const problems = events.flatMap((e, index) => {
      const result = validateEvent(e.detailType, e.detail);
      if (!result.ok) return result.error.problems.map((p) => ({ ...p, index }));
      const detail = result.value as Record<string, unknown> & { meta: EventMeta };
      const lowered = priorityProblem(e.detailType, detail, detail.meta.priority, index);
      return lowered ? [lowered] : [];
    });
    if (problems.length > 0) {
      throw new InvalidEventError(problems, {
        header: `${new Set(problems.map((p) => p.index)).size} of ${events.length} events are invalid; nothing was resent`,
      });
    }
    return this.#send(
      events.map(
        (e) =>
          ({
            source: SOURCE_OF[e.detailType],
            detailType: e.detailType,
            detail: e.detail,
          }) as AnyCityEvent,
      ),
    );
  }

  #entryOf(event: AnyCityEvent): PutEventsRequestEntry {
    const trace = this.#traceHeader?.();
    return { ...putEventsEntryOf(event, this.busName), ...(trace ? { TraceHeader: trace } : {}) };
  }

  /** Size check, then rounds of PutEvents until every entry is published or out of attempts. */
  async #send(events: readonly AnyCityEvent[]): Promise<AnyCityEvent[]> {
    const items = events.map((event, index) => ({ event, index, entry: this.#entryOf(event) }));
    this.#rejectOversized(items);
    const round: SendRound = {
      published: new Set(),
      failed: new Map(),
      retry: [],
      lastFailure: new Map(),
    };
    let pending = items;
    let attempt = 0;
    while (pending.length > 0 && attempt < this.#retry.maxAttempts) {
      if (attempt > 0) await this.#sleep(backoffDelayMs(attempt, this.#retry, this.#ctx.random));
      attempt += 1;
      round.retry = [];
      round.lastFailure = new Map();
      const limit = this.#maxRequestBytes;
      for (const batch of batchEntries(pending, (it) => it.entry, MAX_PUTEVENTS_ENTRIES, limit)) {
        await this.#putBatch(batch, round);
      }
      pending = round.retry;
    }
    for (const [index, f] of round.lastFailure) round.failed.set(index, f);
    if (round.failed.size > 0) throw publishFailure(items, round, attempt);
    return items.map((it) => it.event);
  }

  /** Nothing is published when one entry alone exceeds a PutEvents request. */
  #rejectOversized(items: readonly SendItem[]): void {
    const limit = this.#maxRequestBytes;
    const oversized = items.filter((it) => putEventsEntrySize(it.entry) > limit);
    if (oversized.length === 0) return;
    throw new InvalidEventError(
      oversized.map((it) => ({
        index: it.index,
        eventType: it.event.detailType,
        path: "",
        rule: `entry is ${putEventsEntrySize(it.entry)} bytes; a PutEvents request allows at most ${limit} bytes`,
      })),
      {
        header: `${oversized.length} of ${items.length} events are too large; nothing was published`,
      },
    );
  }

  /** One PutEvents call; each entry is recorded as published, to retry, or failed for good. */
  async #putBatch(batch: readonly SendItem[], round: SendRound): Promise<void> {
    let output: PutEventsCommandOutput;
    try {
      output = await this.#client.send(
        new PutEventsCommand({ Entries: batch.map((it) => it.entry) }),
      );
    } catch (error) {
      const permanent = !isRetryableCallError(error);
      const message = error instanceof Error ? error.message : String(error);
      for (const it of batch)
        recordFailure(round, it, errorCodeOf(error), message, permanent, error);
      return;
    }
    const results = output.Entries ?? [];
    const failedCount = output.FailedEntryCount ?? 0;
    batch.forEach((it, i) => {
      const r = results[i];
      if (r?.ErrorCode)
        recordFailure(
          round,
          it,
          r.ErrorCode,
          r.ErrorMessage ?? "",
          isPermanentEntryError(r.ErrorCode),
        );
      else if (r?.EventId || (results.length === 0 && failedCount === 0))
        round.published.add(it.index);
      else
        recordFailure(
          round,
          it,
          "MissingResultEntry",
          `PutEvents returned no result for this entry (FailedEntryCount ${failedCount})`,
          false,
        );
    });
  }
}
