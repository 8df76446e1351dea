/** Helpers for the local cloud's integration tests: wait on a condition with a deadline, clients. */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { EventBridgeClient } from "@aws-sdk/client-eventbridge";
import { SNSClient } from "@aws-sdk/client-sns";
import { SQSClient } from "@aws-sdk/client-sqs";

export class WaitTimeoutError extends Error {
  override readonly name = "WaitTimeoutError";
}

/**
 * Polls `probe` until it returns a value other than `undefined`/`false`, or fails after
 * `timeoutMs` with `what` and the last value seen.
 */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined | false> | T | undefined | false,
  { timeoutMs = 30_000, intervalMs = 50 }: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
      last = value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) {
      throw new WaitTimeoutError(
        `Timed out after ${timeoutMs} ms waiting for ${what}; last: ${String(last)}`,
      );
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

const credentials = { accessKeyId: "test", secretAccessKey: "test" };

/** Real AWS SDK v3 clients pointed at one local endpoint. */
export function clientsFor(endpoint: string, region = "us-east-1") {
  const config = { endpoint, region, credentials };
  return {
    sqs: new SQSClient(config),
    sns: new SNSClient(config),
    dynamodb: new DynamoDBClient(config),
    events: new EventBridgeClient(config),
  };
}
