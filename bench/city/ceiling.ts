/**
 * The emulators' own ceiling for the city's request mix: the requests per event the ramp
 * measured, replayed at a bare local cloud (no topology, no functions) the way the city makes
 * them — the `client` requests (functions, producers) with real SDK v3 clients over HTTP from a
 * thread of their own (bench/city/ceiling-client.ts), the `cloud` requests (EventBridge's SQS
 * deliveries, pipes, the Lambda pollers: local/request-counts.ts) through the cloud's direct
 * queue port on the cloud's thread. Its events/s is what the emulators could serve if the
 * functions' own work cost nothing (docs/BENCHMARKS.md "Emulators' ceiling").
 */
import { Worker } from "node:worker_threads";
import { CreateTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { CreateEventBusCommand, EventBridgeClient } from "@aws-sdk/client-eventbridge";
import { CreateTopicCommand, SNSClient } from "@aws-sdk/client-sns";
import { CreateQueueCommand, GetQueueAttributesCommand } from "@aws-sdk/client-sqs";
import { type LocalCloud, startLocalCloud } from "../../local/cloud.ts";
import type { QueuePort } from "../../local/queues/port.ts";
import { LOCAL_CREDENTIALS } from "../../local/targets.ts";
import {
  type CeilingClientInit,
  CLIENT_REPLAYS,
  callsPerRound,
  EVENTS_PER_ROUND,
  type FromCeilingClient,
  type ScratchNames,
  type ToCeilingClient,
} from "./ceiling-client.ts";
import type { RequestsPerEvent } from "./meter.ts";

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

/**
 * Client threads: the city's clients are spread over many threads (environments, producers), so
 * one SDK thread must not be what limits the replay.
 */
const CLIENT_THREADS = 2;

/** The measured mix split by who makes the requests. */
export interface CeilingMix {
  /** All requests per event (both origins). */
  readonly all: RequestsPerEvent;
  /** The part the local cloud makes on its own behalf (origin `cloud`). */
  readonly cloud: RequestsPerEvent;
}

/** One cloud-origin action through the direct port, as the city's plumbing calls it. */
type CloudReplay = (
  q: QueuePort,
  queueArn: string,
  body: string,
  handles: string[],
) => Promise<unknown>;

const CLOUD_REPLAYS: ReadonlyArray<readonly [string, CloudReplay]> = [
  ["sqs.SendMessage", (q, arn, body) => q.sendMessage(arn, { body })],
  [
    "sqs.SendMessageBatch",
    (q, arn, body) =>
      q.sendMessageBatch(
        arn,
        Array.from({ length: 10 }, (_, i) => ({ id: String(i), body })),
      ),
  ],
  [
    "sqs.ReceiveMessage",
    async (q, arn, _body, handles) => {
      const messages = await q.receiveMessage(arn, { maxMessages: 10, waitSeconds: 0 });
      for (const m of messages) handles.push(m.receiptHandle);
    },
  ],
  [
    "sqs.DeleteMessageBatch",
    async (q, arn, _body, handles) => {
      const batch = handles.splice(0, 10);
      if (batch.length > 0)
        await q.deleteMessageBatch(
          arn,
          batch.map((receiptHandle, i) => ({ id: String(i), receiptHandle })),
        );
    },
  ],
];

/** `all` minus `cloud`: the requests clients make, per event. */
function clientPart(mix: CeilingMix): RequestsPerEvent {
  const byService: Record<string, Record<string, number>> = {};
  let total = 0;
  for (const [service, actions] of Object.entries(mix.all.byService)) {
    for (const [action, perEvent] of Object.entries(actions)) {
      const n = perEvent - (mix.cloud.byService[service]?.[action] ?? 0);
      if (n <= 1e-9) continue;
      byService[service] = { ...byService[service], [action]: n };
      total += n;
    }
  }
  return { total, byService };
}

/** The per-event calls each side replays, and what neither can (with its rate). */
function split(mix: CeilingMix) {
  const client = clientPart(mix);
  const cloudPlan: [string, CloudReplay, number][] = [];
  const notReplayed: Record<string, number> = {};
  const known = new Map(CLOUD_REPLAYS);
  for (const [service, actions] of Object.entries(mix.cloud.byService)) {
    for (const [action, perEvent] of Object.entries(actions)) {
      const replay = known.get(`${service}.${action}`);
      if (replay) cloudPlan.push([`${service}.${action}`, replay, perEvent]);
      else if (perEvent > 0) notReplayed[`${service}.${action}`] = perEvent;
    }
  }
  const order = CLOUD_REPLAYS.map(([name]) => name);
  cloudPlan.sort((a, b) => order.indexOf(a[0]) - order.indexOf(b[0]));
  let replayed = cloudPlan.reduce((n, [, , perEvent]) => n + perEvent, 0);
  for (const [service, actions] of Object.entries(client.byService)) {
    for (const [action, perEvent] of Object.entries(actions)) {
      if (CLIENT_REPLAYS.has(`${service}.${action}`)) replayed += perEvent;
      else notReplayed[`${service}.${action}`] = perEvent;
    }
  }
  return { client, cloudPlan, notReplayed, replayed };
}

async function scratchResources(cloud: LocalCloud): Promise<ScratchNames & { queueArn: string }> {
  const config = { endpoint: cloud.endpoint, region: cloud.region, credentials: LOCAL_CREDENTIALS };
  const events = new EventBridgeClient(config);
  const ddb = new DynamoDBClient(config);
  const sns = new SNSClient(config);
  try {
    const queueUrl =
      (await cloud.sqs.send(new CreateQueueCommand({ QueueName: "ceiling" }))).QueueUrl ?? "";
    const { Attributes } = await cloud.sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ["QueueArn"] }),
    );
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
    const queueArn = Attributes?.QueueArn ?? "";
    return { queueUrl, queueArn, bus: "ceiling", table: "ceiling", topicArn, body };
  } finally {
    for (const client of [events, ddb, sns]) client.destroy();
  }
}

