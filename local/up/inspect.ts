/**
 * Reads the real resources for the status line and the summary: queue depths (visible,
 * in flight, delayed), the event ids inside queues (non-destructive inspection of the embedded
 * SQS), and the event ids in the DynamoDB event store.
 */
import { type AttributeValue, type DynamoDBClient, ScanCommand } from "@aws-sdk/client-dynamodb";
import { GetQueueAttributesCommand, type SQSClient } from "@aws-sdk/client-sqs";
import { isDlq, SHARED_IDS } from "../../infra/resources.ts";
import type { DeployedQueue, ResourceMap } from "../resource-map.ts";
import { LocalRunError } from "./errors.ts";

/** The subscription that feeds the function writing the event store. */
export function eventStoreSubscription(resources: ResourceMap): string {
  const table = resources.tables[SHARED_IDS.eventsTable]?.name;
  const fn = Object.entries(resources.functions).find(([, f]) =>
    Object.values(f.resourceEnv).includes(table ?? "\u0000"),
  );
  const sub = resources.eventSources.find((es) => es.function === fn?.[0])?.subscriptionId;
  if (!sub) {
    throw new LocalRunError(
      `No deployed function with an event source writes the event store table ${JSON.stringify(table)}: cannot tell which queues and DLQs hold events on their way to it, so "lost" cannot be computed`,
    );
  }
  return sub;
}

export interface Depths {
  /** Messages in the working queues (visible, in flight, delayed). */
  readonly inQueues: number;
  readonly inDlqs: number;
  readonly byQueue: Readonly<Record<string, number>>;
}

/** The depth of every queue (one request each, in parallel), summed by working queues and DLQs. */
export async function queueDepths(
  sqs: SQSClient,
  queues: readonly DeployedQueue[],
): Promise<Depths> {
  let inQueues = 0;
  let inDlqs = 0;
  const byQueue: Record<string, number> = {};
  const all = await Promise.all(queues.map((q) => queueDepth(sqs, q)));
  queues.forEach((q, i) => {
    const total = all[i]?.total ?? 0;
    byQueue[q.logicalId] = total;
    if (isDlq(q)) inDlqs += total;
    else inQueues += total;
  });
  return { inQueues, inDlqs, byQueue };
}

/** The depth of each DLQ among `queues`, by logical id (from a `queueDepths` reading). */
export function dlqDepths(
  queues: readonly DeployedQueue[],
  depths: Depths,
): Record<string, number> {
  return Object.fromEntries(
    queues.filter(isDlq).map((q) => [q.logicalId, depths.byQueue[q.logicalId] ?? 0]),
  );
}

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
  const url = `${endpoint}/_buzzville/queues/${encodeURIComponent(queue.name)}`;
  const response = await fetch(url).catch((cause: unknown) => {
    throw new LocalRunError(`Inspecting queue ${queue.name} at ${url} failed: ${String(cause)}`, {
      cause,
    });
  });
  if (!response.ok) {
    throw new LocalRunError(
      `Inspecting queue ${queue.name} failed: HTTP ${response.status} from ${url} (expected 200: is the local cloud up and the queue deployed?)`,
    );
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

/** The rule of a SignalSequenceViolation that breaks the promised (resequenced) order. */
export const SEQUENCE_GAP_RULE = "sequence-gap-expired";

export interface EventStoreScan {
  /** Every event id in the store. */
  readonly ids: Set<string>;
  /**
   * Stored SignalSequenceViolation events with rule `sequence-gap-expired`: a controller change
   * the traffic consumer applied out of sequence because the gap before it did not fill within
   * its hold time (functions/traffic/intersection.ts). Counted once per event (by id).
   */
  readonly sequenceViolations: number;
}

/**
 * Every event id in the event store, and the resequencing violations among its events. Commits
 * (functions/event-store/dynamodb-adapter.ts) list theirs in `eventIds` and keep each event's
 * `type` and `detail` in `events`; an item with a top-level `eventId` counts too.
 */
export async function scanEventStore(
  ddb: DynamoDBClient,
  tableName: string | undefined,
): Promise<EventStoreScan> {
  if (!tableName) {
    throw new LocalRunError(
      "The event store table is not in the deployment (ResourceMap.tables has no EventsTable): cannot count stored events; redeploy the topology",
    );
  }
  const ids = new Set<string>();
  const violations = new Set<string>();
  let start: Record<string, AttributeValue> | undefined;
  do {
    const page = await ddb.send(
      new ScanCommand({
        TableName: tableName,
        ProjectionExpression: "eventIds, eventId, kind, events",
        ExclusiveStartKey: start,
      }),
    );
    for (const item of page.Items ?? []) {
      if (item.kind?.S && item.kind.S !== "commit") continue;
      for (const v of item.eventIds?.L ?? []) if (v.S) ids.add(v.S);
      for (const v of item.eventIds?.SS ?? []) ids.add(v);
      if (item.eventId?.S) ids.add(item.eventId.S);
      for (const e of item.events?.L ?? []) {
        const event = e.M;
        const id = event?.eventId?.S;
        if (event?.type?.S !== "SignalSequenceViolation" || !id) continue;
        if (ruleOf(event.detail?.S) === SEQUENCE_GAP_RULE) violations.add(id);
      }
    }
    start = page.LastEvaluatedKey;
  } while (start);
  return { ids, sequenceViolations: violations.size };
}

function ruleOf(detail: string | undefined): unknown {
  try {
    return (JSON.parse(detail ?? "") as { rule?: unknown }).rule;
  } catch {
    return undefined;
  }
}

/** Every event id in the event store (see `scanEventStore`). */
export async function storedEventIds(ddb: DynamoDBClient, tableName: string): Promise<Set<string>> {
  return (await scanEventStore(ddb, tableName)).ids;
}
