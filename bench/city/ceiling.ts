/**
 * The emulators' own ceiling for the city's request mix: the requests per event the ramp
 * measured, replayed straight at a bare local cloud (no topology, no functions) with real SDK v3
 * clients over HTTP, in rounds of 10 events' worth of requests, 16 rounds in flight. Its events/s
 * is what the emulators could serve if the functions' own work cost nothing.
 */
import { performance } from "node:perf_hooks";
import { CreateTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import {
  CreateEventBusCommand,
  EventBridgeClient,
  PutEventsCommand,
} from "@aws-sdk/client-eventbridge";
import { CreateTopicCommand, PublishCommand, SNSClient } from "@aws-sdk/client-sns";
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SQSClient,
} from "@aws-sdk/client-sqs";
import {
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
} from "@aws-sdk/lib-dynamodb";
import { startLocalCloud } from "../../local/cloud.ts";
import { LOCAL_CREDENTIALS } from "../../local/targets.ts";
import type { RequestsPerEvent } from "./meter.ts";

const EVENTS_PER_ROUND = 10;
const IN_FLIGHT = 16;

export interface CeilingResult {
  readonly eventsPerSecond: number;
  readonly events: number;
  readonly seconds: number;
  /** Requests per event replayed, and those the replay has no generator for (not replayed). */
  readonly replayedPerEvent: number;
  readonly notReplayed: Record<string, number>;
  /** Replayed requests that failed (an error answer, or none within 5 s), by service.action. */
  readonly failedRequests: Record<string, number>;
}

interface Scratch {
  readonly sqs: SQSClient;
  readonly events: EventBridgeClient;
  readonly docs: DynamoDBDocumentClient;
  readonly sns: SNSClient;
  readonly queueUrl: string;
  readonly bus: string;
  readonly table: string;
  readonly topicArn: string;
  readonly body: string;
}

/** Receipt handles received and not yet deleted (shared by the rounds). */
const handles: string[] = [];

/** `perEvent` = the measured calls of this action per event (PutEvents sizes its batches by it). */
type Replay = (s: Scratch, perEvent: number) => Promise<unknown>;

const range = (n: number) => Array.from({ length: n }, (_, i) => i);
const key = () => `k${Math.floor(Math.random() * 1e9)}`;

/** Generators by "service.action"; sends before receives before deletes within a round. */
const REPLAYS: ReadonlyArray<readonly [string, Replay]> = [
  [
    "events.PutEvents",
    (s, perEvent) =>
      s.events.send(
        new PutEventsCommand({
          Entries: range(Math.max(1, Math.min(10, Math.round(1 / perEvent)))).map(() => ({
            EventBusName: s.bus,
            Source: "buzzville.bench",
            DetailType: "Ceiling",
            Detail: s.body,
          })),
        }),
      ),
  ],
  [
    "sqs.SendMessage",
    (s) => s.sqs.send(new SendMessageCommand({ QueueUrl: s.queueUrl, MessageBody: s.body })),
  ],
  [
    "sqs.SendMessageBatch",
    (s) =>
      s.sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: s.queueUrl,
          Entries: range(10).map((i) => ({ Id: String(i), MessageBody: s.body })),
        }),
      ),
  ],
  [
    "sqs.ReceiveMessage",
    async (s) => {
      const r = await s.sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: s.queueUrl,
          MaxNumberOfMessages: 10,
          WaitTimeSeconds: 0,
        }),
      );
      for (const m of r.Messages ?? []) if (m.ReceiptHandle) handles.push(m.ReceiptHandle);
    },
  ],
  [
    "sqs.GetQueueAttributes",
    (s) =>
      s.sqs.send(new GetQueueAttributesCommand({ QueueUrl: s.queueUrl, AttributeNames: ["All"] })),
  ],
  [
    "sqs.DeleteMessage",
    async (s) => {
      const h = handles.pop();
      if (h) await s.sqs.send(new DeleteMessageCommand({ QueueUrl: s.queueUrl, ReceiptHandle: h }));
    },
  ],
  [
    "sqs.DeleteMessageBatch",
    async (s) => {
      const batch = handles.splice(0, 10);
      if (batch.length > 0)
        await s.sqs.send(
          new DeleteMessageBatchCommand({
            QueueUrl: s.queueUrl,
            Entries: batch.map((h, i) => ({ Id: String(i), ReceiptHandle: h })),
          }),
        );
    },
  ],
  [
    "dynamodb.PutItem",
    (s) =>
      s.docs.send(
        new PutCommand({ TableName: s.table, Item: { pk: key(), sk: "v", body: s.body } }),
      ),
  ],
  [
    "dynamodb.UpdateItem",
    (s) =>
      s.docs.send(
        new UpdateCommand({
          TableName: s.table,
          Key: { pk: key(), sk: "v" },
          UpdateExpression: "SET body = :b",
          ExpressionAttributeValues: { ":b": s.body },
        }),
      ),
  ],
  [
    "dynamodb.GetItem",
    (s) => s.docs.send(new GetCommand({ TableName: s.table, Key: { pk: key(), sk: "v" } })),
  ],
  [
    "dynamodb.Query",
    (s) =>
      s.docs.send(
        new QueryCommand({
          TableName: s.table,
          KeyConditionExpression: "pk = :p",
          ExpressionAttributeValues: { ":p": key() },
        }),
      ),
  ],
  [
    "dynamodb.TransactWriteItems",
    (s) =>
      s.docs.send(
        new TransactWriteCommand({
          TransactItems: [
            { Put: { TableName: s.table, Item: { pk: key(), sk: "v", body: s.body } } },
            { Put: { TableName: s.table, Item: { pk: key(), sk: "h", body: "x" } } },
          ],
        }),
      ),
  ],
  ["sns.Publish", (s) => s.sns.send(new PublishCommand({ TopicArn: s.topicArn, Message: s.body }))],
];

