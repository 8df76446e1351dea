/**
 * The client side of the emulators' ceiling (bench/city/ceiling.ts), in a thread of its own as
 * the city's clients are (functions in their environments, producers): the `client` requests per
 * event the ramp measured, sent with real SDK v3 clients over HTTP in rounds of 10 events' worth,
 * 8 rounds in flight per thread, until the deadline. Posts `round` for each round done, then `done` with
 * the failed requests by service.action.
 */
import { isMainThread, parentPort, workerData } from "node:worker_threads";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { EventBridgeClient, PutEventsCommand } from "@aws-sdk/client-eventbridge";
import { PublishCommand, SNSClient } from "@aws-sdk/client-sns";
import {
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
import { withoutSdkLogging } from "../../events/sdk-logging.ts";
import { LOCAL_CREDENTIALS } from "../../local/targets.ts";
import type { RequestsPerEvent } from "./meter.ts";

export const EVENTS_PER_ROUND = 10;
/** Rounds in flight per client thread. */
const IN_FLIGHT = 8;

/** The scratch resources of the bare cloud the replay writes to. */
export interface ScratchNames {
  readonly queueUrl: string;
  readonly bus: string;
  readonly table: string;
  readonly topicArn: string;
  /** About the size of a city event on the wire. */
  readonly body: string;
}

export interface CeilingClientInit {
  readonly endpoint: string;
  readonly region: string;
  readonly scratch: ScratchNames;
  /** The `client` requests per event to replay. */
  readonly mix: RequestsPerEvent;
}

/** Sent once every client thread is ready: the replay runs until `endsAt` (epoch ms). */
export interface ToCeilingClient {
  readonly type: "go";
  readonly endsAt: number;
}

export type FromCeilingClient =
  | { readonly type: "ready" }
  | { readonly type: "round" }
  | { readonly type: "done"; readonly failures: Record<string, number> };

interface Scratch extends ScratchNames {
  readonly sqs: SQSClient;
  readonly events: EventBridgeClient;
  readonly docs: DynamoDBDocumentClient;
  readonly sns: SNSClient;
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

/** Calls of each action per event, in REPLAYS order (sends before receives before deletes). */
function planOf(mix: RequestsPerEvent): [string, Replay, number][] {
  const plan: [string, Replay, number][] = [];
  for (const [name, replay] of REPLAYS) {
    const [service = "", action = ""] = name.split(".");
    const perEvent = mix.byService[service]?.[action] ?? 0;
    if (perEvent > 0) plan.push([name, replay, perEvent]);
  }
  return plan;
}

/** The "service.action" names this thread replays. */
export const CLIENT_REPLAYS: ReadonlySet<string> = new Set(REPLAYS.map(([name]) => name));

/** How many calls of an action at `perEvent` one round makes (stochastic rounding: exact mean). */
export function callsPerRound(perEvent: number): number {
  const exact = perEvent * EVENTS_PER_ROUND;
  return Math.floor(exact) + (Math.random() < exact - Math.floor(exact) ? 1 : 0);
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
async function runRound(s: Scratch, plan: readonly [string, Replay, number][], endsAt: number) {
  for (const [name, replay, perEvent] of plan) {
    if (Date.now() > endsAt) return false;
    await Promise.all(
      range(callsPerRound(perEvent)).map(() =>
        bounded(replay(s, perEvent)).catch(() => {
          failures.set(name, (failures.get(name) ?? 0) + 1);
        }),
      ),
    );
  }
  return true;
}

function clientsOf(init: CeilingClientInit): Scratch {
  // One attempt: a failed request is counted, not retried for ages on a starved machine.
  const config = {
    endpoint: init.endpoint,
    region: init.region,
    credentials: LOCAL_CREDENTIALS,
    maxAttempts: 1,
  };
  return {
    ...init.scratch,
    // As the city's clients (functions/shared/aws.ts): no SDK logger middleware.
    sqs: withoutSdkLogging(new SQSClient(config)),
    events: withoutSdkLogging(new EventBridgeClient(config)),
    docs: DynamoDBDocumentClient.from(withoutSdkLogging(new DynamoDBClient(config))),
    sns: new SNSClient(config),
  };
}

async function main(): Promise<void> {
  const port = parentPort;
  if (!port) throw new Error("ceiling-client.ts must run in a worker thread");
  const init = workerData as CeilingClientInit;
  const s = clientsOf(init);
  const plan = planOf(init.mix);
  // The clock starts once every thread is loaded (a starved machine loads slowly).
  const go = new Promise<ToCeilingClient>((resolve) => port.once("message", resolve));
  port.postMessage({ type: "ready" } satisfies FromCeilingClient);
  const { endsAt } = await go;
  await Promise.all(
    range(IN_FLIGHT).map(async () => {
      while (Date.now() < endsAt) {
        if (await runRound(s, plan, endsAt))
          port.postMessage({ type: "round" } satisfies FromCeilingClient);
      }
    }),
  );
  port.postMessage({
    type: "done",
    failures: Object.fromEntries(failures),
  } satisfies FromCeilingClient);
  for (const client of [s.sqs, s.events, s.docs, s.sns]) client.destroy();
}

// Imported by the main thread for its names; runs only as the ceiling's client thread.
if (!isMainThread) void main();
