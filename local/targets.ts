/**
 * The EventBridge emulator's TargetDispatcher (local/eventbridge/types.ts). SQS targets go
 * straight to the queues through the queue port (local/queues/port.ts): one SendMessage per
 * event and target, as EventBridge sends it, with no SDK in between. SNS targets use an SDK
 * client served in process by the embedded fauxqs. Lambda targets go to the local Lambda
 * runner. Every method rejects when delivery fails, which triggers the rule target's retry policy
 * and then its DLQ.
 */
import { PublishCommand, SNSClient, type SNSClientConfig } from "@aws-sdk/client-sns";
import type { SqsSendOptions, TargetDispatcher } from "./eventbridge/index.ts";
import { type QueuePort, requireQueueArn } from "./queues/port.ts";

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

export function createEventTargets(options: {
  readonly endpoint: string;
  readonly region: string;
  readonly invokeLambda: LambdaInvoker;
  /** The queues SQS targets are delivered to (the gateway's `queuePort()`). */
  readonly queues: QueuePort;
  /**
   * Serves the SNS requests in process (the gateway's `queueRequestHandler()`); over HTTP
   * through the endpoint when omitted.
   */
  readonly requestHandler?: SNSClientConfig["requestHandler"];
}): TargetDispatcher & { destroy(): void } {
  const sns = new SNSClient({
    endpoint: options.endpoint,
    region: options.region,
    credentials: LOCAL_CREDENTIALS,
    ...(options.requestHandler ? { requestHandler: options.requestHandler } : {}),
  });
  return {
    async sendToSqs(queueArn: string, body: string, send: SqsSendOptions = {}) {
      try {
        requireQueueArn(queueArn);
      } catch (cause) {
        // A malformed ARN never gets better: permanent, not retried.
        throw new TargetDeliveryError(cause instanceof Error ? cause.message : String(cause), {
          cause,
          retryable: false,
        });
      }
      const out = await options.queues.sendMessage(queueArn, {
        body,
        messageGroupId: send.messageGroupId,
        messageDeduplicationId: send.messageDeduplicationId,
        messageAttributes: send.messageAttributes,
        traceHeader: send.traceHeader,
      });
      return { messageId: out.messageId };
    },
    async publishToSns(topicArn: string, message: string) {
      const out = await sns.send(new PublishCommand({ TopicArn: topicArn, Message: message }));
      return { messageId: out.MessageId };
    },
    async invokeLambda(functionArn: string, payloadJson: string) {
      await options.invokeLambda(functionArn, payloadJson);
    },
    destroy() {
      sns.destroy();
    },
  };
}
