/** SNS adapter of the zone channel (the citizen-alerts topic): PublishBatch. Client injected. */
import {
  type MessageAttributeValue,
  PublishBatchCommand,
  type PublishBatchCommandOutput,
  type PublishBatchRequestEntry,
  type SNSClient,
} from "@aws-sdk/client-sns";
import { DownstreamError } from "../shared/errors.ts";
import type { RefusedMessage, ZoneChannel, ZoneMessage } from "./channel.ts";

/** SNS PublishBatch takes at most 10 entries (and 256 KiB) per call. */
const MAX_ENTRIES = 10;

export class SnsZoneChannel implements ZoneChannel {
  constructor(
    private readonly client: SNSClient,
    private readonly topicArn: string,
  ) {}

  async publishBatch(
    messages: readonly ZoneMessage[],
    signal: AbortSignal,
  ): Promise<{ failed: RefusedMessage[] }> {
    const failed: RefusedMessage[] = [];
    for (let i = 0; i < messages.length; i += MAX_ENTRIES) {
      const chunk = messages.slice(i, i + MAX_ENTRIES);
      let out: PublishBatchCommandOutput;
      try {
        out = await this.client.send(
          new PublishBatchCommand({
            TopicArn: this.topicArn,
            PublishBatchRequestEntries: chunk.map((m, k) => this.entryOf(m, k)),
          }),
          { abortSignal: signal },
        );
      } catch (error) {
        throw new DownstreamError(
          `SNS PublishBatch to ${this.topicArn} for zone(s) ${chunk.map((m) => m.zone).join(", ")} failed: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`,
          { cause: error },
        );
      }
      for (const f of out.Failed ?? []) {
        const m = chunk[Number(f.Id)];
        if (!m) continue;
        failed.push({
          zone: m.zone,
          error: new DownstreamError(
            `SNS refused the message for zone ${m.zone} on ${this.topicArn}: ${f.Code ?? "unknown"}: ${f.Message ?? ""}`,
          ),
        });
      }
    }
    return { failed };
  }

  private entryOf(message: ZoneMessage, index: number): PublishBatchRequestEntry {
    const attr = (value: string): MessageAttributeValue => ({
      DataType: "String",
      StringValue: value,
    });
    return {
      Id: String(index),
      Message: JSON.stringify(message.body),
      MessageAttributes: {
        zone: attr(message.zone),
        priority: attr(message.priority),
        alertType: attr(message.alertType),
        messageKey: attr(message.messageKey),
        ...(message.possibleDuplicate ? { possibleDuplicate: attr("true") } : {}),
      },
      ...(this.topicArn.endsWith(".fifo")
        ? { MessageGroupId: message.zone, MessageDeduplicationId: message.messageKey }
        : {}),
    };
  }
}