/** Calls of each replayed action in one round (stochastic rounding keeps the mean exact). */
function roundPlan(mix: RequestsPerEvent): {
  plan: [string, Replay, number][];
  notReplayed: Record<string, number>;
} {
  const known = new Map(REPLAYS);
  const notReplayed: Record<string, number> = {};
  const plan: [string, Replay, number][] = [];
  for (const [name, replay] of REPLAYS) {
    const [service = "", action = ""] = name.split(".");
    const perEvent = mix.byService[service]?.[action] ?? 0;
    if (perEvent > 0) plan.push([name, replay, perEvent]);
  }
  for (const [service, actions] of Object.entries(mix.byService)) {
    for (const [action, perEvent] of Object.entries(actions)) {
      if (!known.has(`${service}.${action}`) && perEvent > 0)
        notReplayed[`${service}.${action}`] = perEvent;
    }
  }
  return { plan, notReplayed };
}

/** Failed replayed requests by "service.action" (counted, never thrown: the round goes on). */
const failures = new Map<string, number>();

/** A replayed request that has not answered after this long counts as failed. */
const REQUEST_TIMEOUT_MS = 5_000;

function bounded(work: Promise<unknown>): Promise<unknown> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error("no answer in time")), REQUEST_TIMEOUT_MS);
  });
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}

/**
 * One round: each action's calls for EVENTS_PER_ROUND events. Returns false when the deadline
 * came first (the round is not counted): a slow machine ends the measurement on time.
 */
async function runRound(s: Scratch, plan: readonly [string, Replay, number][], ends: number) {
  for (const [name, replay, perEvent] of plan) {
    if (performance.now() > ends) return false;
    const exact = perEvent * EVENTS_PER_ROUND;
    const calls = Math.floor(exact) + (Math.random() < exact - Math.floor(exact) ? 1 : 0);
    await Promise.all(
      range(calls).map(() =>
        bounded(replay(s, perEvent)).catch(() => {
          failures.set(name, (failures.get(name) ?? 0) + 1);
        }),
      ),
    );
  }
  return true;
}

async function scratchResources(endpoint: string, region: string): Promise<Scratch> {
  // One attempt: a failed request is counted, not retried for ages on a starved machine.
  const config = { endpoint, region, credentials: LOCAL_CREDENTIALS, maxAttempts: 1 };
  const sqs = new SQSClient(config);
  const events = new EventBridgeClient(config);
  const ddb = new DynamoDBClient(config);
  const sns = new SNSClient(config);
  const queueUrl =
    (await sqs.send(new CreateQueueCommand({ QueueName: "ceiling" }))).QueueUrl ?? "";
  await events.send(new CreateEventBusCommand({ Name: "ceiling" }));
  await ddb.send(
    new CreateTableCommand({
      TableName: "ceiling",
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
  const topicArn = (await sns.send(new CreateTopicCommand({ Name: "ceiling" }))).TopicArn ?? "";
  // About the size of a city event on the wire.
  const body = JSON.stringify({
    detail: { meta: { eventId: "x".repeat(26) }, pad: "y".repeat(700) },
  });
  return {
    sqs,
    events,
    docs: DynamoDBDocumentClient.from(ddb),
    sns,
    queueUrl,
    bus: "ceiling",
    table: "ceiling",
    topicArn,
    body,
  };
}

/** Replays `mix` for about `seconds` against a fresh bare local cloud; returns its events/s. */
export async function measureCeiling(
  mix: RequestsPerEvent,
  seconds: number,
): Promise<CeilingResult> {
  const cloud = await startLocalCloud({ host: "127.0.0.1", port: 0 });
  const { plan, notReplayed } = roundPlan(mix);
  const scratch = await scratchResources(cloud.endpoint, cloud.region);
  handles.length = 0;
  failures.clear();
  try {
    let rounds = 0;
    const start = performance.now();
    const ends = start + seconds * 1000;
    await Promise.all(
      range(IN_FLIGHT).map(async () => {
        while (performance.now() < ends) {
          if (await runRound(scratch, plan, ends)) rounds++;
        }
      }),
    );
    const elapsed = (performance.now() - start) / 1000;
    const events = rounds * EVENTS_PER_ROUND;
    return {
      eventsPerSecond: Math.round(events / elapsed),
      events,
      seconds: Math.round(elapsed * 10) / 10,
      replayedPerEvent: Math.round(plan.reduce((n, [, , p]) => n + p, 0) * 1000) / 1000,
      notReplayed,
      failedRequests: Object.fromEntries(failures),
    };
  } finally {
    // Requests given up on may still be answered: let them land before the backends close.
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    scratch.sqs.destroy();
    scratch.events.destroy();
    scratch.docs.destroy();
    scratch.sns.destroy();
    await cloud.stop();
  }
}
