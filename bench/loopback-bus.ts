/**
 * The EventBridge emulator served over node:http on 127.0.0.1 (port 0), with a real SDK v3
 * client pointed at it, and a target dispatcher that records what the rules deliver.
 */
import { EventBridgeClient } from "@aws-sdk/client-eventbridge";
import { serveEventBridge } from "../local/eventbridge/http.ts";
import {
  createEventBridgeService,
  type EventBridgeService,
  type SqsSendOptions,
  type TargetDispatcher,
} from "../local/eventbridge/index.ts";

export interface LoopbackBus {
  readonly service: EventBridgeService;
  readonly client: EventBridgeClient;
  readonly endpoint: string;
  close(): Promise<void>;
}

export async function startLoopbackBus(targets: TargetDispatcher): Promise<LoopbackBus> {
  const service = createEventBridgeService({ region: "us-east-1", targets });
  const http = await serveEventBridge(service);
  const endpoint = http.endpoint;
  const client = new EventBridgeClient({
    endpoint,
    region: "us-east-1",
    credentials: { accessKeyId: "bench", secretAccessKey: "bench" },
    maxAttempts: 1,
  });
  return {
    service,
    client,
    endpoint,
    async close() {
      client.destroy();
      service.close();
      await http.close();
    },
  };
}

const OCCURRED_AT = /"occurredAt":"([^"]+)"/;

/** Counts SQS deliveries and the delay from each event's `meta.occurredAt` to its delivery. */
export class RecordingTargets implements TargetDispatcher {
  delivered = 0;
  readonly delaysMs: number[] = [];

  constructor(private readonly now: () => number = Date.now) {}

  async sendToSqs(_queueArn: string, body: string, _options: SqsSendOptions): Promise<unknown> {
    this.delivered++;
    const occurredAt = OCCURRED_AT.exec(body)?.[1];
    if (occurredAt) this.delaysMs.push(this.now() - Date.parse(occurredAt));
    return { MessageId: String(this.delivered) };
  }

  async publishToSns(topicArn: string): Promise<unknown> {
    throw new Error(`RecordingTargets: the benchmark routes only to SQS, not to ${topicArn}`);
  }

  async invokeLambda(functionArn: string): Promise<unknown> {
    throw new Error(`RecordingTargets: the benchmark routes only to SQS, not to ${functionArn}`);
  }
}
