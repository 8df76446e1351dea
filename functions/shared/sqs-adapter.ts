/** SQS adapter of the handler kit (ChangeMessageVisibility for backoff). Client injected. */
import {
  ChangeMessageVisibilityBatchCommand,
  GetQueueUrlCommand,
  type SQSClient,
} from "@aws-sdk/client-sqs";
import type { VisibilityPort } from "./backoff.ts";
import { DownstreamError } from "./errors.ts";

export class SqsVisibility implements VisibilityPort {
  private readonly urls = new Map<string, string>();
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

  private async queueUrl(arn: string): Promise<string> {
    const cached = this.urls.get(arn);
    if (cached) return cached;
    const parts = arn.split(":");
    const name = parts[5];
    const account = parts[4];
    if (parts.length !== 6 || parts[2] !== "sqs" || !name) {
      throw new DownstreamError(
        `eventSourceARN ${JSON.stringify(arn)} is not an SQS queue ARN (arn:aws:sqs:<region>:<account>:<name>)`,
      );
    }
    const out = await this.client.send(
      new GetQueueUrlCommand({
        QueueName: name,
        ...(account ? { QueueOwnerAWSAccountId: account } : {}),
      }),
    );
    if (!out.QueueUrl) throw new DownstreamError(`GetQueueUrl returned no URL for queue ${name}`);
    this.urls.set(arn, out.QueueUrl);
    return out.QueueUrl;
  }
}
