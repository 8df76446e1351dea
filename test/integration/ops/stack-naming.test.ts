/**
 * Discovery of resources named the way CloudFormation and the CDK name them on AWS
 * (`<stack>-<LogicalId>-<suffix>`, the bus `<stack without dashes>CityBus<hash>`), reached through
 * the standard AWS_ENDPOINT_URL environment variable: `--stack BuzzVille-dev` finds them.
 */
import { CreateTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import {
  CreateArchiveCommand,
  CreateEventBusCommand,
  EventBridgeClient,
  PutEventsCommand,
  PutRuleCommand,
  PutTargetsCommand,
} from "@aws-sdk/client-eventbridge";
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from "@aws-sdk/client-sqs";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main as dlq } from "../../../bin/ops/dlq.ts";
import { main as replay } from "../../../bin/ops/replay.ts";
import { main as stream } from "../../../bin/ops/stream.ts";
import { eventStore } from "../../../functions/event-store/index.ts";
import { type LocalCloud, startLocalCloud } from "../../../local/cloud.ts";
import { capture, waitFor } from "./support.ts";

const STACK = "BuzzVille-dev";
const BUS = "BuzzVilledevCityBus84B85A39";
let cloud: LocalCloud;
let sqs: SQSClient;
let events: EventBridgeClient;
let ddb: DynamoDBClient;
let env: Record<string, string>;
const urls: Record<string, string> = {};

beforeAll(async () => {
  cloud = await startLocalCloud({ port: 0 });
  const config = {
    endpoint: cloud.endpoint,
    region: cloud.region,
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
  };
  sqs = new SQSClient(config);
  events = new EventBridgeClient(config);
  ddb = new DynamoDBClient(config);
  env = { AWS_ENDPOINT_URL: cloud.endpoint, AWS_REGION: cloud.region };

  for (const name of [
    `${STACK}-MediaQueue-A1b2C3d4E5f6`,
    `${STACK}-MediaDlq-F6e5D4c3B2a1`,
    `${STACK}-MediaDlqOld`,
  ]) {
    const out = await sqs.send(new CreateQueueCommand({ QueueName: name }));
    urls[name] = out.QueueUrl ?? "";
  }
  for (const TableName of [`${STACK}-EventsTable-1ABCDEF23456`, `${STACK}-ReadModelsTable-9ZYX`]) {
    await ddb.send(
      new CreateTableCommand({
        TableName,
        BillingMode: "PAY_PER_REQUEST",
        AttributeDefinitions: [
          { AttributeName: "pk", AttributeType: "S" },
          { AttributeName: "sk", AttributeType: "S" },
        ],
        KeySchema: [
          { AttributeName: "pk", KeyType: "HASH" },
          { AttributeName: "sk", KeyType: "RANGE" },
        ],
      }),
    );
  }
  const bus = await events.send(new CreateEventBusCommand({ Name: BUS }));
  await events.send(new CreateEventBusCommand({ Name: "agency-bus" }));
  await events.send(
    new CreateArchiveCommand({
      ArchiveName: "CityBusArchive-7F3A",
      EventSourceArn: bus.EventBusArn,
    }),
  );
  const media = `${STACK}-MediaQueue-A1b2C3d4E5f6`;
  await events.send(
    new PutRuleCommand({
      Name: `${STACK}-MediaRule-QWE123`,
      EventBusName: BUS,
      EventPattern: JSON.stringify({ source: [{ prefix: "buzzville." }] }),
    }),
  );
  await events.send(
    new PutTargetsCommand({
      Rule: `${STACK}-MediaRule-QWE123`,
      EventBusName: BUS,
      Targets: [{ Id: "q", Arn: `arn:aws:sqs:${cloud.region}:000000000000:${media}` }],
    }),
  );
});

afterAll(async () => {
  sqs?.destroy();
  events?.destroy();
  ddb?.destroy();
  await cloud?.stop();
});

const count = async (url: string) =>
  Number(
    (
      await sqs.send(
        new GetQueueAttributesCommand({
          QueueUrl: url,
          AttributeNames: ["ApproximateNumberOfMessages"],
        }),
      )
    ).Attributes?.ApproximateNumberOfMessages ?? 0,
  );

