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
import type { PipeDefinition } from "./types.ts";

export interface PipeStats {
  moved: number;
  rejected: number;
  lastError?: string;
}

export interface PipeRunnerOptions {
  readonly pipe: PipeDefinition;
  readonly sqs: SQSClient;
  readonly endpoint: string;
  readonly region: string;
  /** Long-poll wait per receive, seconds. @default 1 */
  readonly waitTimeSeconds?: number;
  readonly onError?: (pipe: string, error: unknown) => void;
}

export class PipeRunner {
  readonly stats: PipeStats = { moved: 0, rejected: 0 };
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
    const sent = await sqs.send(
      new SendMessageBatchCommand({ QueueUrl: targetUrl, Entries: entries }),
    );
    for (const failed of sent.Failed ?? []) {
      this.stats.lastError = `${failed.Code}: ${failed.Message}`;
    }
    const accepted = (sent.Successful ?? []).map((s) => s.Id ?? "");
    if (accepted.length === 0) return;
    const deleted = await sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: sourceUrl,
        Entries: accepted.map((id) => ({ Id: id, ReceiptHandle: handles.get(id) ?? "" })),
      }),
    );
    this.stats.moved += deleted.Successful?.length ?? 0;
  }
}
