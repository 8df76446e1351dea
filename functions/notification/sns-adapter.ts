/**
 * SNS adapter of the zone channel (the citizen-alerts topic): PublishBatch through
 * functions/shared/sns-topic.ts.
 */
import type { PublishBatchRequestEntry, SNSClient } from "@aws-sdk/client-sns";
import { DownstreamError } from "../shared/errors.ts";
import { SnsTopic, stringAttributes } from "../shared/sns-topic.ts";
import type { RefusedMessage, ZoneChannel, ZoneMessage } from "./channel.ts";

export class SnsZoneChannel implements ZoneChannel {
  private readonly topic: SnsTopic;

  constructor(client: SNSClient, topicArn: string) {
    this.topic = new SnsTopic(client, topicArn);
  }

  async publishBatch(
    messages: readonly ZoneMessage[],
    signal: AbortSignal,
  ): Promise<{ failed: RefusedMessage[] }> {
    const refused = await this.topic.publishBatch(
      messages,
      (m) => this.entryOf(m),
      (chunk) => `for zone(s) ${chunk.map((m) => m.zone).join(", ")}`,
      signal,
    );
    return {
      failed: refused.map(({ item, code, message }) => ({
        zone: item.zone,
        error: new DownstreamError(
          `SNS refused the message for zone ${item.zone} on ${this.topic.arn}: ${code}: ${message}`,
        ),
      })),
    };
  }

  private entryOf(message: ZoneMessage): Omit<PublishBatchRequestEntry, "Id"> {
    return {
      Message: JSON.stringify(message.body),
      MessageAttributes: stringAttributes({
        zone: message.zone,
        priority: message.priority,
        alertType: message.alertType,
        messageKey: message.messageKey,
        ...(message.possibleDuplicate ? { possibleDuplicate: "true" } : {}),
      }),
      ...(this.topic.fifo
        ? { MessageGroupId: message.zone, MessageDeduplicationId: message.messageKey }
        : {}),
    };
  }
}
