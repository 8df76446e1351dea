/** `--data-dir`: DynamoDB, SQS and SNS state survive a restart of the local cloud. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  CreateTableCommand,
  GetItemCommand,
  PutItemCommand,
  waitUntilTableExists,
} from "@aws-sdk/client-dynamodb";
import { CreateTopicCommand, ListTopicsCommand } from "@aws-sdk/client-sns";
import {
  CreateQueueCommand,
  GetQueueUrlCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
} from "@aws-sdk/client-sqs";
import { afterAll, describe, expect, it } from "vitest";
import { startGateway } from "../../../local/gateway/server.ts";
import { clientsFor } from "./support.ts";

describe("local cloud with --data-dir", () => {
  const dataDir = mkdtempSync(join(tmpdir(), "buzzville-data-"));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it("keeps tables, items, queues, messages and topics across a restart, with URLs on the new port", async () => {
    const first = await startGateway({ port: 0, dataDir });
    const a = clientsFor(first.url);
    await a.dynamodb.send(
      new CreateTableCommand({
        TableName: "kept",
        AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }],
        KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }],
        BillingMode: "PAY_PER_REQUEST",
      }),
    );
    // As on AWS, a client writes once the table is ACTIVE (locally CreateTable answers when it
    // is: local/backends/dynalite-thread.ts), so the waiter's first look finds it.
    await waitUntilTableExists(
      { client: a.dynamodb, maxWaitTime: 30, minDelay: 1, maxDelay: 1 },
      { TableName: "kept" },
    );
    await a.dynamodb.send(
      new PutItemCommand({ TableName: "kept", Item: { pk: { S: "stream#1" } } }),
    );
    const { QueueUrl } = await a.sqs.send(new CreateQueueCommand({ QueueName: "kept-queue" }));
    await a.sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "survivor" }));
    await a.sns.send(new CreateTopicCommand({ Name: "kept-topic" }));
    await first.stop();

    const second = await startGateway({ port: 0, dataDir });
    try {
      const b = clientsFor(second.url);
      const { Item } = await b.dynamodb.send(
        new GetItemCommand({ TableName: "kept", Key: { pk: { S: "stream#1" } } }),
      );
      expect(Item?.pk?.S).toBe("stream#1");
      const { QueueUrl: again } = await b.sqs.send(
        new GetQueueUrlCommand({ QueueName: "kept-queue" }),
      );
      expect(again).toBe(`${second.url}/000000000000/kept-queue`);
      const { Messages = [] } = await b.sqs.send(new ReceiveMessageCommand({ QueueUrl: again }));
      expect(Messages.map((m) => m.Body)).toEqual(["survivor"]);
      const { Topics = [] } = await b.sns.send(new ListTopicsCommand({}));
      expect(Topics.map((t) => t.TopicArn)).toContain(
        "arn:aws:sns:us-east-1:000000000000:kept-topic",
      );
    } finally {
      await second.stop();
    }
  });
});
