/**
 * `--stack S` reads the stack's outputs through CloudFormation DescribeStacks (a query-protocol
 * stub: the local cloud does not emulate CloudFormation) and acts on the resources they name in
 * the local cloud (SQS, DynamoDB, EventBridge over their real wire protocols). The resources are
 * named unlike any naming rule, and decoys named `<stack>-<LogicalId>` sit beside them: only the
 * outputs can lead the commands to the right ones.
 */
import { CreateTableCommand, DynamoDBClient, ScanCommand } from "@aws-sdk/client-dynamodb";
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
import { OUTPUT_KEYS } from "../../../bin/ops/stack-outputs.ts";
import { main as stream } from "../../../bin/ops/stream.ts";
import { eventStore } from "../../../functions/event-store/index.ts";
import { expectedResources } from "../../../infra/resources.ts";
import { topology } from "../../../infra/topology.ts";
import { type LocalCloud, startLocalCloud } from "../../../local/cloud.ts";
import { type CfnStub, startCfnStub } from "./cfn-stub.ts";
import { capture, waitFor } from "./support.ts";

const STACK = "BuzzVille-dev";
const OLD_STACK = "BuzzVille-old";
const EVENTS_TABLE = "evstore-7Q2K";
const READ_MODELS_TABLE = "projections-9ZXW";
const BUS = "backbone-bus-3F";
const ARCHIVE = "backbone-archive-3F";
const MEDIA_RULE = "press-feed-rule-3F";

let cloud: LocalCloud;
let cfn: CfnStub;
let sqs: SQSClient;
let events: EventBridgeClient;
let ddb: DynamoDBClient;
let env: Record<string, string>;
/** Queue URL by logical id (what the outputs say), and the decoys by logical id. */
const url: Record<string, string> = {};
const decoy: Record<string, string> = {};
const outputs: Record<string, string> = {};

const must = (m: Record<string, string>, k: string) => {
  const v = m[k];
  if (!v) throw new Error(`no ${k}`);
  return v;
};

async function createQueue(name: string, fifo: boolean): Promise<string> {
  const out = await sqs.send(
    new CreateQueueCommand({
      QueueName: fifo ? `${name}.fifo` : name,
      ...(fifo ? { Attributes: { FifoQueue: "true" } } : {}),
    }),
  );
  return out.QueueUrl ?? "";
}

async function createTable(TableName: string): Promise<void> {
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

  const expected = expectedResources(topology);
  for (const [i, q] of expected.queues.entries()) {
    url[q.logicalId] = await createQueue(`city-q${i}-K7D2`, q.fifo);
    outputs[OUTPUT_KEYS.queue(q.logicalId)] = must(url, q.logicalId);
  }
  for (const id of ["MediaDlq", "MediaQueue"])
    decoy[id] = await createQueue(`${STACK}-${id}`, false);
  await createTable(EVENTS_TABLE);
  await createTable(READ_MODELS_TABLE);
  await createTable(`${STACK}-EventsTable`);

  const bus = await events.send(new CreateEventBusCommand({ Name: BUS }));
  await events.send(new CreateEventBusCommand({ Name: `${STACK}-CityBus` }));
  await events.send(
    new CreateArchiveCommand({ ArchiveName: ARCHIVE, EventSourceArn: bus.EventBusArn }),
  );
  const rule = await events.send(
    new PutRuleCommand({
      Name: MEDIA_RULE,
      EventBusName: BUS,
      EventPattern: JSON.stringify({ source: [{ prefix: "buzzville." }] }),
    }),
  );
  const mediaQueueName = must(url, "MediaQueue").split("/").pop();
  await events.send(
    new PutTargetsCommand({
      Rule: MEDIA_RULE,
      EventBusName: BUS,
      Targets: [{ Id: "q", Arn: `arn:aws:sqs:${cloud.region}:000000000000:${mediaQueueName}` }],
    }),
  );
  for (const r of expected.rules) {
    outputs[OUTPUT_KEYS.rule(r.logicalId)] =
      `arn:aws:events:${cloud.region}:000000000000:rule/${BUS}/${r.logicalId}-elsewhere`;
  }
  Object.assign(outputs, {
    [OUTPUT_KEYS.rule("MediaRule")]: rule.RuleArn ?? "",
    [OUTPUT_KEYS.bus]: BUS,
    [OUTPUT_KEYS.busArn]: bus.EventBusArn ?? "",
    [OUTPUT_KEYS.archive]: ARCHIVE,
    [OUTPUT_KEYS.table("EventsTable")]: EVENTS_TABLE,
    [OUTPUT_KEYS.table("ReadModelsTable")]: READ_MODELS_TABLE,
    OpsDashboardName: "OpsDashboard-1A2B",
  });
  // A stack deployed before the queue/rule outputs existed: DLQ urls only, no events table.
  const old = Object.fromEntries(
    Object.entries(outputs).filter(
      ([k]) => k.endsWith("DlqUrl") || k === OUTPUT_KEYS.table("ReadModelsTable"),
    ),
  );
  cfn = await startCfnStub(
    [
      { name: STACK, status: "UPDATE_COMPLETE", outputs },
      { name: OLD_STACK, status: "CREATE_COMPLETE", outputs: old },
    ],
    cloud.region,
  );
  env = {
    AWS_ENDPOINT_URL: cloud.endpoint,
    AWS_ENDPOINT_URL_CLOUDFORMATION: cfn.endpoint,
    AWS_REGION: cloud.region,
  };
});

