/**
 * Batch processing of one SQS event with partial responses: standard queues record by record
 * (Powertools batch); FIFO queues in order within a message group, different groups in parallel
 * (bounded), where the first failure of a group fails the rest of that group in this batch but
 * not other groups. Every record is validated through the events catalog; a malformed record
 * (permanent failure) is sent to its queue's DLQ with its reason and acknowledged, so its
 * neighbours — and on a FIFO queue the rest of its group — proceed. Other failed records back off
 * exponentially (ChangeMessageVisibility by receive count).
 */
import { BatchProcessor, EventType, processPartialResponse } from "@aws-lambda-powertools/batch";
import type { Logger } from "@aws-lambda-powertools/logger";
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from "aws-lambda";
import { type BackoffPolicy, backoffSeconds, type VisibilityPort } from "./backoff.ts";
import type { Clock } from "./clock.ts";
import { DEAD_LETTER_ATTRIBUTES, type DeadLetter, type DeadLetterPort } from "./dead-letter.ts";
import { type AnyCityEvent, parseRecordBody } from "./envelope.ts";
import { type FailureReason, messageOf, RecordValidationError, reasonOf } from "./errors.ts";
import { processFifoGroups } from "./fifo-groups.ts";
import type { BatchMetrics, CityTracer } from "./observability.ts";

/** Moved to fifo-groups.ts; still importable from here. */
export { forEachConcurrently, processFifoGroups } from "./fifo-groups.ts";

/** How many times SQS has delivered the record (1 on its first delivery). */
export function receiveCountOf(record: SQSRecord): number {
  return Number(record.attributes?.ApproximateReceiveCount ?? "1") || 1;
}

export interface RecordContext {
  readonly record: SQSRecord;
  /** A child logger with the event's correlation id, event id and type. */
  readonly logger: Logger;
  readonly metrics: BatchMetrics;
  readonly lambdaContext: Context | undefined;
}

export type RecordHandler = (event: AnyCityEvent, ctx: RecordContext) => Promise<unknown>;

/** A record that failed, with why (logged, counted, and visible to the DLQ tool). */
export interface RecordFailure {
  readonly messageId: string;
  readonly queueArn: string;
  readonly receiveCount: number;
  readonly reason: FailureReason;
  readonly message: string;
  readonly eventType?: string;
  readonly eventId?: string;
  /** Seconds the record stays invisible before its next receive. */
  readonly backoffSeconds: number;
}

/** Port: where failures are recorded (read-models table on AWS) for the DLQ tool. */
export interface FailureLog {
  record(failures: readonly RecordFailure[], at: string): Promise<void>;
}

export interface BatchDeps {
  readonly logger: Logger;
  readonly tracer: CityTracer;
  readonly metrics: BatchMetrics;
  readonly clock: Clock;
  readonly visibility?: VisibilityPort;
  readonly failureLog?: FailureLog;
  readonly backoff?: BackoffPolicy;
  readonly random?: () => number;
  /** Where invalid records go (their queue's DLQ); without it they fail and are retried. */
  readonly deadLetters?: DeadLetterPort;
  /** FIFO message groups processed at the same time. @default 8 */
  readonly groupConcurrency?: number;
}

export function isFifoBatch(event: SQSEvent): boolean {
  return event.Records.some(
    (r) => r.eventSourceARN?.endsWith(".fifo") || r.attributes?.MessageGroupId !== undefined,
  );
}

/** A record whose buffered work failed when the batch was committed. */
export interface CommitFailure {
  readonly messageId: string;
  readonly error: unknown;
}

/**
 * Writes what the record handlers buffered (e.g. one commit per stream). Returns the records
 * whose part failed; throwing fails every record handled so far.
 */
export type BatchCommit = () => Promise<readonly CommitFailure[]>;

/** What the records of one batch came to: failed (with the event, when parsed), handled, invalid. */
interface BatchState {
  readonly fifo: boolean;
  readonly failures: Map<string, { error: unknown; event?: AnyCityEvent }>;
  readonly handled: Map<string, AnyCityEvent>;
  readonly invalid: { record: SQSRecord; error: RecordValidationError }[];
}

