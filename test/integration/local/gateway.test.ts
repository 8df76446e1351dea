import {
  CreateTableCommand,
  DescribeTableCommand,
  GetItemCommand,
  PutItemCommand,
  TransactWriteItemsCommand,
} from "@aws-sdk/client-dynamodb";
import {
  CreateEventBusCommand,
  PutEventsCommand,
  PutRuleCommand,
  PutTargetsCommand,
} from "@aws-sdk/client-eventbridge";
import { CreateTopicCommand, PublishCommand, SubscribeCommand } from "@aws-sdk/client-sns";
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
} from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LocalCloud, startLocalCloud } from "../../../local/cloud.ts";
import type { Gateway } from "../../../local/gateway/server.ts";
import { clientsFor, waitFor } from "./support.ts";

describe("local cloud gateway: one port, real AWS wire protocols", () => {
  let cloud: LocalCloud;
  let gateway: Gateway;
  let clients: ReturnType<typeof clientsFor>;

  beforeAll(async () => {
    cloud = await startLocalCloud({ port: 0 });
    gateway = cloud.gateway;
    clients = clientsFor(gateway.url);
  });
  afterAll(async () => {
    await cloud?.stop();
  });

  it("serves EventBridge on the same port, delivering a matched event to an SQS target", async () => {
    const { QueueUrl } = await clients.sqs.send(new CreateQueueCommand({ QueueName: "gw-events" }));
    await clients.events.send(new CreateEventBusCommand({ Name: "gw-bus" }));
    await clients.events.send(
      new PutRuleCommand({
        Name: "gw-fires",
        EventBusName: "gw-bus",
        EventPattern: JSON.stringify({ "detail-type": ["FireAlarmRaised"] }),
      }),
    );
    const targets = await clients.events.send(
      new PutTargetsCommand({
        Rule: "gw-fires",
        EventBusName: "gw-bus",
        Targets: [{ Id: "q", Arn: "arn:aws:sqs:us-east-1:000000000000:gw-events" }],
      }),
    );
    expect(targets.FailedEntryCount).toBe(0);
    const put = await clients.events.send(
      new PutEventsCommand({
        Entries: [
          {
            EventBusName: "gw-bus",
            Source: "buzzville.fire-sensor",
            DetailType: "FireAlarmRaised",
            Detail: '{"zone":"z3"}',
          },
          {
            EventBusName: "gw-bus",
            Source: "buzzville.weather",
            DetailType: "WeatherAlertIssued",
            Detail: '{"zone":"z1"}',
          },
        ],
      }),
    );
    expect(put.FailedEntryCount).toBe(0);
    const message = await waitFor("the fire event in the target queue", async () => {
      const { Messages = [] } = await clients.sqs.send(new ReceiveMessageCommand({ QueueUrl }));
      return Messages[0];
    });
    const event = JSON.parse(message.Body ?? "{}");
    expect(event).toMatchObject({ "detail-type": "FireAlarmRaised", detail: { zone: "z3" } });
    expect(event.id).toBe(put.Entries?.[0]?.EventId);
  });

  it("serves SQS and hands out queue URLs and ARNs that point back at the gateway", async () => {
    const { QueueUrl } = await clients.sqs.send(new CreateQueueCommand({ QueueName: "gw-orders" }));
    expect(QueueUrl).toBe(`${gateway.url}/000000000000/gw-orders`);
    await clients.sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "hello" }));
    const { Messages } = await clients.sqs.send(
      new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 1 }),
    );
    expect(Messages?.[0]?.Body).toBe("hello");
    const { Attributes } = await clients.sqs.send(
      new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["QueueArn"] }),
    );
    expect(Attributes?.QueueArn).toBe("arn:aws:sqs:us-east-1:000000000000:gw-orders");
  });

  it("serves SNS, fanning out to an SQS subscription", async () => {
    const { QueueUrl } = await clients.sqs.send(new CreateQueueCommand({ QueueName: "gw-fanout" }));
    const { TopicArn } = await clients.sns.send(new CreateTopicCommand({ Name: "gw-topic" }));
    await clients.sns.send(
      new SubscribeCommand({
        TopicArn,
        Protocol: "sqs",
        Endpoint: "arn:aws:sqs:us-east-1:000000000000:gw-fanout",
        Attributes: { RawMessageDelivery: "true" },
      }),
    );
    await clients.sns.send(new PublishCommand({ TopicArn, Message: "zone z3 alert" }));
    const { Messages } = await clients.sqs.send(new ReceiveMessageCommand({ QueueUrl }));
    expect(Messages?.[0]?.Body).toBe("zone z3 alert");
  });

  it("serves DynamoDB", async () => {
    await clients.dynamodb.send(
      new CreateTableCommand({
        TableName: "gw-table",
        AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }],
        KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }],
        BillingMode: "PAY_PER_REQUEST",
      }),
    );
    const { Table } = await clients.dynamodb.send(
      new DescribeTableCommand({ TableName: "gw-table" }),
    );
    expect(Table?.TableStatus).toBe("ACTIVE");
    await clients.dynamodb.send(
      new PutItemCommand({ TableName: "gw-table", Item: { pk: { S: "a" }, v: { N: "1" } } }),
    );
    const { Item } = await clients.dynamodb.send(
      new GetItemCommand({ TableName: "gw-table", Key: { pk: { S: "a" } } }),
    );
    expect(Item?.v?.N).toBe("1");
  });

  it("answers an action the emulator lacks with an AWS-shaped error naming it", async () => {
    await expect(
      clients.dynamodb.send(
        new TransactWriteItemsCommand({
          TransactItems: [{ Put: { TableName: "gw-table", Item: { pk: { S: "b" } } } }],
        }),
      ),
    ).rejects.toMatchObject({
      name: "UnknownOperationException",
      message: expect.stringContaining('action "TransactWriteItems"'),
    });
  });

  it("answers an unknown service with an error naming it and the supported ones", async () => {
    const response = await fetch(gateway.url, {
      method: "POST",
      headers: {
        "content-type": "application/x-amz-json-1.1",
        "x-amz-target": "Kinesis_20131202.PutRecord",
        authorization:
          "AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/kinesis/aws4_request, SignedHeaders=host, Signature=x",
      },
      body: "{}",
    });
    expect(response.status).toBe(400);
    const body = (await response.json()) as { __type: string; message: string };
    expect(body.__type).toBe("UnknownOperationException");
    expect(body.message).toContain('action "PutRecord" of service "kinesis"');
    expect(body.message).toContain("Supported services: events, pipes, sqs, sns, dynamodb");
  });

  it("speaks SQS's query protocol (older AWS CLIs) with XML answers", async () => {
    const form = (params: Record<string, string>) =>
      fetch(gateway.url, {
        method: "POST",
        headers: {
          "content-type": "application/x-www-form-urlencoded",
          authorization:
            "AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/sqs/aws4_request, SignedHeaders=host, Signature=x",
        },
        body: new URLSearchParams(params).toString(),
      });
    const created = await (
      await form({
        Action: "CreateQueue",
        QueueName: "gw-query",
        "Attribute.1.Name": "DelaySeconds",
        "Attribute.1.Value": "0",
      })
    ).text();
    const queueUrl = `${gateway.url}/000000000000/gw-query`;
    expect(created).toContain(`<QueueUrl>${queueUrl}</QueueUrl>`);
    await form({ Action: "SendMessage", QueueUrl: queueUrl, MessageBody: "via query" });
    const received = await (
      await form({ Action: "ReceiveMessage", QueueUrl: queueUrl, "AttributeName.1": "All" })
    ).text();
    expect(received).toContain("<Body>via query</Body>");
    expect(received).toContain("<Name>ApproximateReceiveCount</Name><Value>1</Value>");
    const missing = await form({ Action: "GetQueueUrl", QueueName: "gw-nope" });
    expect(missing.status).toBe(400);
    expect(await missing.text()).toContain("<Code>AWS.SimpleQueueService.NonExistentQueue</Code>");
  });
});
