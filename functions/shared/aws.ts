/**
 * AWS SDK v3 clients for a service, built at first use: captured by the Tracer, with a request
 * timeout on every call. Region from AWS_REGION; locally AWS_ENDPOINT_URL points the SDK at the
 * local cloud (the SDK reads it itself).
 */

import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { EventBridgeClient } from "@aws-sdk/client-eventbridge";
import { SNSClient } from "@aws-sdk/client-sns";
import { SQSClient } from "@aws-sdk/client-sqs";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { withoutSdkLogging } from "../../events/sdk-logging.ts";
import { platformConfig } from "./config.ts";
import type { CityTracer } from "./observability.ts";

/** Time budgets of AWS calls (ms). */
export const AWS_TIMEOUTS = { connectionTimeout: 1_000, requestTimeout: 3_000 } as const;

export interface AwsClients {
  readonly dynamodb: DynamoDBClient;
  readonly documents: DynamoDBDocumentClient;
  readonly sqs: SQSClient;
  readonly sns: SNSClient;
  readonly eventBridge: EventBridgeClient;
}

export function awsClients(tracer: CityTracer): AwsClients {
  const common = {
    region: platformConfig().AWS_REGION,
    maxAttempts: 3,
    requestHandler: { ...AWS_TIMEOUTS },
  };
  const dynamodb = tracer.captureAWSv3Client(withoutSdkLogging(new DynamoDBClient(common)));
  let sqs: SQSClient | undefined;
  let sns: SNSClient | undefined;
  let eventBridge: EventBridgeClient | undefined;
  return {
    dynamodb,
    documents: DynamoDBDocumentClient.from(dynamodb, {
      marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: true },
    }),
    get sqs() {
      sqs ??= tracer.captureAWSv3Client(withoutSdkLogging(new SQSClient(common)));
      return sqs;
    },
    get sns() {
      sns ??= tracer.captureAWSv3Client(withoutSdkLogging(new SNSClient(common)));
      return sns;
    },
    get eventBridge() {
      // The publisher retries failed entries itself (with backoff); SDK retries would multiply them.
      eventBridge ??= tracer.captureAWSv3Client(
        withoutSdkLogging(new EventBridgeClient({ ...common, maxAttempts: 1 })),
      );
      return eventBridge;
    },
  };
}
