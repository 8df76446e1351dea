/** DynamoDB adapter of the read-model DocumentStore (read-models table). Client injected. */
import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from "@aws-sdk/lib-dynamodb";
import { READ_MODELS_TABLE_KEYS as K } from "../../infra/tables.ts";
import { DocumentConflictError, type DocumentStore, type Versioned } from "./documents.ts";
import { DownstreamError } from "./errors.ts";

export class DynamoDbDocumentStore implements DocumentStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async get<T>(pk: string, sk: string): Promise<Versioned<T> | undefined> {
    const out = await this.call(`get ${pk}/${sk}`, () =>
      this.client.send(
        new GetCommand({
          TableName: this.tableName,
          Key: { [K.partitionKey]: pk, [K.sortKey]: sk },
          ConsistentRead: true,
        }),
      ),
    );
    if (!out.Item) return undefined;
    return { value: out.Item.doc as T, version: Number(out.Item.version ?? 0) };
  }

  async put<T>(pk: string, sk: string, value: T, expectedVersion: number): Promise<void> {
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            [K.partitionKey]: pk,
            [K.sortKey]: sk,
            version: expectedVersion + 1,
            doc: value,
          },
          ConditionExpression:
            expectedVersion === 0 ? "attribute_not_exists(#pk)" : "#version = :v",
          ExpressionAttributeNames:
            expectedVersion === 0 ? { "#pk": K.partitionKey } : { "#version": "version" },
          ...(expectedVersion === 0
            ? {}
            : { ExpressionAttributeValues: { ":v": expectedVersion } }),
        }),
      );
    } catch (error) {
      if (error instanceof Error && error.name === "ConditionalCheckFailedException") {
        throw new DocumentConflictError(pk, sk, expectedVersion, { cause: error });
      }
      throw this.failure(`put ${pk}/${sk}`, error);
    }
  }

  async list<T>(pk: string): Promise<{ sk: string; value: T; version: number }[]> {
    const out: { sk: string; value: T; version: number }[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.call(`query ${pk}`, () =>
        this.client.send(
          new QueryCommand({
            TableName: this.tableName,
            KeyConditionExpression: "#pk = :pk",
            ExpressionAttributeNames: { "#pk": K.partitionKey },
            ExpressionAttributeValues: { ":pk": pk },
            ...(start ? { ExclusiveStartKey: start } : {}),
          }),
        ),
      );
      for (const item of page.Items ?? []) {
        out.push({
          sk: String(item[K.sortKey]),
          value: item.doc as T,
          version: Number(item.version ?? 0),
        });
      }
      start = page.LastEvaluatedKey;
    } while (start);
    return out;
  }

  async add(pk: string, sk: string, deltas: Readonly<Record<string, number>>): Promise<void> {
    const entries = Object.entries(deltas);
    if (entries.length === 0) return;
    const names: Record<string, string> = { "#doc": "doc" };
    const values: Record<string, number> = { ":one": 1 };
    const parts = entries.map(([field, delta], i) => {
      names[`#f${i}`] = field;
      values[`:d${i}`] = delta;
      return `#doc.#f${i} :d${i}`;
    });
    // The map must exist before nested ADDs: create it first (idempotent), then add.
    await this.call(`init ${pk}/${sk}`, () =>
      this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { [K.partitionKey]: pk, [K.sortKey]: sk },
          UpdateExpression: "SET #doc = if_not_exists(#doc, :empty)",
          ExpressionAttributeNames: { "#doc": "doc" },
          ExpressionAttributeValues: { ":empty": {} },
        }),
      ),
    );
    await this.call(`add ${pk}/${sk}`, () =>
      this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { [K.partitionKey]: pk, [K.sortKey]: sk },
          UpdateExpression: `ADD ${parts.join(", ")}, #version :one`,
          ExpressionAttributeNames: { ...names, "#version": "version" },
          ExpressionAttributeValues: values,
        }),
      ),
    );
  }

  private async call<R>(what: string, fn: () => Promise<R>): Promise<R> {
    try {
      return await fn();
    } catch (error) {
      throw this.failure(what, error);
    }
  }

  private failure(what: string, error: unknown): DownstreamError {
    return new DownstreamError(
      `Read model ${what} failed on table "${this.tableName}": ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`,
      { cause: error },
    );
  }
}
