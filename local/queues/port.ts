/**
 * The queue port: how the local cloud's own plumbing (EventBridge SQS targets, pipes, the Lambda
 * runner's event source mappings) reaches SQS queues. Each method stands for one SQS action and
 * is named after it, so the work it does is the work AWS would bill. Two implementations: the
 * embedded queues reached directly (`directQueuePort`, local/queues/direct.ts: no SDK, no
 * serialization) and any SQS endpoint through an SDK client (`sdkQueuePort`, local/queues/sdk.ts).
 * See docs/LOCAL.md "How the local cloud does its own queue work".
 */
import { InvalidArnError, parseQueueArn, type QueueArn } from "../../events/arn.ts";

/** A message attribute as SQS' JSON protocol carries it (binary values base64-encoded). */
export interface QueueMessageAttribute {
  readonly DataType: string;
  readonly StringValue?: string;
  readonly BinaryValue?: string;
}

/** A received message, with the system attributes Lambda's SQS records carry. */
export interface QueueMessage {
  readonly messageId: string;
  readonly receiptHandle: string;
  readonly body: string;
  readonly md5OfBody: string;
  /** SentTimestamp, ApproximateReceiveCount, ApproximateFirstReceiveTimestamp, SenderId, FIFO ids. */
  readonly attributes: Readonly<Record<string, string>>;
  readonly messageAttributes: Readonly<Record<string, QueueMessageAttribute>>;
}

export interface SendEntry {
  readonly body: string;
  readonly messageGroupId?: string | undefined;
  readonly messageDeduplicationId?: string | undefined;
  readonly messageAttributes?: Readonly<Record<string, QueueMessageAttribute>> | undefined;
  /** The X-Ray trace header: SQS' AWSTraceHeader system attribute of the message. */
  readonly traceHeader?: string | undefined;
}

/** A batch entry: `id` is unique within its batch (SQS batch entry id rules). */
export type BatchSendEntry = SendEntry & { readonly id: string };

export interface BatchDeleteEntry {
  readonly id: string;
  readonly receiptHandle: string;
}

export interface BatchEntryFailure {
  readonly id: string;
  readonly code: string;
  readonly message: string;
  readonly senderFault: boolean;
}

/** A batch call's answer: every entry is either successful or failed (SQS' Successful/Failed). */
export interface BatchResult {
  readonly successful: readonly string[];
  readonly failed: readonly BatchEntryFailure[];
}

export interface SendResult {
  readonly messageId: string;
  readonly sequenceNumber?: string | undefined;
}

export interface ReceiveOptions {
  /** 1..10, as ReceiveMessage's MaxNumberOfMessages. */
  readonly maxMessages: number;
  /** Long-poll wait, 0..20 seconds: resolves as soon as a message can be received. */
  readonly waitSeconds: number;
  /** Ends the wait early (resolves with what was received, usually nothing). */
  readonly signal?: AbortSignal;
}

export interface QueuePort {
  /** SendMessage. Rejects with a QueueActionError (e.g. QueueDoesNotExist, InvalidParameterValue). */
  sendMessage(queueArn: string, entry: SendEntry): Promise<SendResult>;
  /** SendMessageBatch (1..10 entries). */
  sendMessageBatch(queueArn: string, entries: readonly BatchSendEntry[]): Promise<BatchResult>;
  /** ReceiveMessage with every system and message attribute. */
  receiveMessage(queueArn: string, options: ReceiveOptions): Promise<QueueMessage[]>;
  /** DeleteMessageBatch (1..10 entries). A stale receipt handle deletes nothing. */
  deleteMessageBatch(queueArn: string, entries: readonly BatchDeleteEntry[]): Promise<BatchResult>;
  /** ChangeMessageVisibility; 0 makes the message visible at once. */
  changeMessageVisibility(queueArn: string, receiptHandle: string, seconds: number): Promise<void>;
}

/**
 * An SQS action failed as a whole. `name` and `code` are the SQS error code (as the SDK's
 * exceptions name them), so the EventBridge engine classifies it like an SDK error.
 */
export class QueueActionError extends Error {
  override readonly name: string;
  readonly code: string;
  readonly senderFault: boolean;
  /** Set for failures that retrying cannot fix (read by the EventBridge engine). */
  readonly retryable?: boolean;
  constructor(
    code: string,
    message: string,
    options?: { cause?: unknown; senderFault?: boolean; retryable?: boolean },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = code;
    this.code = code;
    this.senderFault = options?.senderFault ?? true;
    if (options?.retryable !== undefined) this.retryable = options.retryable;
  }
}

/**
 * `arn:aws:sqs:<region>:<account>:<name>` -> its parts (events/arn.ts); a malformed ARN is a
 * permanent QueueActionError (`InvalidArn`): it never gets better, so it is not retried.
 */
export function requireQueueArn(queueArn: string): QueueArn {
  try {
    return parseQueueArn(queueArn);
  } catch (error) {
    if (!(error instanceof InvalidArnError)) throw error;
    throw new QueueActionError("InvalidArn", error.message, { retryable: false, cause: error });
  }
}
