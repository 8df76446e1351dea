/**
 * One SNS topic as the consumers publish to it (media posts, citizen alerts): the wire calls,
 * PublishBatch's 10-entry chunks and the errors they raise, written once. Client injected; each
 * consumer's sns-adapter.ts only maps its messages onto entries.
 */
import {
  type MessageAttributeValue,
  PublishBatchCommand,
  type PublishBatchCommandOutput,
  type PublishBatchRequestEntry,
  PublishCommand,
  type PublishCommandInput,
  type SNSClient,
} from "@aws-sdk/client-sns";
import { DownstreamError } from "./errors.ts";

/** SNS PublishBatch takes at most 10 entries (and 256 KiB) per call. */
const MAX_BATCH_ENTRIES = 10;

/** An entry SNS refused (certainly not sent), with SNS's code and message. */
export interface RefusedEntry<T> {
  readonly item: T;
  readonly code: string;
  readonly message: string;
}

export class SnsTopic {
  constructor(
    private readonly client: SNSClient,
    readonly arn: string,
  ) {}

  /** A FIFO topic needs a group and a deduplication id on each message. */
  get fifo(): boolean {
    return this.arn.endsWith(".fifo");
  }

  /** One Publish of `what` (e.g. "media post p-1"); any failure throws a DownstreamError. */
  async publish(
    what: string,
    input: Omit<PublishCommandInput, "TopicArn">,
    signal: AbortSignal,
  ): Promise<void> {
    try {
      await this.client.send(new PublishCommand({ ...input, TopicArn: this.arn }), {
        abortSignal: signal,
      });
    } catch (error) {
      throw callFailed(`SNS Publish of ${what} to ${this.arn}`, error);
    }
  }

  /**
   * PublishBatch of every item, 10 per call. Returns the entries SNS refused; throws a
   * DownstreamError (naming the chunk through `about`) when a call's outcome is unknown.
   */
  async publishBatch<T>(
    items: readonly T[],
    entryOf: (item: T) => Omit<PublishBatchRequestEntry, "Id">,
    about: (chunk: readonly T[]) => string,
    signal: AbortSignal,
  ): Promise<RefusedEntry<T>[]> {
    const refused: RefusedEntry<T>[] = [];
    for (let i = 0; i < items.length; i += MAX_BATCH_ENTRIES) {
      const chunk = items.slice(i, i + MAX_BATCH_ENTRIES);
      let out: PublishBatchCommandOutput;
      try {
        out = await this.client.send(
          new PublishBatchCommand({
            TopicArn: this.arn,
            PublishBatchRequestEntries: chunk.map((item, k) => ({
              ...entryOf(item),
              Id: String(k),
            })),
          }),
          { abortSignal: signal },
        );
      } catch (error) {
        throw callFailed(`SNS PublishBatch to ${this.arn} ${about(chunk)}`, error);
      }
      for (const f of out.Failed ?? []) {
        const item = chunk[Number(f.Id)];
        if (item !== undefined)
          refused.push({ item, code: f.Code ?? "unknown", message: f.Message ?? "" });
      }
    }
    return refused;
  }
}

/** SNS string message attributes from plain strings. */
export function stringAttributes(
  values: Readonly<Record<string, string>>,
): Record<string, MessageAttributeValue> {
  return Object.fromEntries(
    Object.entries(values).map(([k, v]) => [k, { DataType: "String", StringValue: v }]),
  );
}

const callFailed = (call: string, error: unknown) =>
  new DownstreamError(
    `${call} failed: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`,
    { cause: error },
  );
