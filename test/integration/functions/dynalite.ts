/** A dynalite server on port 0 with real SDK v3 clients, and the city's table layouts. */
import type { AddressInfo } from "node:net";
import {
  CreateTableCommand,
  type CreateTableCommandInput,
  DynamoDBClient,
  waitUntilTableExists,
} from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import dynalite from "dynalite";

export interface Dynamo {
  readonly client: DynamoDBClient;
  readonly documents: DynamoDBDocumentClient;
  readonly endpoint: string;
  createEventsTable(name: string): Promise<void>;
  createReadModelsTable(name: string): Promise<void>;
  createIdempotencyTable(name: string): Promise<void>;
  close(): Promise<void>;
}

export async function startDynamo(): Promise<Dynamo> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new DynamoDBClient({
    endpoint,
    region: "us-east-1",
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
  });
  const documents = DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true },
  });
  const S = "S" as const;
  // As an AWS client must: write once the table is ACTIVE. Bare dynalite answers CreateTable with
  // CREATING and turns the table ACTIVE a timer later; beside a CPU hog a PutItem in between was
  // refused with ResourceNotFoundException (the local cloud's DynamoDB thread waits for this
  // itself: local/backends/dynalite-thread.ts).
  const createTable = async (input: CreateTableCommandInput) => {
    await client.send(new CreateTableCommand(input));
    await waitUntilTableExists(
      { client, maxWaitTime: 30, minDelay: 1, maxDelay: 1 },
      { TableName: input.TableName },
    );
  };
  return {
    client,
    documents,
    endpoint,
    async createEventsTable(name) {
      await createTable({
        TableName: name,
        BillingMode: "PAY_PER_REQUEST",
        AttributeDefinitions: [
          { AttributeName: "pk", AttributeType: S },
          { AttributeName: "sk", AttributeType: S },
          { AttributeName: "gsi1pk", AttributeType: S },
          { AttributeName: "gsi1sk", AttributeType: S },
        ],
        KeySchema: [
          { AttributeName: "pk", KeyType: "HASH" },
          { AttributeName: "sk", KeyType: "RANGE" },
        ],
        GlobalSecondaryIndexes: [
          {
            IndexName: "gsi1",
            KeySchema: [
              { AttributeName: "gsi1pk", KeyType: "HASH" },
              { AttributeName: "gsi1sk", KeyType: "RANGE" },
            ],
            Projection: { ProjectionType: "ALL" },
          },
        ],
      });
    },
    async createReadModelsTable(name) {
      await createTable({
        TableName: name,
        BillingMode: "PAY_PER_REQUEST",
        AttributeDefinitions: [
          { AttributeName: "pk", AttributeType: S },
          { AttributeName: "sk", AttributeType: S },
        ],
        KeySchema: [
          { AttributeName: "pk", KeyType: "HASH" },
          { AttributeName: "sk", KeyType: "RANGE" },
        ],
      });
    },
    async createIdempotencyTable(name) {
      await createTable({
        TableName: name,
        BillingMode: "PAY_PER_REQUEST",
        AttributeDefinitions: [{ AttributeName: "id", AttributeType: S }],
        KeySchema: [{ AttributeName: "id", KeyType: "HASH" }],
      });
    },
    async close() {
      client.destroy();
      await new Promise<void>((resolve, reject) =>
        server.close((error) => (error ? reject(error) : resolve())),
      );
    },
  };
}
