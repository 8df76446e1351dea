/**
 * Reads the real resources for the status line and the summary: queue depths (visible,
 * in flight, delayed), the event ids inside queues (non-destructive inspection of the embedded
 * SQS), and the event ids in the DynamoDB event store.
 */
import { type DynamoDBClient, ScanCommand } from "@aws-sdk/client-dynamodb";
import { GetQueueAttributesCommand, type SQSClient } from "@aws-sdk/client-sqs";
import type { DeployedQueue } from "../resource-map.ts";

export interface QueueDepth {
  readonly visible: number;
  readonly inFlight: number;
  readonly delayed: number;
  readonly total: number;
}

export async function queueDepth(sqs: SQSClient, queue: DeployedQueue): Promise<QueueDepth> {
  const { Attributes = {} } = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: queue.url,
      AttributeNames: [
        "ApproximateNumberOfMessages",
        "ApproximateNumberOfMessagesNotVisible",
        "ApproximateNumberOfMessagesDelayed",
      ],
    }),
  );
  const visible = Number(Attributes.ApproximateNumberOfMessages ?? 0);
  const inFlight = Number(Attributes.ApproximateNumberOfMessagesNotVisible ?? 0);
  const delayed = Number(Attributes.ApproximateNumberOfMessagesDelayed ?? 0);
  return { visible, inFlight, delayed, total: visible + inFlight + delayed };
}

interface InspectedMessage {
  readonly body?: string;
}

/** Event ids of every message in a queue (ready, in flight, delayed), without receiving them. */
export async function eventIdsInQueue(endpoint: string, queue: DeployedQueue): Promise<string[]> {
  const response = await fetch(`${endpoint}/_buzzville/queues/${encodeURIComponent(queue.name)}`);
  if (!response.ok) {
    throw new Error(`Inspecting queue ${queue.name} failed: HTTP ${response.status}`);
  }
  const state = (await response.json()) as {
    messages: {
      ready: InspectedMessage[];
      delayed: InspectedMessage[];
      inflight: { message: InspectedMessage }[];
    };
  };
  const bodies = [
    ...state.messages.ready,
    ...state.messages.delayed,
    ...state.messages.inflight.map((i) => i.message),
  ].map((m) => m.body ?? "");
  const ids: string[] = [];
  for (const body of bodies) {
    try {
      const id = (JSON.parse(body) as { detail?: { meta?: { eventId?: unknown } } }).detail?.meta
        ?.eventId;
      if (typeof id === "string") ids.push(id);
    } catch {
      // not an event (e.g. a malformed entry): carries no id to account for
    }
  }
  return ids;
}

/**
 * Every event id in the event store. Commits (functions/event-store/dynamodb-adapter.ts) list
 * theirs in `eventIds`; an item with a top-level `eventId` counts too.
 */
export async function storedEventIds(ddb: DynamoDBClient, tableName: string): Promise<Set<string>> {
  const ids = new Set<string>();
  let start: Record<string, import("@aws-sdk/client-dynamodb").AttributeValue> | undefined;
  do {
    const page = await ddb.send(
      new ScanCommand({
        TableName: tableName,
        ProjectionExpression: "eventIds, eventId, kind",
        ExclusiveStartKey: start,
      }),
    );
    for (const item of page.Items ?? []) {
      if (item.kind?.S && item.kind.S !== "commit") continue;
      for (const v of item.eventIds?.L ?? []) if (v.S) ids.add(v.S);
      for (const v of item.eventIds?.SS ?? []) ids.add(v);
      if (item.eventId?.S) ids.add(item.eventId.S);
    }
    start = page.LastEvaluatedKey;
  } while (start);
  return ids;
}
