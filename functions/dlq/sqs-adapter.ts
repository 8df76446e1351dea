/** SQS adapter of the DLQ tool's queue port. Client injected. */
import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  type SQSClient,
} from "@aws-sdk/client-sqs";
import type { QueueMessage, QueuePort } from "./port.ts";

/** SQS's answers when the receipt handle no longer holds the message in flight. */
const NOT_IN_FLIGHT = new Set([
  "MessageNotInflight",
  "AWS.SimpleQueueService.MessageNotInflight",
  "ReceiptHandleIsInvalid",
]);

export class SqsQueues implements QueuePort {
  constructor(private readonly client: SQSClient) {}

  async receive(queueUrl: string, max: number, visibilitySeconds: number): Promise<QueueMessage[]> {
    const out = await this.client.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: Math.min(10, Math.max(1, max)),
        VisibilityTimeout: visibilitySeconds,
        WaitTimeSeconds: 0,
        MessageSystemAttributeNames: ["All"],
        MessageAttributeNames: ["All"],
      }),
    );
    return (out.Messages ?? []).map((m) => {
      const a = m.Attributes ?? {};
      const num = (k: string) =>
        a[k as keyof typeof a] ? Number(a[k as keyof typeof a]) : undefined;
      const attributes: Record<string, string> = {};
      for (const [k, v] of Object.entries(m.MessageAttributes ?? {})) {
        if (v.StringValue !== undefined) attributes[k] = v.StringValue;
      }
      const sentAt = num("SentTimestamp");
      const firstReceiveAt = num("ApproximateFirstReceiveTimestamp");
      return {
        messageId: m.MessageId ?? "",
        receiptHandle: m.ReceiptHandle ?? "",
        body: m.Body ?? "",
        receiveCount: num("ApproximateReceiveCount") ?? 1,
        ...(sentAt === undefined ? {} : { sentAt }),
        ...(firstReceiveAt === undefined ? {} : { firstReceiveAt }),
        ...(a.MessageGroupId ? { groupId: a.MessageGroupId } : {}),
        attributes,
      };
    });
  }

  async send(
    queueUrl: string,
    message: {
      body: string;
      groupId?: string;
      deduplicationId?: string;
      attributes: Record<string, string>;
    },
  ): Promise<void> {
    await this.client.send(
      new SendMessageCommand({
        QueueUrl: queueUrl,
        MessageBody: message.body,
        ...(message.groupId ? { MessageGroupId: message.groupId } : {}),
        ...(message.deduplicationId ? { MessageDeduplicationId: message.deduplicationId } : {}),
        MessageAttributes: Object.fromEntries(
          Object.entries(message.attributes).map(([k, v]) => [
            k,
            { DataType: "String", StringValue: v },
          ]),
        ),
      }),
    );
  }

  async delete(queueUrl: string, receiptHandle: string): Promise<void> {
    await this.client.send(
      new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: receiptHandle }),
    );
  }

  /** A message no longer in flight is already visible again (or gone): nothing to release. */
  async release(queueUrl: string, receiptHandle: string): Promise<void> {
    try {
      await this.client.send(
        new ChangeMessageVisibilityCommand({
          QueueUrl: queueUrl,
          ReceiptHandle: receiptHandle,
          VisibilityTimeout: 0,
        }),
      );
    } catch (error) {
      if (!NOT_IN_FLIGHT.has((error as { name?: string }).name ?? "")) throw error;
    }
  }
}
