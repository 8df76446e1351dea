/**
 * A whole local city for outcome tests, booted as `buzzville up` boots it (local/up/city.ts, port
 * 0: the topology deployed, the functions running; not warmed, see `start`), real SDK v3 clients — plus an observer queue subscribed to
 * the services' derived events with its own EventBridge rule (as a city agency would), and
 * readers of the event store and the read models.
 */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { EventBridgeClient, PutRuleCommand, PutTargetsCommand } from "@aws-sdk/client-eventbridge";
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
} from "@aws-sdk/client-sqs";
import {
  DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  ScanCommand,
} from "@aws-sdk/lib-dynamodb";
import { DERIVED_SOURCES } from "../../../events/names.ts";
import { isDlq, SHARED_IDS } from "../../../infra/resources.ts";
import { type Topology, topology } from "../../../infra/topology.ts";
import type { LocalCloud } from "../../../local/cloud.ts";
import type { RunningFunctions } from "../../../local/lambda/runtime.ts";
import type { ResourceMap } from "../../../local/resource-map.ts";
import { type RunningCity, startLocalCity } from "../../../local/up/city.ts";
import { waitFor } from "../../support/wait.ts";

/** A derived event seen by the observer. */
export interface Derived {
  readonly type: string;
  readonly detail: Record<string, unknown> & {
    meta: { eventId: string; correlationId: string; causationId?: string };
  };
}

/** One event of the event store (commit items list their events). */
export interface StoredEvent {
  readonly eventId: string;
  readonly version: number;
  readonly type: string;
  readonly detail: string;
}

/** A message found in a DLQ. */
export interface DeadLetterSeen {
  /** The DLQ's logical id. */
  readonly queue: string;
  readonly body: string;
  /** Message attributes (the functions' failureReason, failureMessage, …). */
  readonly attributes: Readonly<Record<string, string>>;
}

/** Waits for slow paths too: a cold function on a busy machine may time out once and be retried after its visibility timeout. */
/** How many times each key occurs (keys seen more than once are duplicate actions). */
export function repeated<T>(items: readonly T[], key: (t: T) => string): Record<string, number> {
  const counts = new Map<string, number>();
  for (const t of items) counts.set(key(t), (counts.get(key(t)) ?? 0) + 1);
  return Object.fromEntries([...counts].filter(([, n]) => n > 1));
}

export const OUTCOME_TIMEOUT_MS = 100_000;

/**
 * The city's topology with visibility timeouts of 3 x the function timeout instead of 6 (the
 * topology's `visibilityTimeoutFactor`, honoured by the stack and the local deploy): still above
 * a batching window plus a whole invocation, so no message is handed out twice while its batch
 * runs, but an invocation that times out on a loaded machine comes back after 30 s, not 60 s.
 * For tests about outcomes, not about the timeout.
 */
export const OUTCOME_TOPOLOGY: Topology = { ...topology, visibilityTimeoutFactor: 3 };

/** Subscriptions whose batching window a scenario's outcome does not depend on. */
const UNASSERTED_WINDOWS = new Set(["Media", "NotificationBulk"]);

/**
 * OUTCOME_TOPOLOGY with the press's and the bulk notifications' batching windows at 1 s (10 s and
 * 5 s in the product): every scenario test waits for the city to drain before it counts actions,
 * and a drain waited out the Media window after the last public event. Still a window (batches
 * form), and no scenario asserts on either; the analytics window stays, the crisis scenario's
 * aggregation depends on it.
 */
export const SCENARIO_TOPOLOGY: Topology = {
  ...OUTCOME_TOPOLOGY,
  subscriptions: OUTCOME_TOPOLOGY.subscriptions.map((s) =>
    UNASSERTED_WINDOWS.has(s.id) ? { ...s, maxBatchingWindowSeconds: 1 } : s,
  ),
};
export const OUTCOME_TEST_TIMEOUT_MS = 240_000;

/**
 * The observer: a queue of its own with its own EventBridge rule on the services' derived events,
 * as a city agency would subscribe. Resolves with the queue's URL.
 */