describe("--stack discovery (CloudFormation names) through AWS_ENDPOINT_URL", () => {
  it("finds the stack's DLQ, its source queue and the read-models table, and redrives", async () => {
    const dlqUrl = urls[`${STACK}-MediaDlq-F6e5D4c3B2a1`] ?? "";
    const sourceUrl = urls[`${STACK}-MediaQueue-A1b2C3d4E5f6`] ?? "";
    await sqs.send(new SendMessageCommand({ QueueUrl: dlqUrl, MessageBody: '{"not":"an event"}' }));
    await sqs.send(
      new SendMessageCommand({ QueueUrl: urls[`${STACK}-MediaDlqOld`], MessageBody: "decoy" }),
    );

    const listed = await capture(dlq, ["list", "--stack", STACK], env);
    expect(listed.err).toBe("");
    expect(listed.out).toContain(
      `MediaDlq (${STACK}-MediaDlq-F6e5D4c3B2a1): 1 message(s); redrives to MediaQueue`,
    );
    expect(listed.out).not.toContain("MediaDlqOld");
    expect(listed.out).toContain("1 message(s) in 1 DLQ(s)");

    const moved = await capture(dlq, ["redrive", "--stack", STACK, "--queue", "MediaDlq"], env);
    expect(moved.code).toBe(0);
    expect(moved.out).toContain("done: 1 message(s) moved from MediaDlq to MediaQueue");
    expect(await count(dlqUrl)).toBe(0);
    const back = await sqs.send(new ReceiveMessageCommand({ QueueUrl: sourceUrl }));
    expect(back.Messages?.map((m) => m.Body)).toEqual(['{"not":"an event"}']);
    expect(await count(urls[`${STACK}-MediaDlqOld`] ?? "")).toBe(1);
  });

  it("explicit --queue-url/--source-url/--table skip discovery", async () => {
    const dlqUrl = urls[`${STACK}-MediaDlqOld`] ?? "";
    const sourceUrl = urls[`${STACK}-MediaQueue-A1b2C3d4E5f6`] ?? "";
    const out = await capture(
      dlq,
      [
        "redrive",
        "--queue-url",
        dlqUrl,
        "--source-url",
        sourceUrl,
        "--table",
        `${STACK}-ReadModelsTable-9ZYX`,
      ],
      env,
    );
    expect(out.err).toBe("");
    expect(out.out).toContain(
      `1 message(s) moved from ${STACK}-MediaDlqOld to ${STACK}-MediaQueue`,
    );
    expect(await count(dlqUrl)).toBe(0);
  });

  it("finds the events table of the stack for stream", async () => {
    const table = `${STACK}-EventsTable-1ABCDEF23456`;
    const store = eventStore({ documents: DynamoDBDocumentClient.from(ddb), eventsTable: table });
    await store.append("zone#z9", [
      {
        eventId: "01KAAAAAAAAAAAAAAAAAAAAAAA",
        type: "WeatherAlertIssued",
        source: "buzzville.weather",
        occurredAt: "2026-11-23T10:00:00.000Z",
        streamId: "zone#z9",
        detail: {},
      },
    ]);
    const out = await capture(stream, ["zone#z9", "--stack", STACK], env);
    expect(out.err).toBe("");
    expect(out.out).toContain(`stream zone#z9 (table ${table}): 1 event(s)`);
    expect(out.out).toContain("state at head: ACTIVE (version 1, 1 event(s)");
  });

  it("finds the CDK-named bus and its archive, and replays into it", async () => {
    const from = new Date(Date.now() - 1000).toISOString();
    const put = await events.send(
      new PutEventsCommand({
        Entries: [
          { EventBusName: BUS, Source: "buzzville.weather", DetailType: "Ping", Detail: '{"n":1}' },
        ],
      }),
    );
    expect(put.FailedEntryCount).toBe(0);
    const media = urls[`${STACK}-MediaQueue-A1b2C3d4E5f6`] ?? "";
    const seen: Record<string, unknown>[] = [];
    const receive = async () => {
      const out = await sqs.send(
        new ReceiveMessageCommand({ QueueUrl: media, MaxNumberOfMessages: 10 }),
      );
      seen.push(...(out.Messages ?? []).map((m) => JSON.parse(m.Body ?? "{}")));
    };
    await waitFor("the first delivery", async () => {
      await receive();
      return seen.length > 0;
    });

    const out = await capture(
      replay,
      ["--stack", STACK, "--from", from, "--to", "now", "--rules", "Media", "--poll-ms", "20"],
      env,
    );
    expect(out.err).toBe("");
    expect(out.code).toBe(0);
    expect(out.out).toContain(`CityBusArchive-7F3A [`);
    expect(out.out).toContain(`-> ${BUS} (rules MediaRule)`);
    await waitFor("the replayed copy", async () => {
      await receive();
      return seen.some((e) => typeof e["replay-name"] === "string");
    });
    const copies = seen.filter((e) => typeof e["replay-name"] === "string");
    expect(copies.map((e) => e.detail)).toEqual([{ n: 1 }]);
  });

  it("says what it found when the stack is not there", async () => {
    const out = await capture(dlq, ["list", "--stack", "BuzzVille-prod"], env);
    expect(out.code).toBe(1);
    expect(out.err).toContain("no Buzz Ville DLQs named BuzzVille-prod-<LogicalId>");
    const bus = await capture(
      replay,
      ["--stack", "BuzzVille-prod", "--from", "2026-11-23T10:00:00Z", "--to", "now"],
      env,
    );
    expect(bus.code).toBe(1);
    expect(bus.err).toContain("no city bus named BuzzVille-prod-CityBus");
    expect(bus.err).toContain(BUS);
  });
});
