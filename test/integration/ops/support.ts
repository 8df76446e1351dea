/** The local cloud with the topology deployed, and a way to call an ops command's main(argv). */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { EventBridgeClient, PutEventsCommand } from "@aws-sdk/client-eventbridge";
import {
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
} from "@aws-sdk/client-sqs";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { AnyCityEvent } from "../../../events/catalog.ts";
import { topology } from "../../../infra/topology.ts";
import { type LocalCloud, startLocalCloud } from "../../../local/cloud.ts";
import { deployTopology } from "../../../local/deploy.ts";
import type { ResourceMap } from "../../../local/resource-map.ts";

export { waitFor } from "../../support/wait.ts";

export const PREFIX = "ops-it";

export interface OpsHarness {
  readonly cloud: LocalCloud;
  readonly resources: ResourceMap;
  readonly sqs: SQSClient;
  readonly events: EventBridgeClient;
  readonly documents: DynamoDBDocumentClient;
  /** Flags that point an ops command at this cloud. */
  readonly target: string[];
  stop(): Promise<void>;
}

export async function startOpsCloud(): Promise<OpsHarness> {
  const cloud = await startLocalCloud({ port: 0 });
  const resources = await deployTopology({
    endpoint: cloud.endpoint,
    region: cloud.region,
    topology,
    prefix: PREFIX,
  });
  const config = {
    endpoint: cloud.endpoint,
    region: cloud.region,
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
  };
  const sqs = new SQSClient(config);
  const events = new EventBridgeClient(config);
  const documents = DynamoDBDocumentClient.from(new DynamoDBClient(config));
  return {
    cloud,
    resources,
    sqs,
    events,
    documents,
    target: ["--endpoint", cloud.endpoint, "--prefix", PREFIX],
    async stop() {
      sqs.destroy();
      events.destroy();
      documents.destroy();
      await cloud.stop();
    },
  };
}

export interface Captured {
  readonly code: number;
  readonly out: string;
  readonly err: string;
}

/** Runs a command's main with captured output and the given environment (default: empty). */
export async function capture(
  main: (argv: readonly string[], io: never) => Promise<number>,
  argv: readonly string[],
  env: Readonly<Record<string, string>> = {},
): Promise<Captured> {
  let out = "";
  let err = "";
  const io = {
    stdout: { write: (t: string) => (out += t) },
    stderr: { write: (t: string) => (err += t) },
    env,
    sleep: (ms: number) => new Promise<void>((r) => setTimeout(r, ms)),
  };
  const code = await main(argv, io as never);
  return { code, out, err };
}

export function queueUrl(h: OpsHarness, logicalId: string): string {
  const q = h.resources.queues[logicalId];
  if (!q) throw new Error(`no queue ${logicalId} in the deployment`);
  return q.url;
}

export async function depth(h: OpsHarness, url: string): Promise<number> {
  const out = await h.sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: url,
      AttributeNames: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
    }),
  );
  const a = out.Attributes ?? {};
  return (
    Number(a.ApproximateNumberOfMessages ?? 0) +
    Number(a.ApproximateNumberOfMessagesNotVisible ?? 0)
  );
}

/** Receives (and deletes) every visible message of a queue: their bodies. */
export async function drain(h: OpsHarness, url: string): Promise<string[]> {
  const bodies: string[] = [];
  for (;;) {
    const out = await h.sqs.send(
      new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }),
    );
    const page = out.Messages ?? [];
    if (page.length === 0) return bodies;
    for (const m of page) {
      bodies.push(m.Body ?? "");
      await h.sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: m.ReceiptHandle }));
    }
  }
}

export async function publish(h: OpsHarness, events: readonly AnyCityEvent[]): Promise<void> {
  const out = await h.events.send(
    new PutEventsCommand({
      Entries: events.map((e) => ({
        EventBusName: h.resources.bus.name,
        Source: e.source,
        DetailType: e.detailType,
        Detail: JSON.stringify(e.detail),
      })),
    }),
  );
  if ((out.FailedEntryCount ?? 0) > 0) {
    throw new Error(`PutEvents failed: ${JSON.stringify(out.Entries)}`);
  }
}
