/**
 * Lambda's SQS event source mapping, locally: polls a queue through the queue port
 * (local/queues/port.ts; the local cloud's own reaches the embedded queues directly) and invokes a
 * FunctionHost with SQS events. Batch size and batching window, partial batch responses
 * (`batchItemFailures`: only those return), maximum concurrency, FIFO groups (the queue hands
 * out a group only while none of its messages is in flight, so two batches never hold the same
 * group), and function errors / timeouts / crashes (nothing is deleted: the messages return after
 * the visibility timeout and reach the DLQ after maxReceiveCount receives).
 */
import type { SQSBatchResponse, SQSEvent, SQSRecord } from "aws-lambda";
import { PollLoops, retryFailedEntries } from "../queues/consumer.ts";
import type { QueueMessage, QueuePort } from "../queues/port.ts";
import { toSqsRecord } from "../sqs-records.ts";
import { parseTraceHeader } from "../xray/header.ts";
import { type HopTracing, queueSpan } from "../xray/hops.ts";
import type { FunctionHost, InvokeOptions, InvokeOutcome, Reservation } from "./host.ts";

export interface EventSourceMappingOptions {
  /** Logical id of the mapping (the subscription id). */
  readonly id: string;
  readonly queueArn: string;
  readonly region: string;
  /** The queues, e.g. the local cloud's `cloud.queues` (each call counted as its SQS action). */
  readonly queues: QueuePort;
  readonly fn: FunctionHost;
  /** 1..10000 (standard) / 1..10 (FIFO). */
  readonly batchSize: number;
  readonly maxBatchingWindowSeconds: number;
  /** Concurrent invocations of this mapping at most (2..1000 on AWS). */
  readonly maxConcurrency: number;
  /** Long-poll wait when the queue is empty, seconds (0..20). @default 20, as Lambda's pollers */
  readonly waitTimeSeconds?: number;
  /** Called for every record the function handled successfully (deleted from the queue). */
  readonly onDelivered?: (record: SQSEvent["Records"][number], now: number) => void;
  readonly onInvokeFailure?: (mapping: string, outcome: InvokeOutcome) => void;
  /** Runner problems that lose nothing but deserve a log line (e.g. deletes that had to be retried). */
  readonly onWarning?: (mapping: string, message: string) => void;
  /** Attempts of DeleteMessageBatch for entries it reports as Failed. @default 3 */
  readonly deleteAttempts?: number;
  readonly now?: () => number;
  /** Spans of each record's stay in the queue (local/xray/hops.ts); the host traces the invocation. */
  readonly tracing?: HopTracing;
}

export interface MappingStats {
  batches: number;
  delivered: number;
  failedRecords: number;
  failedInvocations: number;
  /** Handled records whose delete still failed after the retries (they will be received again). */
  undeleted: number;
}

/** Which records failed, per Lambda's rules for `ReportBatchItemFailures`. */
export function failedIds(outcome: InvokeOutcome, ids: readonly string[]): Set<string> {
  if (outcome.kind !== "ok") return new Set(ids);
  const response = outcome.result as SQSBatchResponse | null | undefined;
  const failures = response?.batchItemFailures;
  if (response === null || response === undefined || failures === undefined) return new Set();
  if (!Array.isArray(failures)) return new Set(ids);
  const known = new Set(ids);
  const failed = new Set<string>();
  for (const failure of failures) {
    const id = failure?.itemIdentifier;
    // An empty, null or unknown identifier fails the whole batch, as on AWS.
    if (typeof id !== "string" || !known.has(id)) return new Set(ids);
    failed.add(id);
  }
  return failed;
}

export class EventSourceMapping {
  readonly stats: MappingStats = {
    batches: 0,
    delivered: 0,
    failedRecords: 0,
    failedInvocations: 0,
    undeleted: 0,
  };
  private readonly loops: PollLoops;

  constructor(private readonly options: EventSourceMappingOptions) {
    this.loops = new PollLoops({
      onError: (error) =>
        options.onInvokeFailure?.(options.id, {
          kind: "crash",
          error: `polling ${options.queueArn} failed: ${String(error)}`,
        }),
    });
  }

  get id(): string {
    return this.options.id;
  }

  /** The pool of environments this mapping invokes. */
  get host(): FunctionHost {
    return this.options.fn;
  }

  /**
   * One poller = at most one batch in flight; `maxConcurrency` pollers run side by side. A poller
   * holds an environment before it receives (local/lambda/host.ts, `Reservation`), so a received
   * batch is invoked at once, never left ageing towards its visibility timeout.
   */
  start(): void {
    this.loops.start(this.options.maxConcurrency, () => this.pollOnce());
  }

  private async pollOnce(): Promise<void> {
    const fn = this.options.fn;
    const held = await fn.reserve(this.loops.signal);
    if (!held) return;
    let batch: QueueMessage[];
    try {
      batch = await this.collect(AbortSignal.any([this.loops.signal, held.signal]));
    } catch (error) {
      fn.cancel(held);
      throw error;
    }
    if (batch.length === 0) {
      fn.cancel(held);
      return;
    }
    await this.process(batch, held);
  }