export async function processSqsBatch(
  event: SQSEvent,
  lambdaContext: Context | undefined,
  handleRecord: RecordHandler,
  deps: BatchDeps,
  commit?: BatchCommit,
): Promise<{ response: SQSBatchResponse; failures: RecordFailure[] }> {
  // An empty event: the scheduled sweep rule's invocation ({"Records": []}). No record to handle,
  // but the commit step still runs, since a service may sweep there (analytics closes its due
  // windows in commit); afterBatch, run by the kit whatever happens, sweeps the others.
  if (event.Records.length === 0) {
    try {
      await commit?.();
    } catch (error) {
      deps.logger.error("scheduled sweep failed; the next invocation sweeps again", {
        error: messageOf(error),
      });
    }
    return { response: { batchItemFailures: [] }, failures: [] };
  }
  const state: BatchState = {
    fifo: isFifoBatch(event),
    failures: new Map(),
    handled: new Map(),
    invalid: [],
  };
  const recordHandler = recordHandlerFor(state, lambdaContext, handleRecord, deps);
  const failed = await runRecords(event, state.fifo, lambdaContext, recordHandler, deps);
  for (const messageId of await deadLetter(state.invalid, deps)) {
    const entry = state.invalid.find((x) => x.record.messageId === messageId);
    if (entry) state.failures.set(messageId, { error: entry.error });
    failed.add(messageId); // the DLQ could not take it: retried (and moved by SQS) as before
  }
  if (commit) await commitBatch(commit, state, failed);
  for (const [messageId, parsed] of state.handled) {
    if (failed.has(messageId)) continue;
    deps.metrics.handledOne(
      parsed.detailType,
      deps.clock.now() - Date.parse(parsed.detail.meta.occurredAt),
      parsed.detail.meta.priority,
    );
  }
  const out = recordFailures(event, failed, state, deps);
  await applyBackoff(out, event, deps);
  return {
    response: { batchItemFailures: out.map((f) => ({ itemIdentifier: f.messageId })) },
    failures: out,
  };
}

/** The handler of one record: parses it, traces it, runs `handleRecord`, records the outcome. */
function recordHandlerFor(
  { fifo, failures, handled, invalid }: BatchState,
  lambdaContext: Context | undefined,
  handleRecord: RecordHandler,
  deps: BatchDeps,
) {
  return async (record: SQSRecord): Promise<unknown> => {
    let parsed: AnyCityEvent | undefined;
    // An unsampled invocation's segment records nothing: no subsegment per record then.
    const current = deps.tracer.isTracingEnabled() ? deps.tracer.getSegment() : undefined;
    const parent = current?.notTraced === true ? undefined : current;
    let subsegment: ReturnType<NonNullable<typeof parent>["addNewSubsegment"]> | undefined;
    try {
      try {
        parsed = parseRecordBody(record.body);
      } catch (error) {
        if (!(error instanceof RecordValidationError) || !deps.deadLetters) throw error;
        invalid.push({ record, error }); // dead-lettered after the batch, acknowledged
        return { deadLettered: true };
      }
      if (parent) {
        subsegment = parent.addNewSubsegment(`record ### ${parsed.detailType}`);
        subsegment.addAnnotation("eventId", parsed.detail.meta.eventId);
        subsegment.addAnnotation("correlationId", parsed.detail.meta.correlationId);
        // The incident a record belongs to, for searching traces by incident (docs/OPERATIONS.md "Traces").
        const incidentId = (parsed.detail as { incidentId?: unknown }).incidentId;
        if (typeof incidentId === "string") subsegment.addAnnotation("incidentId", incidentId);
        // Groups run concurrently on FIFO queues: the segment is only made current (so AWS
        // calls nest under the record) when records run one at a time.
        if (!fifo) deps.tracer.setSegment(subsegment);
      }
      const result = await handleRecord(parsed, recordContext(parsed, record, deps, lambdaContext));
      handled.set(record.messageId, parsed);
      return result;
    } catch (error) {
      failures.set(record.messageId, { error, ...(parsed ? { event: parsed } : {}) });
      subsegment?.addError(error instanceof Error ? error : new Error(String(error)));
      throw error;
    } finally {
      subsegment?.close();
      if (parent && !fifo) deps.tracer.setSegment(parent);
    }
  };
}

/** The context a record handler gets. */
function recordContext(
  parsed: AnyCityEvent,
  record: SQSRecord,
  deps: BatchDeps,
  lambdaContext: Context | undefined,
): RecordContext {
  const meta = parsed.detail.meta;
  const eventType = parsed.detailType;
  // The record's child logger is built only when the handler logs (createChild per record
  // is costly); records of concurrent FIFO groups need their own, so no shared appendKeys.
  let child: Logger | undefined;
  return {
    record,
    get logger() {
      child ??= deps.logger.createChild({
        persistentKeys: {
          correlationId: meta.correlationId,
          eventId: meta.eventId,
          eventType,
        },
      });
      return child;
    },
    metrics: deps.metrics,
    lambdaContext,
  };
}

/** Runs the records (FIFO: by message group); the message ids that failed. */
async function runRecords(
  event: SQSEvent,
  fifo: boolean,
  lambdaContext: Context | undefined,
  recordHandler: (record: SQSRecord) => Promise<unknown>,
  deps: BatchDeps,
): Promise<Set<string>> {
  return fifo
    ? await processFifoGroups(event.Records, recordHandler, deps.groupConcurrency ?? 8)
    : new Set(
        (
          await processPartialResponse(event, recordHandler, new BatchProcessor(EventType.SQS), {
            ...(lambdaContext ? { context: lambdaContext } : {}),
            processInParallel: false,
            throwOnFullBatchFailure: false,
          })
        ).batchItemFailures.map((f) => f.itemIdentifier),
      );
}