afterAll(async () => {
  sqs?.destroy();
  events?.destroy();
  ddb?.destroy();
  await cfn?.stop();
  await cloud?.stop();
});

const visible = async (queueUrl: string) =>
  Number(
    (
      await sqs.send(
        new GetQueueAttributesCommand({
          QueueUrl: queueUrl,
          AttributeNames: ["ApproximateNumberOfMessages"],
        }),
      )
    ).Attributes?.ApproximateNumberOfMessages ?? 0,
  );

describe("--stack S: resources from the stack's CloudFormation outputs", () => {
  it("dlq list reads the DLQs the outputs name (DescribeStacks of the stack), not look-alikes", async () => {
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: must(url, "MediaDlq"),
        MessageBody: '{"not":"an event"}',
      }),
    );
    await sqs.send(new SendMessageCommand({ QueueUrl: must(decoy, "MediaDlq"), MessageBody: "x" }));
    const before = cfn.requests.length;

    const listed = await capture(dlq, ["list", "--stack", STACK], env);
    expect(listed.err).toBe("");
    expect(listed.code).toBe(0);
    const mediaDlqName = must(url, "MediaDlq").split("/").pop();
    expect(listed.out).toContain(
      `MediaDlq (${mediaDlqName}): 1 message(s); redrives to MediaQueue`,
    );
    expect(listed.out).toContain("1 message(s) in 1 DLQ(s); 15 empty");
    expect(listed.out).not.toContain(`${STACK}-MediaDlq`);
    expect(cfn.requests.slice(before)).toEqual([
      { Action: "DescribeStacks", Version: "2010-05-15", StackName: STACK },
    ]);
  });

  it("dlq redrive moves to the source queue the outputs name, with the ledger on their table", async () => {
    const moved = await capture(dlq, ["redrive", "--stack", STACK, "--queue", "MediaDlq"], env);
    expect(moved.err).toBe("");
    expect(moved.out).toContain("done: 1 message(s) moved from MediaDlq to MediaQueue");
    expect(await visible(must(url, "MediaDlq"))).toBe(0);
    const back = await sqs.send(new ReceiveMessageCommand({ QueueUrl: must(url, "MediaQueue") }));
    expect(back.Messages?.map((m) => m.Body)).toEqual(['{"not":"an event"}']);
    expect(await visible(must(decoy, "MediaDlq"))).toBe(1);
    expect(await visible(must(decoy, "MediaQueue"))).toBe(0);
    const ledger = await ddb.send(new ScanCommand({ TableName: READ_MODELS_TABLE }));
    expect(ledger.Count).toBeGreaterThan(0);
  });

  it("a rule-target DLQ redrives to the queue its rule targets (an ordered path's intake)", async () => {
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: must(url, "TrafficSignalsTargetDlq"),
        MessageBody: '{"detail-type":"SignalPhaseChanged"}',
      }),
    );
    const moved = await capture(
      dlq,
      ["redrive", "--stack", STACK, "--queue", "TrafficSignalsTargetDlq"],
      env,
    );
    expect(moved.err).toBe("");
    expect(moved.out).toContain(
      "1 message(s) moved from TrafficSignalsTargetDlq to TrafficSignalsIntakeQueue",
    );
    expect(await visible(must(url, "TrafficSignalsIntakeQueue"))).toBe(1);
  });

  it("stream reads the events table the outputs name", async () => {
    const store = eventStore({
      documents: DynamoDBDocumentClient.from(ddb),
      eventsTable: EVENTS_TABLE,
    });
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
    expect(out.out).toContain(`stream zone#z9 (table ${EVENTS_TABLE}): 1 event(s)`);
    expect(out.out).toContain("state at head: ACTIVE (version 1, 1 event(s)");
  });

  it("replay uses the archive output and resolves --rules through the rule ARN outputs", async () => {
    const from = new Date(Date.now() - 1000).toISOString();
    const put = await events.send(
      new PutEventsCommand({
        Entries: [
          { EventBusName: BUS, Source: "buzzville.weather", DetailType: "Ping", Detail: '{"n":1}' },
        ],
      }),
    );
    expect(put.FailedEntryCount).toBe(0);
    const seen: Record<string, unknown>[] = [];
    const receive = async () => {
      const out = await sqs.send(
        new ReceiveMessageCommand({ QueueUrl: must(url, "MediaQueue"), MaxNumberOfMessages: 10 }),
      );
      seen.push(...(out.Messages ?? []).map((m) => JSON.parse(m.Body ?? "{}")));
    };
    await waitFor("the first delivery", async () => {
      await receive();
      return seen.some((e) => e["detail-type"] === "Ping");
    });

    const out = await capture(
      replay,
      ["--stack", STACK, "--from", from, "--to", "now", "--rules", "Media", "--poll-ms", "20"],
      env,
    );
    expect(out.err).toBe("");
    expect(out.code).toBe(0);
    expect(out.out).toContain(`${ARCHIVE} [`);
    expect(out.out).toContain(`-> ${BUS} (rules MediaRule)`);
    await waitFor("the replayed copy", async () => {
      await receive();
      return seen.some((e) => typeof e["replay-name"] === "string");
    });
    const copies = seen.filter((e) => typeof e["replay-name"] === "string");
    expect(copies.map((e) => e.detail)).toEqual([{ n: 1 }]);
  });

  it("names a stack that does not exist", async () => {
    const out = await capture(dlq, ["list", "--stack", "BuzzVille-prod"], env);
    expect(out.code).toBe(1);
    expect(out.err).toContain('stack "BuzzVille-prod" not found at http://127.0.0.1:');
    expect(out.err).toContain("Stack with id BuzzVille-prod does not exist");
    const r = await capture(
      replay,
      ["--stack", "BuzzVille-prod", "--from", "2026-11-23T10:00:00Z", "--to", "now"],
      env,
    );
    expect(r.code).toBe(1);
    expect(r.err).toContain('stack "BuzzVille-prod" not found');
  });

  it("names a missing output and lists the outputs the stack has", async () => {
    const out = await capture(stream, ["zone#z9", "--stack", OLD_STACK], env);
    expect(out.code).toBe(1);
    expect(out.err).toContain(
      `stack ${OLD_STACK} (CREATE_COMPLETE) has no output EventsTableName; its outputs: AnalyticsDlqUrl, AnalyticsTargetDlqUrl,`,
    );
    expect(out.err).toContain("ReadModelsTableName");
    expect(out.err).toContain("or pass --table NAME");

    // The DLQs are listed; redrive says which source-queue output is missing.
    const listed = await capture(dlq, ["list", "--stack", OLD_STACK, "--queue", "MediaDlq"], env);
    expect(listed.err).toBe("");
    expect(listed.out).toContain("MediaDlq");
    const moved = await capture(dlq, ["redrive", "--stack", OLD_STACK, "--queue", "MediaDlq"], env);
    expect(moved.code).toBe(1);
    expect(moved.err).toContain(`stack ${OLD_STACK} (CREATE_COMPLETE) has no output MediaQueueUrl`);
    expect(moved.err).toContain("or pass --source-url URL");
  });
});
