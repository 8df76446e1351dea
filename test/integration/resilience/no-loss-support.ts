/**
 * What the no-loss test (no-loss.test.ts) runs and reads: the city in a child process it can kill
 * with SIGKILL (fixtures/faulty-city.ts), the workload, and readers of the event store and the
 * queues over the real wire protocols.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { EventBridgeClient, PutEventsCommand } from "@aws-sdk/client-eventbridge";
import { GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { DynamoDBDocumentClient, ScanCommand } from "@aws-sdk/lib-dynamodb";
import { expect } from "vitest";
import type { AnyCityEvent } from "../../../events/catalog.ts";
import { isDlq, SHARED_IDS } from "../../../infra/resources.ts";
import type { ResourceMap } from "../../../local/resource-map.ts";
import { LOCAL_CREDENTIALS } from "../../../local/targets.ts";
import { waitFor } from "../../support/wait.ts";
import type { PlannedEvent } from "./no-loss-workload.ts";

/** A child city: its process, endpoint, deployed resources and clients on it. */
export interface ChildCity {
  readonly child: ChildProcess;
  readonly resources: ResourceMap;
  readonly events: EventBridgeClient;
  readonly sqs: SQSClient;
  readonly docs: DynamoDBDocumentClient;
  /** Whatever the child printed on stderr (the cloud's and the functions' errors). */
  readonly stderr: () => string;
  /** SIGKILL, then waits for the exit. */
  kill(): Promise<void>;
  /** SIGTERM (a clean stop), then waits for the exit. */
  stop(): Promise<void>;
}

