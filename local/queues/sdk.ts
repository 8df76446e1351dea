/**
 * The queue port over any SQS endpoint, through an AWS SDK v3 client: the twin of the direct port
 * (local/queues/direct.ts) for code handed only a client (a Lambda runner started against another
 * endpoint, tests injecting faults into a client). Queue URLs are resolved once per ARN with
 * GetQueueUrl, as an AWS consumer would.
 */
import {
  ChangeMessageVisibilityCommand,
  DeleteMessageBatchCommand,
  GetQueueUrlCommand,
  type Message,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  type SQSClient,
} from "@aws-sdk/client-sqs";
import {
  type BatchResult,
  type QueueMessage,
  type QueueMessageAttribute,
  type QueuePort,
  requireQueueArn,
  type SendEntry,
} from "./port.ts";

export function sdkQueuePort(sqs: SQSClient): QueuePort {
  const urls = new Map<string, Promise<string>>();
  const urlOf = (queueArn: string): Promise<string> => {
    const known = urls.get(queueArn);
    if (known) return known;
    const { name, account } = requireQueueArn(queueArn);
    const url = sqs
      .send(new GetQueueUrlCommand({ QueueName: name, QueueOwnerAWSAccountId: account }))
      .then((out) => out.QueueUrl ?? "");
    // A failed lookup (the queue does not exist yet) is not remembered.
    url.catch(() => urls.delete(queueArn));
    urls.set(queueArn, url);
    return url;
  };

  return {
    async sendMessage(queueArn, entry) {
      const out = await sqs.send(
        new SendMessageCommand({ QueueUrl: await urlOf(queueArn), ...sendInput(entry) }),
      );
      return { messageId: out.MessageId ?? "", sequenceNumber: out.SequenceNumber };
    },
    async sendMessageBatch(queueArn, entries) {
      const out = await sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: await urlOf(queueArn),
          Entries: entries.map((e) => ({ Id: e.id, ...sendInput(e) })),
        }),
      );
      return batchResult(out);
    },
    async receiveMessage(queueArn, options) {
      const { Messages = [] } = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: await urlOf(queueArn),
          MaxNumberOfMessages: options.maxMessages,
          WaitTimeSeconds: options.waitSeconds,
          MessageSystemAttributeNames: ["All"],
          MessageAttributeNames: ["All"],
        }),
        options.signal ? { abortSignal: options.signal } : {},
      );
      return Messages.map(queueMessage);
    },
    async deleteMessageBatch(queueArn, entries) {
      const out = await sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: await urlOf(queueArn),
          Entries: entries.map((e) => ({ Id: e.id, ReceiptHandle: e.receiptHandle })),
        }),
      );
      return batchResult(out);
    },
    async changeMessageVisibility(queueArn, receiptHandle, seconds) {
      await sqs.send(
        new ChangeMessageVisibilityCommand({
          QueueUrl: await urlOf(queueArn),
          ReceiptHandle: receiptHandle,
          VisibilityTimeout: seconds,
        }),
      );
    },
  };
}

function sendInput(entry: SendEntry) {
  const attributes: Record<
    string,
    { DataType: string; StringValue?: string; BinaryValue?: Uint8Array }
  > = {};
  for (const [name, value] of Object.entries(entry.messageAttributes ?? {})) {
    attributes[name] = {
      DataType: value.DataType,
      ...(value.StringValue !== undefined ? { StringValue: value.StringValue } : {}),
      ...(value.BinaryValue !== undefined
        ? { BinaryValue: Buffer.from(value.BinaryValue, "base64") }
        : {}),
    };
  }
  return {
    MessageBody: entry.body,
    MessageGroupId: entry.messageGroupId,
    MessageDeduplicationId: entry.messageDeduplicationId,
    ...(entry.messageAttributes ? { MessageAttributes: attributes } : {}),
    ...(entry.traceHeader
      ? {
          MessageSystemAttributes: {
            AWSTraceHeader: { DataType: "String", StringValue: entry.traceHeader },
          },
        }
      : {}),
  };
}

function batchResult(out: {
  Successful?: { Id?: string | undefined }[] | undefined;
  Failed?:
    | {
        Id?: string | undefined;
        Code?: string | undefined;
        Message?: string | undefined;
        SenderFault?: boolean | undefined;
      }[]
    | undefined;
}): BatchResult {
  return {
    successful: (out.Successful ?? []).map((s) => s.Id ?? ""),
    failed: (out.Failed ?? []).map((f) => ({
      id: f.Id ?? "",
      code: f.Code ?? "InternalError",
      message: f.Message ?? "",
      senderFault: f.SenderFault ?? false,
    })),
  };
}

function queueMessage(m: Message): QueueMessage {
  const messageAttributes: Record<string, QueueMessageAttribute> = {};
  for (const [name, value] of Object.entries(m.MessageAttributes ?? {})) {
    messageAttributes[name] = {
      DataType: value.DataType ?? "String",
      ...(value.StringValue !== undefined ? { StringValue: value.StringValue } : {}),
      ...(value.BinaryValue !== undefined
        ? { BinaryValue: Buffer.from(value.BinaryValue).toString("base64") }
        : {}),
    };
  }
  return {
    messageId: m.MessageId ?? "",
    receiptHandle: m.ReceiptHandle ?? "",
    body: m.Body ?? "",
    md5OfBody: m.MD5OfBody ?? "",
    attributes: { ...m.Attributes },
    messageAttributes,
  };
}
