/**
 * The EventBridge emulator's TargetDispatcher (local/eventbridge/types.ts): delivers rule targets
 * through the gateway with real SDK clients — the same path a user's code takes. Lambda targets
 * go to the local Lambda runner. Every method rejects when delivery fails, which triggers the
 * rule target's retry policy and then its DLQ.
 */
import { PublishCommand, SNSClient } from "@aws-sdk/client-sns";
import { SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import type { SqsSendOptions, TargetDispatcher } from "./eventbridge/index.ts";

export class TargetDeliveryError extends Error {
  override readonly name = "TargetDeliveryError";
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

export type LambdaInvoker = (functionArn: string, payload: string) => Promise<void>;

/** `arn:aws:sqs:us-east-1:000000000000:name` -> `<endpoint>/000000000000/name`. */
export function queueUrlOfArn(endpoint: string, queueArn: string): string {
  const parts = queueArn.split(":");
  const account = parts[4];
  const name = parts[5];
  if (parts[0] !== "arn" || parts[2] !== "sqs" || !account || !name) {
    throw new TargetDeliveryError(
      `"${queueArn}" is not an SQS queue ARN (expected arn:aws:sqs:<region>:<account>:<name>)`,
    );
  }
  return `${endpoint}/${account}/${name}`;
}

export function createEventTargets(options: {
  readonly endpoint: string;
  readonly region: string;
  readonly invokeLambda: LambdaInvoker;
}): TargetDispatcher & { destroy(): void } {
  const config = {
    endpoint: options.endpoint,
    region: options.region,
    credentials: { accessKeyId: "local", secretAccessKey: "local" },
  };
  const sqs = new SQSClient(config);
  const sns = new SNSClient(config);
  return {
    async sendToSqs(queueArn: string, body: string, send: SqsSendOptions = {}) {
      const out = await sqs.send(
        new SendMessageCommand({
          QueueUrl: queueUrlOfArn(options.endpoint, queueArn),
          MessageBody: body,
          MessageGroupId: send.messageGroupId,
          MessageDeduplicationId: send.messageDeduplicationId,
          MessageAttributes: send.messageAttributes,
        }),
      );
      return { messageId: out.MessageId };
    },
    async publishToSns(topicArn: string, message: string) {
      const out = await sns.send(new PublishCommand({ TopicArn: topicArn, Message: message }));
      return { messageId: out.MessageId };
    },
    async invokeLambda(functionArn: string, payloadJson: string) {
      await options.invokeLambda(functionArn, payloadJson);
    },
    destroy() {
      sqs.destroy();
      sns.destroy();
    },
  };
}