  stop(): Promise<void> {
    return this.loops.stop();
  }

  private async collect(signal: AbortSignal): Promise<QueueMessage[]> {
    const o = this.options;
    const now = o.now ?? Date.now;
    const batch: QueueMessage[] = [];
    const windowEnds = now() + o.maxBatchingWindowSeconds * 1000;
    while (this.loops.running && batch.length < o.batchSize) {
      const remainingWindow = Math.max(0, windowEnds - now());
      // Within the batching window, long-poll for what is left of it, rounded UP to whole
      // seconds: SQS takes an integer WaitTimeSeconds (0..20), and a long poll answers as soon as
      // a message arrives, so the round-up only lets an idle window overshoot by less than a
      // second. (Rounding down would end in 0-second polls: busy re-polling for the last fraction.)
      const wait =
        batch.length === 0
          ? (o.waitTimeSeconds ?? 20)
          : Math.min(20, Math.ceil(remainingWindow / 1000));
      const messages = await o.queues.receiveMessage(o.queueArn, {
        maxMessages: Math.min(10, o.batchSize - batch.length),
        waitSeconds: wait,
        signal,
      });
      for (const message of messages) {
        // A message seen again within the window (its visibility expired) keeps only the newest
        // receipt: AWS recommends a visibility timeout above timeout + window for this reason.
        const seen = batch.findIndex((m) => m.messageId === message.messageId);
        if (seen >= 0) batch.splice(seen, 1);
        batch.push(message);
      }
      if (batch.length === 0 || signal.aborted) return batch;
      if (o.maxBatchingWindowSeconds === 0 && messages.length < Math.min(10, o.batchSize)) break;
      if (now() >= windowEnds) break;
    }
    return batch;
  }

  private async process(batch: QueueMessage[], held: Reservation): Promise<void> {
    const o = this.options;
    const records = batch.map((m) => toSqsRecord(m, o.queueArn, o.region));
    this.stats.batches++;
    const outcome = await o.fn.invoke({ Records: records } satisfies SQSEvent, {
      ...this.traceOf(batch),
      reservation: held,
    });
    const failed = failedIds(
      outcome,
      records.map((r) => r.messageId),
    );
    if (outcome.kind !== "ok") {
      this.stats.failedInvocations++;
      o.onInvokeFailure?.(o.id, outcome);
    }
    this.stats.failedRecords += failed.size;
    const done = records.filter((r) => !failed.has(r.messageId));
    for (let i = 0; i < done.length; i += 10) await this.remove(done.slice(i, i + 10));
  }

  /**
   * The trace a batch's invocation continues: Lambda takes one record's AWSTraceHeader; locally
   * the first SAMPLED one, so a sampled event's trace always shows the function; the other
   * sampled records' traces link to the invocation (local/xray/hops.ts invocationSpans).
   */
  private traceOf(batch: readonly QueueMessage[]): InvokeOptions {
    const { tracing, queueArn } = this.options;
    if (!tracing) return {};
    const headers = batch.map((m) => queueSpan(tracing, queueArn, m.attributes));
    const sampled = headers.filter((h): h is string => !!h && !!parseTraceHeader(h)?.sampled);
    const [traceHeader = headers.find((h) => h !== undefined), ...others] = sampled;
    // One link per other trace (records of one trace batched together link once).
    const roots = new Set([parseTraceHeader(traceHeader)?.root]);
    const links = others.filter((h) => {
      const root = parseTraceHeader(h)?.root;
      return !roots.has(root) && roots.add(root);
    });
    return { traceHeader, links };
  }

  /**
   * Deletes handled records (at most 10). Entries DeleteMessageBatch reports as Failed are
   * retried; those still failing are logged and will be received again after the visibility
   * timeout (at-least-once: the handlers are idempotent), never counted as delivered.
   */
  private async remove(chunk: SQSRecord[]): Promise<void> {
    const o = this.options;
    const attempts = Math.max(1, o.deleteAttempts ?? 3);
    const { failed, failure } = await retryFailedEntries({
      entries: chunk.map((record, j) => ({
        id: String(j),
        receiptHandle: record.receiptHandle,
        record,
      })),
      attempts,
      call: (batch) => o.queues.deleteMessageBatch(o.queueArn, batch),
      onSucceeded: (done) => {
        const now = (o.now ?? Date.now)();
        for (const { record } of done) {
          this.stats.delivered++;
          o.onDelivered?.(record, now);
        }
      },
      onRetry: (pending, why, next) =>
        o.onWarning?.(
          o.id,
          `DeleteMessageBatch on ${o.queueArn} failed for ${pending.length} handled record(s) (${why}); retrying (attempt ${next} of ${attempts})`,
        ),
    });
    if (failed.length === 0) return;
    this.stats.undeleted += failed.length;
    o.onWarning?.(
      o.id,
      `DeleteMessageBatch on ${o.queueArn} still failed for ${failed.map((p) => p.record.messageId).join(", ")} after ${attempts} attempts (${failure}); they will be received again after the visibility timeout`,
    );
  }
}