async function subscribeObserver(
  prefix: string,
  resources: ResourceMap,
  sqs: SQSClient,
  events: EventBridgeClient,
): Promise<string> {
  const q = await sqs.send(new CreateQueueCommand({ QueueName: `${prefix}-observer` }));
  const observerUrl = q.QueueUrl ?? "";
  const arn = (
    await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: observerUrl, AttributeNames: ["QueueArn"] }),
    )
  ).Attributes?.QueueArn;
  await events.send(
    new PutRuleCommand({
      Name: `${prefix}-observer`,
      EventBusName: resources.bus.name,
      EventPattern: JSON.stringify({ source: [...DERIVED_SOURCES] }),
    }),
  );
  await events.send(
    new PutTargetsCommand({
      Rule: `${prefix}-observer`,
      EventBusName: resources.bus.name,
      Targets: [{ Id: "observer", Arn: arn }],
    }),
  );
  return observerUrl;
}

export class LocalCity {
  /** Every derived event the observer has received so far. */
  readonly seen: Derived[] = [];

  readonly cloud: LocalCloud;
  readonly resources: ResourceMap;
  readonly functions: RunningFunctions;

  private constructor(
    private readonly city: RunningCity,
    readonly sqs: SQSClient,
    readonly events: EventBridgeClient,
    readonly docs: DynamoDBDocumentClient,
    private readonly observerUrl: string,
  ) {
    this.cloud = city.cloud;
    this.resources = city.resources;
    this.functions = city.functions;
  }

  /**
   * Boots the city. `deployed`: the topology to deploy (e.g. a lower `visibilityTimeoutFactor`
   * where a test is about the outcome, not the timeout). @default the city's topology
   */
  static async start(prefix: string, deployed: Topology = topology): Promise<LocalCity> {
    const city = await startLocalCity({
      prefix,
      topology: deployed,
      // Environments start on demand, as these outcome tests were written for: warmed pools
      // handle an alert's duplicate deliveries in parallel, and the later one then waits out its
      // zone's claim lease (60 s, functions/notification/ledger.ts) past the drain bound.
      warmUp: async () => undefined,
    });
    const config = {
      endpoint: city.cloud.endpoint,
      region: city.cloud.region,
      credentials: { accessKeyId: "test", secretAccessKey: "test" },
    };
    const sqs = new SQSClient(config);
    const events = new EventBridgeClient(config);
    const docs = DynamoDBDocumentClient.from(new DynamoDBClient(config));
    const observerUrl = await subscribeObserver(prefix, city.resources, sqs, events);
    return new LocalCity(city, sqs, events, docs, observerUrl);
  }

  async stop(): Promise<void> {
    this.sqs.destroy();
    this.events.destroy();
    this.docs.destroy();
    await this.city.stop();
  }

