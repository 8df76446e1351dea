/**
 * Test harness: a tiny node:http wrapper around the emulator's `handle()` (the gateway
 * engineer owns the real server), a recording dispatcher, and a deadline-based waiter.
 */
import { EventBridgeClient } from "@aws-sdk/client-eventbridge";
import { serveEventBridge } from "../../../local/eventbridge/http.ts";
import {
  createEventBridgeService,
  type EventBridgeObservation,
  type EventBridgeService,
  type EventBridgeServiceOptions,
  type Scheduler,
  type SqsSendOptions,
  type TargetDispatcher,
} from "../../../local/eventbridge/index.ts";

export interface Harness {
  readonly service: EventBridgeService;
  readonly client: EventBridgeClient;
  readonly endpoint: string;
  readonly observations: EventBridgeObservation[];
  close(): Promise<void>;
}

export async function startEventBridge(options: EventBridgeServiceOptions = {}): Promise<Harness> {
  const service = createEventBridgeService({ region: "us-east-1", ...options });
  const observations: EventBridgeObservation[] = [];
  service.onEvent((o) => observations.push(o));
  const http = await serveEventBridge(service);
  const endpoint = http.endpoint;
  const client = new EventBridgeClient({
    endpoint,
    region: "us-east-1",
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
    maxAttempts: 1,
  });
  return {
    service,
    client,
    endpoint,
    observations,
    async close() {
      client.destroy();
      service.close();
      await http.close();
    },
  };
}

export interface SqsDelivery {
  readonly queueArn: string;
  readonly body: string;
  readonly options: SqsSendOptions;
}

/**
 * A dispatcher that records deliveries; `failFirst` makes each target fail N times first,
 * with a retriable "ServiceUnavailable" error or the one `errorFor[arn]` makes (fault
 * injection: a missing queue, access denied, ... cannot be produced otherwise here).
 */
export class RecordingDispatcher implements TargetDispatcher {
  readonly sqs: SqsDelivery[] = [];
  readonly sns: Array<{ topicArn: string; message: string }> = [];
  readonly lambda: Array<{ functionArn: string; payload: string }> = [];
  private readonly failures = new Map<string, number>();

  constructor(
    private readonly failFirst: Record<string, number> = {},
    private readonly errorFor: Record<string, (arn: string) => unknown> = {},
  ) {}

  private maybeFail(arn: string): void {
    const limit = this.failFirst[arn] ?? 0;
    const seen = this.failures.get(arn) ?? 0;
    if (seen < limit) {
      this.failures.set(arn, seen + 1);
      const make = this.errorFor[arn];
      if (make) throw make(arn);
      const error = new Error(`Injected failure ${seen + 1} of ${limit} for ${arn}`);
      error.name = "ServiceUnavailable";
      throw error;
    }
  }

  async sendToSqs(queueArn: string, body: string, options: SqsSendOptions): Promise<unknown> {
    this.maybeFail(queueArn);
    this.sqs.push({ queueArn, body, options });
    return { MessageId: String(this.sqs.length) };
  }

  async publishToSns(topicArn: string, message: string): Promise<unknown> {
    this.maybeFail(topicArn);
    this.sns.push({ topicArn, message });
    return {};
  }

  async invokeLambda(functionArn: string, payload: string): Promise<unknown> {
    this.maybeFail(functionArn);
    this.lambda.push({ functionArn, payload });
    return {};
  }

  attempts(arn: string): number {
    return this.failures.get(arn) ?? 0;
  }

  to(queueArn: string): SqsDelivery[] {
    return this.sqs.filter((d) => d.queueArn === queueArn);
  }
}

/** Runs scheduled callbacks on the next microtask, recording the requested delays. */
export class ImmediateScheduler implements Scheduler {
  readonly delays: number[] = [];

  setTimeout(callback: () => void, delayMs: number): unknown {
    this.delays.push(delayMs);
    let cancelled = false;
    queueMicrotask(() => {
      if (!cancelled) callback();
    });
    return {
      cancel: () => {
        cancelled = true;
      },
    };
  }

  clearTimeout(handle: unknown): void {
    (handle as { cancel(): void }).cancel();
  }
}

/** Holds scheduled callbacks until the test runs them with `runNext()`. */
export class ManualScheduler implements Scheduler {
  private readonly queue: Array<{ callback: () => void; cancelled: boolean }> = [];

  setTimeout(callback: () => void): unknown {
    const entry = { callback, cancelled: false };
    this.queue.push(entry);
    return entry;
  }

  clearTimeout(handle: unknown): void {
    (handle as { cancelled: boolean }).cancelled = true;
  }

  get pending(): number {
    return this.queue.filter((e) => !e.cancelled).length;
  }

  runNext(): void {
    const entry = this.queue.shift();
    if (!entry) throw new Error("nothing scheduled");
    if (!entry.cancelled) entry.callback();
  }
}

/** Polls `condition` until it holds or the deadline passes (no fixed sleeps). */
export async function waitFor<T>(
  condition: () => T | undefined | false,
  { timeoutMs = 5000, what = "condition" }: { timeoutMs?: number; what?: string } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = condition();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline)
      throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

export const ACCOUNT = "000000000000";
export const queueArn = (name: string) => `arn:aws:sqs:us-east-1:${ACCOUNT}:${name}`;
export const busArn = (name: string) => `arn:aws:events:us-east-1:${ACCOUNT}:event-bus/${name}`;