/** Writes what the handlers buffered; the records whose part failed (all, if it throws) fail. */
async function commitBatch(commit: BatchCommit, state: BatchState, failed: Set<string>) {
  let commitFailures: readonly CommitFailure[];
  try {
    commitFailures = await commit();
  } catch (error) {
    commitFailures = [...state.handled.keys()].map((messageId) => ({ messageId, error }));
  }
  for (const { messageId, error } of commitFailures) {
    const parsed = state.handled.get(messageId);
    state.failures.set(messageId, { error, ...(parsed ? { event: parsed } : {}) });
    failed.add(messageId);
  }
}

/** One RecordFailure per failed record, in batch order, each counted and logged. */
function recordFailures(
  event: SQSEvent,
  failed: ReadonlySet<string>,
  { failures }: BatchState,
  deps: BatchDeps,
): RecordFailure[] {
  const random = deps.random ?? Math.random;
  const out: RecordFailure[] = [];
  for (const record of event.Records) {
    if (!failed.has(record.messageId)) continue;
    const receiveCount = receiveCountOf(record);
    const f = failures.get(record.messageId);
    const skipped = f === undefined;
    const reason: FailureReason = skipped ? "unknown" : reasonOf(f.error);
    const failure: RecordFailure = {
      messageId: record.messageId,
      queueArn: record.eventSourceARN,
      receiveCount,
      reason,
      message: skipped
        ? `Not processed: an earlier message of FIFO group "${record.attributes?.MessageGroupId}" failed in this batch`
        : messageOf(f.error),
      ...(f?.event ? { eventType: f.event.detailType, eventId: f.event.detail.meta.eventId } : {}),
      backoffSeconds: Math.max(
        backoffSeconds(receiveCount, deps.backoff, random),
        retryAfterSeconds(f?.error),
      ),
    };
    if (!skipped) deps.metrics.failedOne(reason);
    const { message, ...rest } = failure;
    deps.logger.warn("record failed", { ...rest, error: message }); // "message" is reserved
    out.push(failure);
  }
  return out;
}

async function applyBackoff(failures: RecordFailure[], event: SQSEvent, deps: BatchDeps) {
  if (failures.length === 0) return;
  const handles = new Map(event.Records.map((r) => [r.messageId, r.receiptHandle]));
  try {
    await deps.visibility?.changeVisibility(
      failures.map((f) => ({
        queueArn: f.queueArn,
        receiptHandle: handles.get(f.messageId) ?? "",
        seconds: f.backoffSeconds,
      })),
    );
  } catch (error) {
    // Backoff is best effort: the message still returns after the queue's visibility timeout.
    deps.logger.warn("could not back off failed records", { error: messageOf(error) });
  }
  try {
    await deps.failureLog?.record(failures, new Date(deps.clock.now()).toISOString());
  } catch (error) {
    deps.logger.warn("could not record failures for the DLQ tool", { error: messageOf(error) });
  }
}

/**
 * Sends invalid records to their queue's DLQ (reason as message attributes), counts them and
 * records them in the failure log. Returns the ids of those the DLQ did not take.
 */
async function deadLetter(
  invalid: readonly { record: SQSRecord; error: RecordValidationError }[],
  deps: BatchDeps,
): Promise<string[]> {
  if (invalid.length === 0 || !deps.deadLetters) return [];
  const notSent: string[] = [];
  const sent: RecordFailure[] = [];
  for (const { record, error } of invalid) {
    const receiveCount = receiveCountOf(record);
    const redriveOf = record.messageAttributes?.[DEAD_LETTER_ATTRIBUTES.redriveOf]?.stringValue;
    const letter: DeadLetter = {
      queueArn: record.eventSourceARN,
      messageId: record.messageId,
      body: record.body,
      ...(record.attributes?.MessageGroupId ? { groupId: record.attributes.MessageGroupId } : {}),
      reason: error.reason,
      message: messageOf(error),
      receiveCount,
      ...(redriveOf ? { redriveOf } : {}),
    };
    try {
      await deps.deadLetters.send(letter);
    } catch (sendError) {
      deps.logger.warn("could not dead-letter an invalid record; it is retried", {
        messageId: record.messageId,
        error: messageOf(sendError),
      });
      notSent.push(record.messageId);
      continue;
    }
    deps.metrics.failedOne("validation");
    deps.logger.warn("invalid record sent to the DLQ", {
      messageId: record.messageId,
      queueArn: record.eventSourceARN,
      error: letter.message,
    });
    sent.push({
      messageId: record.messageId,
      queueArn: record.eventSourceARN,
      receiveCount,
      reason: "validation",
      message: letter.message,
      backoffSeconds: 0,
    });
  }
  if (sent.length > 0) {
    try {
      await deps.failureLog?.record(sent, new Date(deps.clock.now()).toISOString());
    } catch (error) {
      deps.logger.warn("could not record failures for the DLQ tool", { error: messageOf(error) });
    }
  }
  return notSent;
}

/** An error may say when retrying makes sense (e.g. an open circuit's remaining time). */
function retryAfterSeconds(error: unknown): number {
  const ms = (error as { retryAfterMs?: unknown } | undefined)?.retryAfterMs;
  return typeof ms === "number" && ms > 0 ? Math.min(43_200, Math.ceil(ms / 1000)) : 0;
}
