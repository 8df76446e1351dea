/** SNS adapter of the zone channel (the citizen-alerts topic). Client injected. */
import { PublishCommand, type SNSClient } from "@aws-sdk/client-sns";
import { DownstreamError } from "../shared/errors.ts";
import type { ZoneChannel, ZoneMessage } from "./channel.ts";

export class SnsZoneChannel implements ZoneChannel {
  constructor(
    private readonly client: SNSClient,
    private readonly topicArn: string,
  ) {}

  async publish(message: ZoneMessage, signal: AbortSignal): Promise<void> {
    try {
      await this.client.send(
        new PublishCommand({
          TopicArn: this.topicArn,
          Message: JSON.stringify(message.body),
          MessageAttributes: {
            zone: { DataType: "String", StringValue: message.zone },
            priority: { DataType: "String", StringValue: message.priority },
            alertType: { DataType: "String", StringValue: message.alertType },
            messageKey: { DataType: "String", StringValue: message.messageKey },
            ...(message.possibleDuplicate
              ? { possibleDuplicate: { DataType: "String", StringValue: "true" } }
              : {}),
          },
          ...(this.topicArn.endsWith(".fifo")
            ? { MessageGroupId: message.zone, MessageDeduplicationId: message.messageKey }
            : {}),
        }),
        { abortSignal: signal },
      );
    } catch (error) {
      throw new DownstreamError(
        `SNS Publish to ${this.topicArn} for zone ${message.zone} failed: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`,
        { cause: error },
      );
    }
  }
}
