/**
 * Runs one pipe: polls the SQS source through the queue port (local/queues/port.ts), sends each
 * batch to the SQS target as one SendMessageBatch (FIFO: MessageGroupId and
 * MessageDeduplicationId from the message), and deletes the source messages the target accepted
 * as one DeleteMessageBatch. A message whose parameters cannot be resolved is left alone: it
 * returns after the visibility timeout and, after maxReceiveCount receives, goes to the source
 * queue's DLQ. Nothing is lost.
 */
import type { SQSRecord } from "aws-lambda";
import { PollLoops, retryFailedEntries } from "../queues/consumer.ts";
import type { BatchResult, BatchSendEntry, QueueMessage, QueuePort } from "../queues/port.ts";
import { toSqsRecord } from "../sqs-records.ts";
import { type HopSpan, type HopTracing, queueSpan } from "../xray/hops.ts";
import { evaluatePath, isDynamic, parseIfJson, renderTemplate } from "./jsonpath.ts";
import { type PipeDefinition, PipeRunnerError } from "./types.ts";

export interface PipeStats {
  moved: number;
  rejected: number;
  /** Messages the target refused after the retries: left in the source (back after the visibility timeout). */
  sendFailures: number;
  /** Messages sent to the target whose source delete still failed after the retries (sent again later). */
  deleteFailures: number;
  lastError?: string;
}

export interface PipeRunnerOptions {
  readonly pipe: PipeDefinition;
  /** The queues, e.g. the local cloud's `cloud.queues` (each call counted as its SQS action). */
  readonly queues: QueuePort;
  readonly region: string;
  /** Long-poll wait per receive, seconds (0..20). @default 20 */
  readonly waitTimeSeconds?: number;
  /** Attempts of SendMessageBatch / DeleteMessageBatch for the entries they report as Failed. @default 3 */
  readonly batchAttempts?: number;
  readonly onError?: (pipe: string, error: unknown) => void;
  /** Spans of the source queue and the pipe in each message's trace (local/xray/hops.ts). */
  readonly tracing?: HopTracing;
}

export class PipeRunner {
  readonly stats: PipeStats = { moved: 0, rejected: 0, sendFailures: 0, deleteFailures: 0 };
  private readonly loops: PollLoops;

  constructor(private readonly options: PipeRunnerOptions) {
    this.loops = new PollLoops({
      onError: (error) => {
        this.stats.lastError = String(error);
        options.onError?.(options.pipe.Name, error);
      },
    });
  }

  start(): void {
    const { pipe, queues } = this.options;
    const batchSize = Math.min(pipe.SourceParameters?.SqsQueueParameters?.BatchSize ?? 10, 10);
    this.loops.start(1, async () => {
      const messages = await queues.receiveMessage(pipe.Source, {
        maxMessages: batchSize,
        waitSeconds: this.options.waitTimeSeconds ?? 20,
        signal: this.loops.signal,
      });
      if (messages.length > 0) await this.forward(messages);
    });
  }

  stop(): Promise<void> {
    return this.loops.stop();
  }

  /** The target entry for a record; undefined when a dynamic parameter resolves to nothing. */
  private entryFor(record: SQSRecord, id: string): BatchSendEntry | undefined {
    const target = this.options.pipe.TargetParameters;
    const params = target?.SqsQueueParameters;
    // The body parsed once for the paths and the template (each would parse it again); the
    // paths select the same values from it.
    const root = { ...record, body: parseIfJson(record.body) };
    const resolve = (value: string | undefined): string | undefined => {
      if (value === undefined) return undefined;
      if (!isDynamic(value)) return value;
      const found = evaluatePath(root, value);
      if (found === undefined || found === null || found === "") return undefined;
      return typeof found === "string" ? found : JSON.stringify(found);
    };
    const groupId = resolve(params?.MessageGroupId);
    const dedupId = resolve(params?.MessageDeduplicationId);
    if (params?.MessageGroupId && !groupId) return undefined;
    if (params?.MessageDeduplicationId && !dedupId) return undefined;
    const body = target?.InputTemplate
      ? renderTemplate(target.InputTemplate, root)
      : JSON.stringify(record);
    return {
      id,
      body,
      ...(groupId ? { messageGroupId: groupId } : {}),
      ...(dedupId ? { messageDeduplicationId: dedupId } : {}),
    };
  }

  private async forward(messages: readonly QueueMessage[]): Promise<void> {
    const { pipe, region, queues, tracing } = this.options;
    const entries: (BatchSendEntry & { readonly receiptHandle: string })[] = [];
    const spans: HopSpan[] = [];
    messages.forEach((message, i) => {
      const entry = this.entryFor(toSqsRecord(message, pipe.Source, region), String(i));
      if (!entry) {
        this.stats.rejected++;
        return;
      }
      const span = tracing?.span(
        queueSpan(tracing, pipe.Source, message.attributes),
        pipe.Name,
        "AWS::Pipes::Pipe",
      );
      if (span) spans.push(span);
      const traceHeader = span?.header ?? message.attributes.AWSTraceHeader;
      entries.push({
        ...entry,
        receiptHandle: message.receiptHandle,
        ...(traceHeader ? { traceHeader } : {}),
      });
    });
    if (entries.length === 0) return;
    const sent = await this.retrying("SendMessageBatch", pipe.Target, entries, (batch) =>
      queues.sendMessageBatch(pipe.Target, batch),
    );
    for (const span of spans) span.end();
    this.stats.sendFailures += entries.length - sent.length;
    if (sent.length === 0) return;
    const deleted = await this.retrying("DeleteMessageBatch", pipe.Source, sent, (batch) =>
      queues.deleteMessageBatch(pipe.Source, batch),
    );
    this.stats.moved += deleted.length;
    this.stats.deleteFailures += sent.length - deleted.length;
  }

  /**
   * Runs a batch call with the retry of its Failed entries (local/queues/consumer.ts); reports
   * what still fails through `onError` and `lastError`. Resolves with the entries that
   * succeeded. Nothing is lost: an unsent message stays in the source (DLQ after
   * maxReceiveCount); an undeleted one is sent again (FIFO targets deduplicate it).
   */
  private async retrying<E extends { readonly id: string }>(
    action: "SendMessageBatch" | "DeleteMessageBatch",
    queueArn: string,
    entries: readonly E[],
    call: (batch: readonly E[]) => Promise<BatchResult>,
  ): Promise<readonly E[]> {
    const attempts = Math.max(1, this.options.batchAttempts ?? 3);
    const { succeeded, failed, failure } = await retryFailedEntries({ entries, attempts, call });
    if (failed.length > 0) {
      const error = new PipeRunnerError(
        `${action} on ${queueArn} failed for ${failed.length} of ${entries.length} entries after ${attempts} attempts (${failure}); ${action === "SendMessageBatch" ? "they stay in the source queue and return after its visibility timeout" : "they were delivered and will be delivered again after the visibility timeout"}`,
      );
      this.stats.lastError = error.message;
      this.options.onError?.(this.options.pipe.Name, error);
    }
    return succeeded;
  }
}
