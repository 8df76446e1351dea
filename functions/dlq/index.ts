/**
 * The DLQ tool for the CLI and the local cloud: `dlqTool({ sqs, documents, readModelsTable })`.
 */
import { MetricUnit } from "@aws-lambda-powertools/metrics";
import type { SQSClient } from "@aws-sdk/client-sqs";
import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { DynamoDbDocumentStore } from "../shared/dynamodb-documents.ts";
import { observability } from "../shared/observability.ts";
import { SqsQueues } from "./sqs-adapter.ts";
import { DlqTool } from "./tool.ts";

export type { DlqEntry, RedriveResult } from "./tool.ts";
export { DlqTool } from "./tool.ts";

export function dlqTool(options: {
  readonly sqs: SQSClient;
  readonly documents: DynamoDBDocumentClient;
  readonly readModelsTable: string;
  /** @default emits the EMF metric `DlqMessages` (Count) with dimension `Queue` */
  readonly onCount?: (dlq: string, count: number) => void;
}): DlqTool {
  return new DlqTool({
    queues: new SqsQueues(options.sqs),
    docs: new DynamoDbDocumentStore(options.documents, options.readModelsTable),
    onCount: options.onCount ?? emitDlqMetric,
  });
}

function emitDlqMetric(dlq: string, count: number): void {
  const m = observability("dlq").metrics.singleMetric();
  m.addDimension("Queue", dlq);
  m.addMetric("DlqMessages", MetricUnit.Count, count);
}
