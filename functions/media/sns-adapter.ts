/** SNS adapter of the media channel (the media posts topic). Client injected. */
import { PublishCommand, type SNSClient } from "@aws-sdk/client-sns";
import { DownstreamError } from "../shared/errors.ts";
import type { MediaChannel, MediaPost } from "./channel.ts";

export class SnsMediaChannel implements MediaChannel {
  constructor(
    private readonly client: SNSClient,
    private readonly topicArn: string,
  ) {}

  async publish(post: MediaPost, signal: AbortSignal): Promise<void> {
    try {
      await this.client.send(
        new PublishCommand({
          TopicArn: this.topicArn,
          Subject: post.headline.slice(0, 99),
          Message: JSON.stringify(post),
          MessageAttributes: { zone: { DataType: "String", StringValue: post.zone } },
        }),
        { abortSignal: signal },
      );
    } catch (error) {
      throw new DownstreamError(
        `SNS Publish of media post ${post.postId} to ${this.topicArn} failed: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`,
        { cause: error },
      );
    }
  }
}
