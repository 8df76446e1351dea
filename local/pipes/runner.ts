/**
 * Runs one pipe: polls the SQS source through the gateway, sends each message to the SQS target
 * (FIFO: MessageGroupId and MessageDeduplicationId from the message), and deletes a source
 * message only after the target accepted it. A message whose parameters cannot be resolved is
 * left alone: it returns after the visibility timeout and, after maxReceiveCount receives, goes
 * to the source queue's DLQ. Nothing is lost.
 */
import {
  DeleteMessageBatchCommand,
  type Message,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  type SendMessageBatchRequestEntry,
  type SQSClient,
} from "@aws-sdk/client-sqs";
import { RECORD_SYSTEM_ATTRIBUTES, toSqsRecord } from "../sqs-records.ts";
import { queueUrlOfArn } from "../targets.ts";
import { evaluatePath, isDynamic, renderTemplate } from "./jsonpath.ts";
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
  readonly sqs: SQSClient;
  readonly endpoint: string;
  readonly region: string;
  /** Long-poll wait per receive, seconds. @default 1 */
  readonly waitTimeSeconds?: number;
  /** Attempts of SendMessageBatch / DeleteMessageBatch for the entries they report as Failed. @default 3 */
  readonly batchAttempts?: number;
  readonly onError?: (pipe: string, error: unknown) => void;
}

export class PipeRunner {
  readonly stats: PipeStats = { moved: 0, rejected: 0, sendFailures: 0, deleteFailures: 0 };
  private running = false;
  private loop: Promise<void> | undefined;
  private abort = new AbortController();

  constructor(private readonly options: PipeRunnerOptions) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.abort = new AbortController();
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.abort.abort();
    await this.loop;
  }

  private async run(): Promise<void> {
    const { pipe, endpoint } = this.options;
    const sourceUrl = queueUrlOfArn(endpoint, pipe.Source);
    const targetUrl = queueUrlOfArn(endpoint, pipe.Target);
    const batchSize = Math.min(pipe.SourceParameters?.SqsQueueParameters?.BatchSize ?? 10, 10);
    while (this.running) {
      try {
        const { Messages = [] } = await this.options.sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: sourceUrl,
            MaxNumberOfMessages: batchSize,
            WaitTimeSeconds: this.options.waitTimeSeconds ?? 1,
            MessageSystemAttributeNames: [...RECORD_SYSTEM_ATTRIBUTES],
            MessageAttributeNames: ["All"],
          }),
          { abortSignal: this.abort.signal },
        );
        if (Messages.length === 0) continue;
        await this.forward(Messages, sourceUrl, targetUrl);
      } catch (error) {
        if (!this.running) return;
        this.stats.lastError = String(error);
        this.options.onError?.(pipe.Name, error);
        await new Promise((r) => setTimeout(r, 200));
      }
    }
  }

  private entryFor(record: ReturnType<typeof toSqsRecord>, index: number) {
    const target = this.options.pipe.TargetParameters;
    const params = target?.SqsQueueParameters;
    const resolve = (value: string | undefined): string | undefined => {
      if (value === undefined) return undefined;
      if (!isDynamic(value)) return value;
      const found = evaluatePath(record, value);
      if (found === undefined || found === null || found === "") return undefined;
      return typeof found === "string" ? found : JSON.stringify(found);
    };
    const groupId = resolve(params?.MessageGroupId);
    const dedupId = resolve(params?.MessageDeduplicationId);
    if (params?.MessageGroupId && !groupId) return undefined;
    if (params?.MessageDeduplicationId && !dedupId) return undefined;
    const body = target?.InputTemplate
      ? renderTemplate(target.InputTemplate, record)
      : JSON.stringify(record);
    const entry: SendMessageBatchRequestEntry = {
      Id: String(index),
      MessageBody: body,
      ...(groupId ? { MessageGroupId: groupId } : {}),
      ...(dedupId ? { MessageDeduplicationId: dedupId } : {}),
    };
    return entry;
  }

  private async forward(messages: Message[], sourceUrl: string, targetUrl: string): Promise<void> {
    const { pipe, region, sqs } = this.options;
    const entries: SendMessageBatchRequestEntry[] = [];
    const handles = new Map<string, string>();
    messages.forEach((message, i) => {
      const entry = this.entryFor(toSqsRecord(message, pipe.Source, region), i);
      if (!entry) {
        this.stats.rejected++;
        return;
      }
      entries.push(entry);
      handles.set(String(i), message.ReceiptHandle ?? "");
    });
    if (entries.length === 0) return;
    const accepted = await this.retrying("SendMessageBatch", targetUrl, entries, (batch) =>
      sqs.send(new SendMessageBatchCommand({ QueueUrl: targetUrl, Entries: batch })),
    );
    this.stats.sendFailures += entries.length - accepted.length;
    if (accepted.length === 0) return;
    const deleted = await this.retrying(
      "DeleteMessageBatch",
      sourceUrl,
      accepted.map((e) => ({ Id: e.Id, ReceiptHandle: handles.get(e.Id ?? "") ?? "" })),
      (batch) => sqs.send(new DeleteMessageBatchCommand({ QueueUrl: sourceUrl, Entries: batch })),
    );
    this.stats.moved += deleted.length;
    this.stats.deleteFailures += accepted.length - deleted.length;
  }

  /**
   * Runs a batch call, retrying the entries it reports as Failed (or all of them when the call
   * itself fails); reports what still fails through `onError` and `lastError`. Resolves with the
   * entries that succeeded. Nothing is lost: an unsent message stays in the source (DLQ after
   * maxReceiveCount); an undeleted one is sent again (FIFO targets deduplicate it).
   */
  private async retrying<E extends { Id?: string | undefined }>(
    action: string,
    queueUrl: string,
    entries: E[],
    call: (batch: E[]) => Promise<{
      Successful?: { Id?: string | undefined }[];
      Failed?: { Id?: string | undefined; Code?: string; Message?: string }[];
    }>,
  ): Promise<E[]> {
    const attempts = Math.max(1, this.options.batchAttempts ?? 3);
    const done: E[] = [];
    let pending = entries;
    let failure = "";
    for (let attempt = 1; attempt <= attempts && pending.length > 0; attempt++) {
      try {
        const out = await call(pending);
        const ok = new Set((out.Successful ?? []).map((s) => s.Id));
        done.push(...pending.filter((e) => ok.has(e.Id)));
        pending = pending.filter((e) => !ok.has(e.Id));
        failure = (out.Failed ?? []).map((f) => `${f.Id}: ${f.Code} ${f.Message ?? ""}`).join("; ");
      } catch (error) {
        failure = String(error);
      }
    }
    if (pending.length > 0) {
      const error = new PipeRunnerError(
        `${action} on ${queueUrl} failed for ${pending.length} of ${entries.length} entries after ${attempts} attempts (${failure}); ${action === "SendMessageBatch" ? "they stay in the source queue and return after its visibility timeout" : "they were delivered and will be delivered again after the visibility timeout"}`,
      );
      this.stats.lastError = error.message;
      this.options.onError?.(this.options.pipe.Name, error);
    }
    return done;
  }
}