/** Replays `mix` for about `seconds` against a fresh bare local cloud; returns its events/s. */
export async function measureCeiling(mix: CeilingMix, seconds: number): Promise<CeilingResult> {
  const cloud = await startLocalCloud({ host: "127.0.0.1", port: 0 });
  const { client, cloudPlan, notReplayed, replayed } = split(mix);
  const failures = new Map<string, number>();
  const threads: Worker[] = [];
  try {
    const { queueArn, ...scratch } = await scratchResources(cloud);
    const handles: string[] = [];
    let endsAt = Number.POSITIVE_INFINITY;
    let cloudRounds = 0;
    let clientRounds = 0;
    // The cloud's part of each round the clients finished, on the cloud's own thread.
    const cloudRound = async () => {
      for (const [name, replay, perEvent] of cloudPlan) {
        const calls = Array.from({ length: callsPerRound(perEvent) }, () =>
          replay(cloud.queues, queueArn, scratch.body, handles).catch(() => {
            failures.set(name, (failures.get(name) ?? 0) + 1);
          }),
        );
        await Promise.all(calls);
      }
      if (Date.now() <= endsAt) cloudRounds++;
    };
    const pending: Promise<void>[] = [];
    const init: CeilingClientInit = {
      endpoint: cloud.endpoint,
      region: cloud.region,
      scratch,
      mix: client,
    };
    const ready: Promise<void>[] = [];
    const done = Array.from({ length: CLIENT_THREADS }, () => {
      const worker = new Worker(new URL("./ceiling-client.ts", import.meta.url), {
        workerData: init,
      });
      threads.push(worker);
      let markReady: () => void = () => {};
      ready.push(new Promise<void>((resolve) => (markReady = resolve)));
      return new Promise<Record<string, number>>((resolve, reject) => {
        worker.on("message", (message: FromCeilingClient) => {
          if (message.type === "ready") return markReady();
          if (message.type === "done") return resolve(message.failures);
          clientRounds++;
          pending.push(cloudRound());
        });
        worker.on("error", reject);
        worker.on("exit", (code) => reject(new Error(`a ceiling client thread exited (${code})`)));
      });
    });
    await Promise.race([Promise.all(ready), Promise.all(done)]);
    const start = Date.now();
    endsAt = start + seconds * 1000;
    for (const t of threads) t.postMessage({ type: "go", endsAt } satisfies ToCeilingClient);
    const clientFailures = await Promise.all(done);
    await Promise.all(pending);
    for (const [name, n] of clientFailures.flatMap((f) => Object.entries(f)))
      failures.set(name, (failures.get(name) ?? 0) + n);
    const elapsed = (Date.now() - start) / 1000;
    const events = Math.min(clientRounds, cloudRounds) * EVENTS_PER_ROUND;
    return {
      eventsPerSecond: Math.round(events / elapsed),
      events,
      seconds: Math.round(elapsed * 10) / 10,
      replayedPerEvent: Math.round(replayed * 1000) / 1000,
      notReplayed,
      failedRequests: Object.fromEntries(failures),
    };
  } finally {
    await Promise.all(threads.map((t) => t.terminate()));
    // Requests given up on may still be answered: let them land before the backends close.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    await cloud.stop();
  }
}
