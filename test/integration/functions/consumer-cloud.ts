/**
 * Shared setup of the consumer tests on the local cloud: a local city booted as `buzzville up`
 * boots it (local/up/city.ts, port 0), every function run by the local Lambda runner (the emergency one with a Dispatch API
 * that always fails), real SDK v3 clients, and small helpers to publish and read back.
 */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { EventBridgeClient, PutEventsCommand } from "@aws-sdk/client-eventbridge";
import { SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { BatchGetCommand, DynamoDBDocumentClient, GetCommand } from "@aws-sdk/lib-dynamodb";
import { expect } from "vitest";
import type { AnyCityEvent } from "../../../events/catalog.ts";
import { dlqTool } from "../../../functions/dlq/index.ts";
import type { DlqTool } from "../../../functions/dlq/tool.ts";
import { SHARED_IDS } from "../../../infra/resources.ts";
import type { LocalCloud } from "../../../local/cloud.ts";
import type { RunningFunctions } from "../../../local/lambda/runtime.ts";
import type { ResourceMap } from "../../../local/resource-map.ts";
import { startLocalCity } from "../../../local/up/city.ts";

export const credentials = { accessKeyId: "test", secretAccessKey: "test" };

export interface ConsumerCloud {
  /** The resource name prefix it was deployed with. */
  readonly prefix: string;
  readonly cloud: LocalCloud;
  readonly resources: ResourceMap;
  readonly functions: RunningFunctions;
  readonly events: EventBridgeClient;
  readonly sqs: SQSClient;
  readonly docs: DynamoDBDocumentClient;
  readonly readModels: string;
  readonly eventsTable: string;
  /** The functions' log lines, `[function] line` (kept for debugging a failed test). */
  readonly logs: string[];
  /** The operators' DLQ tool (`buzzville dlq`) on this cloud's SQS and read models. */
  dlqTool(): DlqTool;
  /** A read-model document's `doc`. */
  doc<T>(pk: string, sk: string): Promise<T | undefined>;
  /** The `doc` of each read-model item (`pks`, one `sk`) that exists, by pk: one BatchGetItem per 100. */
  docsOf<T>(pks: readonly string[], sk: string): Promise<Map<string, T>>;
  /** PutEvents of already stamped events, in the given order (the publisher would re-stamp). */
  putRaw(list: readonly AnyCityEvent[]): Promise<void>;
  /** Sends an EventBridge event JSON straight to a FIFO queue (bypassing the bus and pipe). */
  sendToFifo(queueId: string, body: string, groupId: string, dedupId: string): Promise<void>;
  stop(): Promise<void>;
}

export async function startConsumerCloud(
  prefix: string,
  options: {
    /** Extra environment of every function (e.g. a longer resequencing hold). */
    readonly extraEnv?: Readonly<Record<string, string>>;
    /** Handler entries by function id, beside the emergency one (fault injection). */
    readonly entries?: Readonly<Record<string, string>>;
  } = {},
): Promise<ConsumerCloud> {
  const logs: string[] = [];
  const city = await startLocalCity({
    prefix,
    functions: {
      maxInstancesPerFunction: 1,
      ...(options.extraEnv ? { extraEnv: options.extraEnv } : {}),
      entries: {
        Emergency: "test/integration/functions/fixtures/emergency-failing-dispatch.ts",
        ...options.entries,
      },
      onLog: (fn, line) => logs.push(`[${fn}] ${line}`),
    },
  });
  const { cloud, resources, functions } = city;
  expect(city.failedToLoad).toEqual([]);
  const config = { endpoint: cloud.endpoint, region: cloud.region, credentials };
  const events = new EventBridgeClient(config);
  const sqs = new SQSClient(config);
  const docs = DynamoDBDocumentClient.from(new DynamoDBClient(config));
  const readModels = resources.tables[SHARED_IDS.readModelsTable]?.name ?? "";
  const eventsTable = resources.tables[SHARED_IDS.eventsTable]?.name ?? "";
  return {
    prefix,
    cloud,
    resources,
    functions,
    events,
    sqs,
    docs,
    readModels,
    eventsTable,
    logs,
    dlqTool: () =>
      dlqTool({ sqs, documents: docs, readModelsTable: readModels, onCount: () => {} }),
    doc: async <T>(pk: string, sk: string) =>
      (await docs.send(new GetCommand({ TableName: readModels, Key: { pk, sk } }))).Item?.doc as
        | T
        | undefined,
    docsOf: <T>(pks: readonly string[], sk: string) => batchDocs<T>(docs, readModels, pks, sk),
    putRaw: async (list) => {
      for (let i = 0; i < list.length; i += 10) {
        const out = await events.send(
          new PutEventsCommand({
            Entries: list.slice(i, i + 10).map((e) => ({
              EventBusName: resources.bus.name,
              Source: e.source,
              DetailType: e.detailType,
              Detail: JSON.stringify(e.detail),
            })),
          }),
        );
        expect(out.FailedEntryCount ?? 0).toBe(0);
      }
    },
    sendToFifo: async (queueId, body, groupId, dedupId) => {
      const queue = resources.queues[queueId];
      if (!queue) throw new Error(`${queueId} was not deployed`);
      await sqs.send(
        new SendMessageCommand({
          QueueUrl: queue.url,
          MessageBody: body,
          MessageGroupId: groupId,
          MessageDeduplicationId: dedupId,
        }),
      );
    },
    stop: async () => {
      events.destroy();
      sqs.destroy();
      docs.destroy();
      await city.stop();
    },
  };
}

/** The `doc` of each item (`pks`, one `sk`) of `table` that exists, by pk. */
async function batchDocs<T>(
  docs: DynamoDBDocumentClient,
  table: string,
  pks: readonly string[],
  sk: string,
): Promise<Map<string, T>> {
  const found = new Map<string, T>();
  let keys = pks.map((pk) => ({ pk, sk }));
  while (keys.length > 0) {
    const out = await docs.send(
      new BatchGetCommand({ RequestItems: { [table]: { Keys: keys.slice(0, 100) } } }),
    );
    for (const item of out.Responses?.[table] ?? []) found.set(String(item.pk), item.doc as T);
    const unprocessed = (out.UnprocessedKeys?.[table]?.Keys ?? []) as { pk: string; sk: string }[];
    keys = [...unprocessed, ...keys.slice(100)];
  }
  return found;
}