  /** Reads the observer queue into `seen` until `done(seen)` holds. */
  async observeUntil(
    what: string | (() => string),
    done: (all: readonly Derived[]) => boolean,
    onPoll?: (received: number) => void,
  ): Promise<void> {
    await waitFor(
      what,
      async () => {
        const r = await this.sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: this.observerUrl,
            MaxNumberOfMessages: 10,
            WaitTimeSeconds: 0,
          }),
        );
        const messages = r.Messages ?? [];
        onPoll?.(messages.length);
        for (const m of messages) {
          const body = JSON.parse(m.Body ?? "{}");
          this.seen.push({ type: body["detail-type"], detail: body.detail });
        }
        if (messages.length > 0) {
          await this.sqs.send(
            new DeleteMessageBatchCommand({
              QueueUrl: this.observerUrl,
              Entries: messages.map((m, i) => ({
                Id: String(i),
                ReceiptHandle: m.ReceiptHandle ?? "",
              })),
            }),
          );
        }
        return done(this.seen);
      },
      { timeoutMs: OUTCOME_TIMEOUT_MS, intervalMs: 100 },
    );
  }

  /**
   * Waits until the city is quiet: every consumer and intake queue (not the DLQs) holds nothing
   * visible, in flight or delayed on three polls in a row — except `stuck` (logical id → at most
   * this many messages known to stay longer); then reads the observer queue dry.
   * Counting actions before this would count a half-finished city.
   */
  async waitUntilDrained(stuck: Readonly<Record<string, number>> = {}): Promise<void> {
    const queues = Object.values(this.resources.queues).filter(
      (q) => q.role === "consumer" || q.role === "intake",
    );
    let quietPolls = 0;
    let busy: string[] = [];
    await waitFor(
      () => `every queue drained (busy: ${busy.join(", ")})`,
      async () => {
        busy = [];
        for (const [id, n] of await this.queueDepths(queues.map((q) => q.logicalId))) {
          if (n > (stuck[id] ?? 0)) busy.push(`${id}=${n}`);
        }
        quietPolls = busy.length === 0 ? quietPolls + 1 : 0;
        return quietPolls >= 3;
      },
      { timeoutMs: OUTCOME_TIMEOUT_MS, intervalMs: 200 },
    );
    let empty = false;
    await this.observeUntil(
      "the observer queue read dry",
      () => empty,
      (n) => {
        empty = n === 0;
      },
    );
  }

  /** Messages visible + in flight + delayed, per queue logical id. */
  async queueDepths(logicalIds: readonly string[]): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    for (const id of logicalIds) {
      const q = this.resources.queues[id];
      if (!q) throw new Error(`queue ${id} was not deployed`);
      const a = await this.sqs.send(
        new GetQueueAttributesCommand({
          QueueUrl: q.url,
          AttributeNames: [
            "ApproximateNumberOfMessages",
            "ApproximateNumberOfMessagesNotVisible",
            "ApproximateNumberOfMessagesDelayed",
          ],
        }),
      );
      const n = (k: string) => Number(a.Attributes?.[k as keyof typeof a.Attributes] ?? 0);
      out.set(
        id,
        n("ApproximateNumberOfMessages") +
          n("ApproximateNumberOfMessagesNotVisible") +
          n("ApproximateNumberOfMessagesDelayed"),
      );
    }
    return out;
  }

  /** The logical id of a deployed queue, by ARN. */
  queueIdOf(arn: string): string {
    return Object.values(this.resources.queues).find((q) => q.arn === arn)?.logicalId ?? arn;
  }

  /**
   * Every message in the DLQs (dead-letter and target DLQs), with its failure attributes. Reads
   * them once (they stay invisible for a minute): call at the end of a test.
   */
  async deadLetters(): Promise<DeadLetterSeen[]> {
    const out: DeadLetterSeen[] = [];
    const dlqs = Object.values(this.resources.queues).filter(isDlq);
    for (const q of dlqs) {
      for (;;) {
        const r = await this.sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: q.url,
            MaxNumberOfMessages: 10,
            WaitTimeSeconds: 0,
            VisibilityTimeout: 60,
            MessageAttributeNames: ["All"],
          }),
        );
        const messages = r.Messages ?? [];
        if (messages.length === 0) break;
        for (const m of messages) {
          const attributes = Object.fromEntries(
            Object.entries(m.MessageAttributes ?? {}).map(([k, v]) => [k, v.StringValue ?? ""]),
          );
          out.push({ queue: q.logicalId, body: m.Body ?? "", attributes });
        }
      }
    }
    return out;
  }

  /** A document of the read-models table (`{ doc, version }` items). */
  async readModel<T>(pk: string, sk: string): Promise<T | undefined> {
    const out = await this.docs.send(
      new GetCommand({
        TableName: this.resources.tables[SHARED_IDS.readModelsTable]?.name ?? "",
        Key: { pk, sk },
      }),
    );
    return out.Item?.doc as T | undefined;
  }

  /** Every event in the event store. */
  async storedEvents(): Promise<StoredEvent[]> {
    const table = this.resources.tables[SHARED_IDS.eventsTable]?.name ?? "";
    const out: StoredEvent[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.docs.send(
        new ScanCommand({ TableName: table, ExclusiveStartKey: start }),
      );
      for (const item of page.Items ?? []) {
        for (const e of (item.events ?? []) as StoredEvent[]) out.push(e);
      }
      start = page.LastEvaluatedKey;
    } while (start);
    return out;
  }

  /** The events of one stream, in version order. */
  async streamEvents(streamId: string): Promise<StoredEvent[]> {
    const page = await this.docs.send(
      new QueryCommand({
        TableName: this.resources.tables[SHARED_IDS.eventsTable]?.name ?? "",
        KeyConditionExpression: "pk = :pk",
        ExpressionAttributeValues: { ":pk": streamId },
      }),
    );
    return (page.Items ?? [])
      .flatMap((item) => (item.events ?? []) as StoredEvent[])
      .sort((a, b) => a.version - b.version);
  }
}