/** Boots fixtures/faulty-city.ts in a child process on `dataDir`; resolves once it serves. */
export async function startChildCity(dataDir: string, faultsDir: string): Promise<ChildCity> {
  const child = spawn(
    process.execPath,
    ["--import", "tsx", "test/integration/resilience/fixtures/faulty-city.ts", dataDir, faultsDir],
    {
      cwd: process.cwd(),
      stdio: ["ignore", "pipe", "pipe"],
      // No X-Ray traces: nothing here reads them (docs/OPERATIONS.md "Traces").
      env: { ...process.env, BUZZVILLE_TRACING: "off" },
    },
  );
  let out = "";
  let err = "";
  child.stdout?.on("data", (d: Buffer) => {
    out += d.toString();
  });
  child.stderr?.on("data", (d: Buffer) => {
    err = (err + d.toString()).slice(-20_000);
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const line = await waitFor(
    () => `the child city to serve (stdout: ${out}; stderr: ${err.slice(-2000)})`,
    () => {
      if (child.exitCode !== null) throw new Error(`the child city exited ${child.exitCode}`);
      return /^ready (.+)$/m.exec(out)?.[1];
    },
    { timeoutMs: 180_000, intervalMs: 100 },
  );
  const { endpoint, resources } = JSON.parse(line) as { endpoint: string; resources: ResourceMap };
  const config = { endpoint, region: resources.region, credentials: LOCAL_CREDENTIALS };
  const events = new EventBridgeClient(config);
  const sqs = new SQSClient(config);
  const docs = DynamoDBDocumentClient.from(new DynamoDBClient(config));
  const end = async (signal: NodeJS.Signals) => {
    events.destroy();
    sqs.destroy();
    docs.destroy();
    if (child.exitCode === null) child.kill(signal);
    await exited;
  };
  return {
    child,
    resources,
    events,
    sqs,
    docs,
    stderr: () => err,
    kill: () => end("SIGKILL"),
    stop: () => end("SIGTERM"),
  };
}

/** Streams published at once, each on a lane of its own (PutEvents calls of ten in flight). */
const PUBLISH_LANES = 10;

/**
 * Publishes `list`: each event stamped just before its PutEvents (occurredAt: then), ten per
 * call, every entry accepted. A stream's events go in their order, stream after stream on each
 * of PUBLISH_LANES lanes (a stream's lane: round robin in first-seen order). Resolves with the
 * events sent, in no particular order.
 */
export async function publish(
  city: ChildCity,
  list: readonly PlannedEvent[],
): Promise<AnyCityEvent[]> {
  const streams = new Map<string, PlannedEvent[]>();
  for (const p of list) streams.set(p.stream, [...(streams.get(p.stream) ?? []), p]);
  const lanes: PlannedEvent[][] = Array.from({ length: PUBLISH_LANES }, () => []);
  [...streams.values()].forEach((events, i) => {
    lanes[i % PUBLISH_LANES]?.push(...events);
  });
  const sent = await Promise.all(lanes.map((lane) => publishInOrder(city, lane)));
  return sent.flat();
}

async function publishInOrder(
  city: ChildCity,
  list: readonly PlannedEvent[],
): Promise<AnyCityEvent[]> {
  const sent: AnyCityEvent[] = [];
  for (let i = 0; i < list.length; i += 10) {
    const batch = list.slice(i, i + 10).map((p) => p.stamp());
    const out = await city.events.send(
      new PutEventsCommand({
        Entries: batch.map((e) => ({
          EventBusName: city.resources.bus.name,
          Source: e.source,
          DetailType: e.detailType,
          Detail: JSON.stringify(e.detail),
        })),
      }),
    );
    expect(out.FailedEntryCount ?? 0).toBe(0);
    sent.push(...batch);
  }
  return sent;
}

/** The event store read back: each event id's count, and every (stream, type, id) stored. */
export interface Stored {
  readonly counts: Map<string, number>;
  readonly byStream: { readonly pk: string; readonly type: string; readonly id: string }[];
}

/** Scans the event store (commit items list their events' ids and types). */
export async function storedEvents(city: ChildCity): Promise<Stored> {
  const counts = new Map<string, number>();
  const byStream: { pk: string; type: string; id: string }[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const out = await city.docs.send(
      new ScanCommand({
        TableName: city.resources.tables[SHARED_IDS.eventsTable]?.name,
        ProjectionExpression: "pk, eventIds, eventTypes",
        ExclusiveStartKey: start,
        ConsistentRead: true,
      }),
    );
    for (const item of out.Items ?? []) {
      const ids = [...((item.eventIds ?? []) as Iterable<string>)];
      const types = (item.eventTypes ?? []) as string[];
      ids.forEach((id, i) => {
        counts.set(id, (counts.get(id) ?? 0) + 1);
        byStream.push({ pk: String(item.pk), type: types[i] ?? "", id });
      });
    }
    start = out.LastEvaluatedKey;
  } while (start);
  return { counts, byStream };
}

/** Visible + in flight + delayed messages of each queue with one of `roles`, by logical id. */
export async function queueDepths(
  city: ChildCity,
  roles: readonly string[],
): Promise<Map<string, number>> {
  const queues = Object.values(city.resources.queues).filter((q) => roles.includes(q.role));
  const depths = await Promise.all(
    queues.map(async (q) => {
      const out = await city.sqs.send(
        new GetQueueAttributesCommand({
          QueueUrl: q.url,
          AttributeNames: [
            "ApproximateNumberOfMessages",
            "ApproximateNumberOfMessagesNotVisible",
            "ApproximateNumberOfMessagesDelayed",
          ],
        }),
      );
      const n = (k: keyof NonNullable<typeof out.Attributes>) => Number(out.Attributes?.[k] ?? 0);
      return [
        q.logicalId,
        n("ApproximateNumberOfMessages") +
          n("ApproximateNumberOfMessagesNotVisible") +
          n("ApproximateNumberOfMessagesDelayed"),
      ] as const;
    }),
  );
  return new Map(depths);
}

/**
 * What the DLQs hold, by logical id: each message's `failureReason: failureMessage` (the
 * functions' attributes) or its body's start. Read once at the end (they turn invisible).
 */
export async function deadLetters(city: ChildCity): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  const dlqs = Object.values(city.resources.queues).filter(isDlq);
  for (const q of dlqs) {
    for (;;) {
      const r = await city.sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: q.url,
          MaxNumberOfMessages: 10,
          VisibilityTimeout: 600,
          MessageAttributeNames: ["All"],
        }),
      );
      if (!r.Messages?.length) break;
      for (const m of r.Messages) {
        const a = m.MessageAttributes ?? {};
        const why = a.failureReason
          ? `${a.failureReason.StringValue}: ${a.failureMessage?.StringValue ?? ""}`
          : (m.Body ?? "").slice(0, 300);
        out[q.logicalId] = [...(out[q.logicalId] ?? []), why];
      }
    }
  }
  return out;
}

/** The lines of a file the faulty Dispatch API writes, none when it does not exist yet. */
export function faultLines(dir: string, name: string): string[] {
  try {
    return readFileSync(join(dir, name), "utf8").split("\n").filter(Boolean);
  } catch {
    return [];
  }
}
