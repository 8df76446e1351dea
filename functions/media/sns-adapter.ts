/** SNS adapter of the media channel (the media posts topic, functions/shared/sns-topic.ts). */
import type { SNSClient } from "@aws-sdk/client-sns";
import { SnsTopic, stringAttributes } from "../shared/sns-topic.ts";
import type { MediaChannel, MediaPost } from "./channel.ts";

export class SnsMediaChannel implements MediaChannel {
  private readonly topic: SnsTopic;

  constructor(client: SNSClient, topicArn: string) {
    this.topic = new SnsTopic(client, topicArn);
  }

  publish(post: MediaPost, signal: AbortSignal): Promise<void> {
    return this.topic.publish(
      `media post ${post.postId}`,
      {
        Subject: post.headline.slice(0, 99),
        Message: JSON.stringify(post),
        MessageAttributes: stringAttributes({ zone: post.zone }),
      },
      signal,
    );
  }
}
