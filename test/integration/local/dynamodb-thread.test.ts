/**
 * The DynamoDB thread: dynalite runs in a worker thread of its own behind the gateway's one port
 * (real SDK requests), keeps its LevelDB store across a restart with a data directory (a clean
 * stop flushes it), and a crash of the thread is a clear error for every request, never a hang.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { threadId } from "node:worker_threads";
import {
  BatchWriteItemCommand,
  ConditionalCheckFailedException,
  CreateTableCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  ScanCommand,
} from "@aws-sdk/client-dynamodb";
import { afterAll, describe, expect, it } from "vitest";
import { startDynamoBackend } from "../../../local/backends/dynalite.ts";
import { startGateway } from "../../../local/gateway/server.ts";
import { clientsFor, waitFor } from "./support.ts";

const table = (name: string) =>
  new CreateTableCommand({
    TableName: name,
    AttributeDefinitions: [
      { AttributeName: "pk", AttributeType: "S" },
      { AttributeName: "sk", AttributeType: "N" },
    ],
    KeySchema: [
      { AttributeName: "pk", KeyType: "HASH" },
      { AttributeName: "sk", KeyType: "RANGE" },
    ],
    BillingMode: "PAY_PER_REQUEST",
  });

/** 100 items of one partition, in BatchWriteItem calls of 25. */
async function writeHundred(ddb: DynamoDBClient, name: string): Promise<void> {
  for (let batch = 0; batch < 4; batch++) {
    const items = Array.from({ length: 25 }, (_, i) => ({
      PutRequest: { Item: { pk: { S: "stream#1" }, sk: { N: String(batch * 25 + i) } } },
    }));
    const { UnprocessedItems } = await ddb.send(
      new BatchWriteItemCommand({ RequestItems: { [name]: items } }),
    );
    expect(UnprocessedItems ?? {}).toEqual({});
  }
}

describe("the DynamoDB thread", () => {
  const dataDir = mkdtempSync(join(tmpdir(), "buzzville-ddb-"));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it("serves the real SDK on the gateway's one port: items, queries and DynamoDB's own errors", async () => {
    const gateway = await startGateway({ port: 0 });
    try {
      const { dynamodb } = clientsFor(gateway.url);
      await dynamodb.send(table("served"));
      await writeHundred(dynamodb, "served");
      const { Items = [], Count } = await dynamodb.send(
        new QueryCommand({
          TableName: "served",
          KeyConditionExpression: "pk = :pk AND sk >= :from",
          ExpressionAttributeValues: { ":pk": { S: "stream#1" }, ":from": { N: "90" } },
        }),
      );
      expect(Count).toBe(10);
      expect(Items.map((i) => i.sk?.N)).toEqual([
        "90",
        "91",
        "92",
        "93",
        "94",
        "95",
        "96",
        "97",
        "98",
        "99",
      ]);
      const duplicate = dynamodb.send(
        new PutItemCommand({
          TableName: "served",
          Item: { pk: { S: "stream#1" }, sk: { N: "5" } },
          ConditionExpression: "attribute_not_exists(pk)",
        }),
      );
      await expect(duplicate).rejects.toBeInstanceOf(ConditionalCheckFailedException);
      expect(gateway.requests.snapshot()).toMatchObject({
        client: { dynamodb: { BatchWriteItem: 4, Query: 1, PutItem: 1 } },
      });
    } finally {
      await gateway.stop();
    }
  });

  it("serves the local cloud's functions on its own port: the same tables, counted with the gateway's requests", async () => {
    const gateway = await startGateway({ port: 0 });
    try {
      const viaGateway = clientsFor(gateway.url).dynamodb;
      const direct = clientsFor(gateway.dynamodbEndpoint).dynamodb;
      expect(gateway.dynamodbEndpoint).not.toBe(gateway.url);
      await viaGateway.send(table("shared"));
      await direct.send(
        new PutItemCommand({ TableName: "shared", Item: { pk: { S: "s" }, sk: { N: "1" } } }),
      );
      const { Item } = await viaGateway.send(
        new GetItemCommand({ TableName: "shared", Key: { pk: { S: "s" }, sk: { N: "1" } } }),
      );
      expect(Item?.pk?.S).toBe("s");
      const duplicate = direct.send(
        new PutItemCommand({
          TableName: "shared",
          Item: { pk: { S: "s" }, sk: { N: "1" } },
          ConditionExpression: "attribute_not_exists(pk)",
        }),
      );
      await expect(duplicate).rejects.toBeInstanceOf(ConditionalCheckFailedException);
      // The thread reports its counts once per turn of its event loop.
      await waitFor("the direct requests counted", () => {
        const counts = gateway.requests.snapshot().client.dynamodb ?? {};
        return counts.PutItem === 2;
      });
      expect(gateway.requests.snapshot().client.dynamodb).toEqual({
        CreateTable: 1,
        PutItem: 2,
        GetItem: 1,
      });
      viaGateway.destroy();
      direct.destroy();
    } finally {
      await gateway.stop();
    }
  });

  it("keeps the store across a restart with a data directory: stop flushes and closes LevelDB", async () => {
    const first = await startGateway({ port: 0, dataDir });
    const a = clientsFor(first.url);
    await a.dynamodb.send(table("kept"));
    await writeHundred(a.dynamodb, "kept");
    await first.stop(); // at once after the last write

    const second = await startGateway({ port: 0, dataDir });
    try {
      const b = clientsFor(second.url);
      const { Count } = await b.dynamodb.send(new ScanCommand({ TableName: "kept" }));
      expect(Count).toBe(100);
      const { Item } = await b.dynamodb.send(
        new GetItemCommand({ TableName: "kept", Key: { pk: { S: "stream#1" }, sk: { N: "99" } } }),
      );
      expect(Item?.sk?.N).toBe("99");
    } finally {
      await second.stop();
    }
  });

  describe("when the thread dies", () => {
    let server: Server | undefined;
    afterAll(() => server?.close());

    it("every request gets a 500 naming the DynamoDB thread; stop() still resolves", async () => {
      const backend = await startDynamoBackend();
      expect(backend.thread.threadId).not.toBe(threadId);
      // The gateway's part, reduced to the backend's request handler (the fault needs the thread).
      server = createServer((req, res) => backend.handle(req, res));
      await new Promise<void>((resolve) => server?.listen(0, "127.0.0.1", resolve));
      const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const ddb = new DynamoDBClient({
        endpoint,
        region: "us-east-1",
        credentials: { accessKeyId: "test", secretAccessKey: "test" },
        maxAttempts: 1,
      });
      await ddb.send(table("doomed"));

      await backend.thread.terminate(); // the fault: the thread is gone
      const after = ddb.send(
        new GetItemCommand({ TableName: "doomed", Key: { pk: { S: "a" }, sk: { N: "1" } } }),
      );
      await expect(after).rejects.toMatchObject({
        name: "InternalServerError",
        $metadata: { httpStatusCode: 500 },
        message: expect.stringMatching(
          /The DynamoDB thread \(dynalite\) stopped unexpectedly: exit code 1\. DynamoDB requests fail until the local cloud is restarted/,
        ),
      });
      await backend.stop();
      ddb.destroy();
    });
  });
});
