/**
 * The local deployment's CreateTable inputs: the keys and indexes the CDK stack gives its tables
 * (infra/tables.ts), on-demand billing. Used by local/deploy.ts.
 */
import type { CreateTableCommandInput } from "@aws-sdk/client-dynamodb";
import { SHARED_IDS } from "../infra/resources.ts";
import {
  EVENTS_TABLE_KEYS,
  IDEMPOTENCY_TABLE_KEYS,
  READ_MODELS_TABLE_KEYS,
} from "../infra/tables.ts";

/** The three tables' inputs, by their physical names (`names[logical id]`). */
export function tableInputs(names: Record<string, string>): CreateTableCommandInput[] {
  const s = (AttributeName: string) => ({ AttributeName, AttributeType: "S" as const });
  const e = EVENTS_TABLE_KEYS;
  return [
    {
      TableName: names[SHARED_IDS.eventsTable],
      BillingMode: "PAY_PER_REQUEST",
      AttributeDefinitions: [
        s(e.partitionKey),
        s(e.sortKey),
        s(e.timeIndex.partitionKey),
        s(e.timeIndex.sortKey),
      ],
      KeySchema: [
        { AttributeName: e.partitionKey, KeyType: "HASH" },
        { AttributeName: e.sortKey, KeyType: "RANGE" },
      ],
      GlobalSecondaryIndexes: [
        {
          IndexName: e.timeIndex.name,
          KeySchema: [
            { AttributeName: e.timeIndex.partitionKey, KeyType: "HASH" },
            { AttributeName: e.timeIndex.sortKey, KeyType: "RANGE" },
          ],
          Projection: { ProjectionType: "ALL" },
        },
      ],
    },
    {
      TableName: names[SHARED_IDS.readModelsTable],
      BillingMode: "PAY_PER_REQUEST",
      AttributeDefinitions: [
        s(READ_MODELS_TABLE_KEYS.partitionKey),
        s(READ_MODELS_TABLE_KEYS.sortKey),
      ],
      KeySchema: [
        { AttributeName: READ_MODELS_TABLE_KEYS.partitionKey, KeyType: "HASH" },
        { AttributeName: READ_MODELS_TABLE_KEYS.sortKey, KeyType: "RANGE" },
      ],
    },
    {
      TableName: names[SHARED_IDS.idempotencyTable],
      BillingMode: "PAY_PER_REQUEST",
      AttributeDefinitions: [s(IDEMPOTENCY_TABLE_KEYS.partitionKey)],
      KeySchema: [{ AttributeName: IDEMPOTENCY_TABLE_KEYS.partitionKey, KeyType: "HASH" }],
    },
  ];
}
