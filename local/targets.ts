/**
 * The EventBridge emulator's TargetDispatcher (local/eventbridge/types.ts): delivers rule targets
 * with real SDK clients, whose requests are served in process by the embedded fauxqs (same
 * serialization and errors as over HTTP). Lambda targets
 * go to the local Lambda runner. Every method rejects when delivery fails, which triggers the
 * rule target's retry policy and then its DLQ.
 */
import { PublishCommand, SNSClient } from "@aws-sdk/client-sns";
import { SendMessageCommand, SQSClient, type SQSClientConfig } from "@aws-sdk/client-sqs";
import type { SqsSendOptions, TargetDispatcher } from "./eventbridge/index.ts";

/** The local cloud checks no signature: any credentials do; these are the ones it uses itself. */
export const LOCAL_CREDENTIALS = { accessKeyId: "local", secretAccessKey: "local" } as const;

export class TargetDeliveryError extends Error {
  override readonly name = "TargetDeliveryError";
  /** Read by the EventBridge engine (`isRetriable`): false sends the event to the target's DLQ at once. */
  readonly retryable: boolean;
  constructor(message: string, options?: { cause?: unknown; retryable?: boolean }) {
    super(message, options);
    this.retryable = options?.retryable ?? true;
  }
}

export type LambdaInvoker = (functionArn: string, payload: string) => Promise<void>;

/** `arn:aws:sqs:us-east-1:000000000000:name` -> `<endpoint>/000000000000/name`. */
export function queueUrlOfArn(endpoint: string, queueArn: string): string {
  const parts = queueArn.split(":");
  const account = parts[4];
  const name = parts[5];
  if (parts[0] !== "arn" || parts[2] !== "sqs" || !account || !name) {
    // A malformed ARN never gets better: permanent, not retried.
    throw new TargetDeliveryError(
      `"${queueArn}" is not an SQS queue ARN (expected arn:aws:sqs:<region>:<account>:<name>)`,
      { retryable: false },
    );
  }
  return `${endpoint}/${account}/${name}`;
}

export function createEventTargets(options: {
  readonly endpoint: string;
  readonly region: string;
  readonly invokeLambda: LambdaInvoker;
  /**
   * Serves the SQS/SNS requests in process (the gateway's `queueRequestHandler()`); over HTTP
   * through the endpoint when omitted. Same SDK serialization and errors either way.
   */
  readonly requestHandler?: SQSClientConfig["requestHandler"];
}): TargetDispatcher & { destroy(): void } {
  const config = {
    endpoint: options.endpoint,
    region: options.region,
    credentials: LOCAL_CREDENTIALS,
    ...(options.requestHandler ? { requestHandler: options.requestHandler } : {}),
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
