/** SQS adapter of the handler kit (ChangeMessageVisibility for backoff). Client injected. */
import { ChangeMessageVisibilityBatchCommand, type SQSClient } from "@aws-sdk/client-sqs";
import type { VisibilityPort } from "./backoff.ts";
import { queueUrlOf } from "./dead-letter.ts";
import { DownstreamError } from "./errors.ts";

export class SqsVisibility implements VisibilityPort {
  private readonly urls = new Map<string, Promise<string>>();
  constructor(private readonly client: SQSClient) {}

  async changeVisibility(
    changes: readonly { queueArn: string; receiptHandle: string; seconds: number }[],
  ): Promise<void> {
    const byQueue = new Map<string, { receiptHandle: string; seconds: number }[]>();
    for (const c of changes) {
      const list = byQueue.get(c.queueArn) ?? [];
      list.push(c);
      byQueue.set(c.queueArn, list);
    }
    for (const [arn, list] of byQueue) {
      const url = await this.queueUrl(arn);
      for (let i = 0; i < list.length; i += 10) {
        const chunk = list.slice(i, i + 10);
        const out = await this.client.send(
          new ChangeMessageVisibilityBatchCommand({
            QueueUrl: url,
            Entries: chunk.map((c, j) => ({
              Id: String(i + j),
              ReceiptHandle: c.receiptHandle,
              VisibilityTimeout: c.seconds,
            })),
          }),
        );
        if (out.Failed && out.Failed.length > 0) {
          throw new DownstreamError(
            `ChangeMessageVisibilityBatch on ${url} failed for ${out.Failed.length} of ${chunk.length} entries: ${out.Failed.map((f) => `${f.Code}: ${f.Message}`).join("; ")}`,
          );
        }
      }
    }
  }

  private queueUrl(arn: string): Promise<string> {
    return queueUrlOf(this.client, arn, this.urls);
  }
}
