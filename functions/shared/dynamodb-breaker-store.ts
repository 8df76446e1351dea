/**
 * DynamoDB adapter of the breaker's shared state, on the read-models table
 * (item pk = "breaker#<name>", sk = "state"). Document client injected.
 */
import { type DynamoDBDocumentClient, GetCommand, PutCommand } from "@aws-sdk/lib-dynamodb";
import { READ_MODELS_TABLE_KEYS as K } from "../../infra/tables.ts";
import type { BreakerState, BreakerStatus, BreakerStore } from "./breaker.ts";
import { DownstreamError } from "./errors.ts";

export class DynamoDbBreakerStore implements BreakerStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async get(name: string): Promise<BreakerState | undefined> {
    const out = await this.client.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { [K.partitionKey]: `breaker#${name}`, [K.sortKey]: "state" },
        ConsistentRead: true,
      }),
    );
    if (!out.Item) return undefined;
    return {
      status: out.Item.status as BreakerStatus,
      failures: Number(out.Item.failures),
      since: Number(out.Item.since),
      version: Number(out.Item.version),
    };
  }

  async put(name: string, state: BreakerState, expectedVersion: number): Promise<boolean> {
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            [K.partitionKey]: `breaker#${name}`,
            [K.sortKey]: "state",
            kind: "breaker",
            ...state,
          },
          ConditionExpression:
            expectedVersion === 0 ? "attribute_not_exists(#pk) OR #version = :v" : "#version = :v",
          ExpressionAttributeNames: {
            "#version": "version",
            ...(expectedVersion === 0 ? { "#pk": K.partitionKey } : {}),
          },
          ExpressionAttributeValues: { ":v": expectedVersion },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof Error && error.name === "ConditionalCheckFailedException") return false;
      throw new DownstreamError(
        `Could not write circuit breaker "${name}" state to table "${this.tableName}": ${error instanceof Error ? error.message : String(error)}`,
        { cause: error },
      );
    }
  }
}
