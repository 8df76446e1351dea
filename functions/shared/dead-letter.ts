/**
 * Dead-lettering of permanently invalid records: a record that fails validation can never
 * succeed, so instead of retrying it (and, on a FIFO queue, holding its group back until the
 * group's skipped records also reach the DLQ) the kit sends it to its queue's DLQ itself, with
 * its reason as message attributes, and acknowledges it.
 *
 * The SQS adapter learns a queue's DLQ from the queue's RedrivePolicy (GetQueueAttributes on the
 * record's eventSourceARN, cached per container). IAM: `sqs:GetQueueAttributes` on the source
 * queue and `sqs:SendMessage` on its DLQ.
 */
import {
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  SendMessageCommand,
  type SQSClient,
} from "@aws-sdk/client-sqs";
import { parseQueueArn, type QueueArn } from "../../events/arn.ts";
import { DownstreamError, messageOf } from "./errors.ts";

export interface DeadLetter {
  readonly queueArn: string;
  readonly messageId: string;
  readonly body: string;
  readonly groupId?: string;
  readonly reason: string;
  readonly message: string;
  readonly receiveCount: number;
  /** The DLQ message this record is a redriven copy of (kept, so the DLQ tool knows it). */
  readonly redriveOf?: string;
}

/** Message attributes a dead-lettered record carries (read by the DLQ tool). */
export const DEAD_LETTER_ATTRIBUTES = {
  reason: "failureReason",
  message: "failureMessage",
  sourceQueueArn: "sourceQueueArn",
  sourceMessageId: "sourceMessageId",
  /** How many times the source queue had delivered the record when it was dead-lettered. */
  sourceReceiveCount: "sourceReceiveCount",
  /** Set by the DLQ tool on a redriven copy: the DLQ message it was made from. */
  redriveOf: "redriveOf",
} as const;

/** Port: send records to their source queue's DLQ. Throws when a record could not be sent. */
export interface DeadLetterPort {
  send(letter: DeadLetter): Promise<void>;
}

export class InMemoryDeadLetters implements DeadLetterPort {
  readonly sent: DeadLetter[] = [];
  async send(letter: DeadLetter): Promise<void> {
    this.sent.push(letter);
  }
}

/** The queue URL of an SQS queue ARN (arn:aws:sqs:<region>:<account>:<name>), cached. */
export async function queueUrlOf(
  client: SQSClient,
  arn: string,
  cache: Map<string, Promise<string>>,
): Promise<string> {
  let url = cache.get(arn);
  if (!url) {
    url = resolveUrl(client, arn);
    cache.set(arn, url);
    url.catch(() => cache.delete(arn));
  }
  return url;
}

async function resolveUrl(client: SQSClient, arn: string): Promise<string> {
  let queue: QueueArn;
  try {
    queue = parseQueueArn(arn);
  } catch (error) {
    throw new DownstreamError(`eventSourceARN: ${messageOf(error)}`, { cause: error });
  }
  const { name, account } = queue;
  const out = await client.send(
    new GetQueueUrlCommand({ QueueName: name, QueueOwnerAWSAccountId: account }),
  );
  if (!out.QueueUrl) throw new DownstreamError(`GetQueueUrl returned no URL for queue ${name}`);
  return out.QueueUrl;
}

export class SqsDeadLetters implements DeadLetterPort {
  private readonly urls = new Map<string, Promise<string>>();
  private readonly dlqs = new Map<string, Promise<string>>();
  constructor(private readonly client: SQSClient) {}

  async send(letter: DeadLetter): Promise<void> {
    const dlqUrl = await this.dlqUrl(letter.queueArn);
    const A = DEAD_LETTER_ATTRIBUTES;
    const attributes: Record<string, string> = {
      [A.reason]: letter.reason,
      [A.message]: letter.message.slice(0, 1000),
      [A.sourceQueueArn]: letter.queueArn,
      [A.sourceMessageId]: letter.messageId,
      [A.sourceReceiveCount]: String(letter.receiveCount),
      ...(letter.redriveOf ? { [A.redriveOf]: letter.redriveOf } : {}),
    };
    const fifo = dlqUrl.endsWith(".fifo");
    await this.client.send(
      new SendMessageCommand({
        QueueUrl: dlqUrl,
        MessageBody: letter.body,
        ...(fifo
          ? {
              MessageGroupId: letter.groupId ?? "dead-letters",
              // A resend after a crash (same source message) is deduplicated by the DLQ.
              MessageDeduplicationId: letter.messageId,
            }
          : {}),
        MessageAttributes: Object.fromEntries(
          Object.entries(attributes).map(([k, v]) => [k, { DataType: "String", StringValue: v }]),
        ),
      }),
    );
  }

  private dlqUrl(queueArn: string): Promise<string> {
    let url = this.dlqs.get(queueArn);
    if (!url) {
      url = this.resolveDlq(queueArn);
      this.dlqs.set(queueArn, url);
      url.catch(() => this.dlqs.delete(queueArn));
    }
    return url;
  }

  private async resolveDlq(queueArn: string): Promise<string> {
    const url = await queueUrlOf(this.client, queueArn, this.urls);
    const out = await this.client.send(
      new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ["RedrivePolicy"] }),
    );
    const policy = out.Attributes?.RedrivePolicy;
    let target: unknown;
    try {
      target = policy
        ? (JSON.parse(policy) as { deadLetterTargetArn?: unknown }).deadLetterTargetArn
        : undefined;
    } catch (cause) {
      throw new DownstreamError(
        `Queue ${url} has an unreadable RedrivePolicy ${JSON.stringify(policy)}`,
        { cause },
      );
    }
    if (typeof target !== "string") {
      throw new DownstreamError(
        `Queue ${url} has no RedrivePolicy with a deadLetterTargetArn: its invalid records cannot be dead-lettered directly (they are retried until SQS moves them)`,
      );
    }
    return queueUrlOf(this.client, target, this.urls);
  }
}
