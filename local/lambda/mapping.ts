/**
 * Lambda's SQS event source mapping, locally: polls a queue through the gateway and invokes a
 * FunctionHost with SQS events. Batch size and batching window, partial batch responses
 * (`batchItemFailures`: only those return), maximum concurrency, FIFO groups (the queue hands
 * out a group only while none of its messages is in flight, so two batches never hold the same
 * group), and function errors / timeouts / crashes (nothing is deleted: the messages return after
 * the visibility timeout and reach the DLQ after maxReceiveCount receives).
 */
import {
  DeleteMessageBatchCommand,
  type DeleteMessageBatchCommandOutput,
  type Message,
  ReceiveMessageCommand,
  type SQSClient,
} from "@aws-sdk/client-sqs";
import type { SQSBatchResponse, SQSEvent, SQSRecord } from "aws-lambda";
import { RECORD_SYSTEM_ATTRIBUTES, toSqsRecord } from "../sqs-records.ts";
import type { FunctionHost, InvokeOutcome } from "./host.ts";

export interface EventSourceMappingOptions {
  /** Logical id of the mapping (the subscription id). */
  readonly id: string;
  readonly queueUrl: string;
  readonly queueArn: string;
  readonly region: string;
  readonly sqs: SQSClient;
  readonly fn: FunctionHost;
  /** 1..10000 (standard) / 1..10 (FIFO). */
  readonly batchSize: number;
  readonly maxBatchingWindowSeconds: number;
  /** Concurrent invocations of this mapping at most (2..1000 on AWS). */
  readonly maxConcurrency: number;
  /** Long-poll wait when the queue is empty, seconds. @default 1 */
  readonly waitTimeSeconds?: number;
  /** Called for every record the function handled successfully (deleted from the queue). */
  readonly onDelivered?: (record: SQSEvent["Records"][number], now: number) => void;
  readonly onInvokeFailure?: (mapping: string, outcome: InvokeOutcome) => void;
  /** Runner problems that lose nothing but deserve a log line (e.g. deletes that had to be retried). */
  readonly onWarning?: (mapping: string, message: string) => void;
  /** Attempts of DeleteMessageBatch for entries it reports as Failed. @default 3 */
  readonly deleteAttempts?: number;
  readonly now?: () => number;
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
  private running = false;
  private readonly loops: Promise<void>[] = [];
  private abort = new AbortController();

  constructor(private readonly options: EventSourceMappingOptions) {}

  get id(): string {
    return this.options.id;
  }

  /** The pool of environments this mapping invokes. */
  get host(): FunctionHost {
    return this.options.fn;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.abort = new AbortController();
    for (let i = 0; i < Math.max(1, this.options.maxConcurrency); i++) {
      this.loops.push(this.poll());
    }
  }

  async stop(): Promise<void> {
    this.running = false;
    this.abort.abort();
    await Promise.all(this.loops.splice(0));
  }

  /** One poller = at most one batch in flight; `maxConcurrency` pollers run side by side. */
  private async poll(): Promise<void> {
    while (this.running) {
      try {
        const batch = await this.collect();
        if (batch.length > 0) await this.process(batch);
      } catch (error) {
        if (!this.running) return;
        this.options.onInvokeFailure?.(this.options.id, {
          kind: "crash",
          error: `polling ${this.options.queueUrl} failed: ${String(error)}`,
        });
        await new Promise((r) => setTimeout(r, 200));
      }
    }
  }

  private async collect(): Promise<Message[]> {
    const o = this.options;
    const now = o.now ?? Date.now;
    const batch: Message[] = [];
    const windowEnds = now() + o.maxBatchingWindowSeconds * 1000;
    while (this.running && batch.length < o.batchSize) {
      const remainingWindow = Math.max(0, windowEnds - now());
      // Within the batching window, long-poll for what is left of it, rounded UP to whole
      // seconds: SQS takes an integer WaitTimeSeconds (0..20), and a long poll answers as soon as
      // a message arrives, so the round-up only lets an idle window overshoot by less than a
      // second. (Rounding down would end in 0-second polls: busy re-polling for the last fraction.)
      const wait =
        batch.length === 0
          ? (o.waitTimeSeconds ?? 1)
          : Math.min(20, Math.ceil(remainingWindow / 1000));
      const { Messages = [] } = await o.sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: o.queueUrl,
          MaxNumberOfMessages: Math.min(10, o.batchSize - batch.length),
          WaitTimeSeconds: wait,
          MessageSystemAttributeNames: [...RECORD_SYSTEM_ATTRIBUTES],
          MessageAttributeNames: ["All"],
        }),
        { abortSignal: this.abort.signal },
      );
      for (const message of Messages) {
        // A message seen again within the window (its visibility expired) keeps only the newest
        // receipt: AWS recommends a visibility timeout above timeout + window for this reason.
        const seen = batch.findIndex((m) => m.MessageId === message.MessageId);
        if (seen >= 0) batch.splice(seen, 1);
        batch.push(message);
      }
      if (batch.length === 0) return batch;
      if (o.maxBatchingWindowSeconds === 0 && Messages.length < Math.min(10, o.batchSize)) break;
      if (now() >= windowEnds) break;
    }
    return batch;
  }

  private async process(batch: Message[]): Promise<void> {
    const o = this.options;
    const records = batch.map((m) => toSqsRecord(m, o.queueArn, o.region));
    this.stats.batches++;
    const outcome = await o.fn.invoke({ Records: records } satisfies SQSEvent);
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
   * Deletes handled records (at most 10). Entries DeleteMessageBatch reports as Failed are
   * retried; those still failing are logged and will be received again after the visibility
   * timeout (at-least-once: the handlers are idempotent), never counted as delivered.
   */
  private async remove(chunk: SQSRecord[]): Promise<void> {
    const o = this.options;
    let pending = chunk.map((record, j) => ({ id: String(j), record }));
    const attempts = Math.max(1, o.deleteAttempts ?? 3);
    let lastFailure = "";
    for (let attempt = 1; attempt <= attempts && pending.length > 0; attempt++) {
      let result: DeleteMessageBatchCommandOutput;
      try {
        result = await o.sqs.send(
          new DeleteMessageBatchCommand({
            QueueUrl: o.queueUrl,
            Entries: pending.map((p) => ({ Id: p.id, ReceiptHandle: p.record.receiptHandle })),
          }),
        );
      } catch (error) {
        lastFailure = String(error);
        continue;
      }
      const now = (o.now ?? Date.now)();
      const ok = new Set((result.Successful ?? []).map((s) => s.Id));
      for (const p of pending) {
        if (!ok.has(p.id)) continue;
        this.stats.delivered++;
        o.onDelivered?.(p.record, now);
      }
      const failures = result.Failed ?? [];
      lastFailure = failures.map((f) => `${f.Id}: ${f.Code} ${f.Message ?? ""}`).join("; ");
      pending = pending.filter((p) => !ok.has(p.id));
      if (pending.length > 0 && attempt < attempts) {
        o.onWarning?.(
          o.id,
          `DeleteMessageBatch on ${o.queueUrl} failed for ${pending.length} handled record(s) (${lastFailure}); retrying (attempt ${attempt + 1} of ${attempts})`,
        );
      }
    }
    if (pending.length === 0) return;
    this.stats.undeleted += pending.length;
    o.onWarning?.(
      o.id,
      `DeleteMessageBatch on ${o.queueUrl} still failed for ${pending.map((p) => p.record.messageId).join(", ")} after ${attempts} attempts (${lastFailure}); they will be received again after the visibility timeout`,
    );
  }
}
