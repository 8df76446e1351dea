/** Public contracts of the EventBridge emulator (options, dispatcher port, observations). */
import type { Clock } from "../../functions/shared/clock.ts";
import type { HopTracing } from "../xray/hops.ts";

export interface EventBridgeRequest {
  /** The `x-amz-target` header, e.g. "AWSEvents.PutEvents". */
  readonly target: string;
  /** The raw JSON request body. */
  readonly body: string;
}

export interface EventBridgeResponse {
  readonly statusCode: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

/** The wall clock every part injects (functions/shared/clock.ts). */
export type { Clock };

/** setTimeout-like scheduler used for retry backoff and replays (inject one in tests). */
export interface Scheduler {
  setTimeout(callback: () => void, delayMs: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface SqsMessageAttribute {
  readonly DataType: "String" | "Number";
  readonly StringValue: string;
}

export interface SqsSendOptions {
  readonly messageGroupId?: string;
  readonly messageDeduplicationId?: string;
  readonly messageAttributes?: Record<string, SqsMessageAttribute>;
  /** The X-Ray trace header, delivered as the message's AWSTraceHeader system attribute. */
  readonly traceHeader?: string;
}

/**
 * The port through which the emulator reaches other local services; the gateway
 * implements it. Every method rejects when delivery fails. A rejection is retried under the
 * target's RetryPolicy unless it is permanent: an error with `retryable: false` (anywhere in
 * its `cause` chain), or named like AWS's "does not exist" / "access denied" / "invalid
 * parameter" errors (`QueueDoesNotExist`, `ResourceNotFoundException`, `NotFound`,
 * `AccessDenied`, ... — PERMANENT_ERROR_NAMES in delivery/errors.ts). Permanent errors go to
 * the target's dead-letter queue at once. See README "Dispatcher errors".
 */
export interface TargetDispatcher {
  sendToSqs(queueArn: string, body: string, options: SqsSendOptions): Promise<unknown>;
  publishToSns(topicArn: string, message: string): Promise<unknown>;
  invokeLambda(functionArn: string, payloadJson: string): Promise<unknown>;
}

/** The event envelope as EventBridge delivers it. */
export interface EventEnvelope {
  version: string;
  id: string;
  "detail-type": string;
  source: string;
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: Record<string, unknown>;
  "replay-name"?: string;
  [extra: string]: unknown;
}

export interface DeliveryRef {
  readonly busName: string;
  readonly ruleName: string;
  readonly ruleArn: string;
  readonly targetId: string;
  readonly targetArn: string;
  readonly eventId: string;
}

/** Why retrying stopped (also the DLQ's EXHAUSTED_RETRY_CONDITION attribute). */
export type ExhaustedCondition = "MaximumRetryAttemptsExhausted" | "MaximumEventAgeExhausted";

/** What the observer hook sees (metrics, live console). */
export type EventBridgeObservation =
  | { readonly type: "accepted"; readonly busName: string; readonly event: EventEnvelope }
  | {
      readonly type: "matched";
      readonly busName: string;
      readonly ruleName: string;
      readonly eventId: string;
    }
  | ({ readonly type: "delivered"; readonly attempts: number } & DeliveryRef)
  | ({
      readonly type: "retrying";
      readonly attempt: number;
      readonly delayMs: number;
      readonly error: string;
    } & DeliveryRef)
  | ({
      readonly type: "failed";
      readonly attempts: number;
      readonly error: string;
      /** false when the error was permanent (target missing, access denied, ...): no retries. */
      readonly retryable: boolean;
      /** Set when retries ran out; absent for a permanent (non-retriable) error. */
      readonly exhaustedCondition?: ExhaustedCondition;
    } & DeliveryRef)
  | ({ readonly type: "dead-lettered"; readonly deadLetterArn: string } & DeliveryRef)
  | ({
      readonly type: "dead-letter-failed";
      readonly deadLetterArn: string;
      readonly error: string;
    } & DeliveryRef)
  | { readonly type: "archived"; readonly archiveName: string; readonly eventId: string }
  | {
      readonly type: "replay-state";
      readonly replayName: string;
      readonly state: string;
      /** Events put back on the bus so far, and events selected for the replay. */
      readonly replayedCount: number;
      readonly totalCount: number;
    };

export type EventBridgeObserver = (observation: EventBridgeObservation) => void;

export interface PutEventsEntryInput {
  Source?: string;
  DetailType?: string;
  Detail?: string;
  Resources?: string[];
  EventBusName?: string;
  /** Epoch seconds (as the SDK sends it), a Date, or an ISO string. */
  Time?: number | string | Date;
  TraceHeader?: string;
}

export interface PutEventsResultEntry {
  EventId?: string;
  ErrorCode?: string;
  ErrorMessage?: string;
}

export interface PutEventsResult {
  FailedEntryCount: number;
  Entries: PutEventsResultEntry[];
}

export interface EventBridgeServiceOptions {
  /** @default "us-east-1" */
  readonly region?: string;
  /** @default LOCAL_ACCOUNT (local/account.ts) */
  readonly accountId?: string;
  /** @default Date.now */
  readonly clock?: Clock;
  /** @default the global setTimeout/clearTimeout */
  readonly scheduler?: Scheduler;
  /** Uniform [0, 1) source for backoff jitter. @default Math.random */
  readonly random?: () => number;
  /** Event id generator. @default crypto.randomUUID */
  readonly newId?: () => string;
  /** Delivery port to SQS/SNS/Lambda. @default one that rejects every delivery */
  readonly targets?: TargetDispatcher;
  /** First retry delay before jitter, ms. @default 1000 */
  readonly retryBaseDelayMs?: number;
  /** Cap of the retry delay, ms. @default 60000 */
  readonly retryMaxDelayMs?: number;
  /**
   * PutEvents total request size limit in bytes (AWS's size accounting).
   * @default 262144 (256 KiB; AWS has announced 1 MiB in some regions)
   */
  readonly maxRequestBytes?: number;
  /**
   * Directory of the delivery journal (delivery/journal.ts): deliveries still owed are written
   * there before PutEvents answers and resumed by the next service on the same directory.
   * @default none: in memory only, lost with the process
   */
  readonly dataDir?: string;
  /** Joins each event's X-Ray trace (local/xray/hops.ts). @default none: nothing traced */
  readonly tracing?: HopTracing;
}

export interface EventBridgeService {
  handle(request: EventBridgeRequest): Promise<EventBridgeResponse>;
  /** In-process PutEvents with the same validation and result shape as the API. */
  putEvents(entries: PutEventsEntryInput[]): Promise<PutEventsResult>;
  /** Subscribes to deliveries, failures and archive/replay progress; returns unsubscribe. */
  onEvent(observer: EventBridgeObserver): () => void;
  /** Resolves when no delivery or replay is in flight (retries scheduled count as in flight). */
  idle(): Promise<void>;
  /** Drops archived events older than their archive's retention. */
  pruneArchives(): void;
  /**
   * Deliveries still owed (first attempts in flight, retries waiting): the exact total and at
   * most `limit` (default 100,000) of them by event id and target ARN.
   */
  pending(limit?: number): {
    readonly total: number;
    readonly deliveries: ReadonlyArray<{ readonly eventId: string; readonly targetArn: string }>;
  };
  /** Stops retry and replay timers; pending deliveries are dropped (kept in the journal, if any). */
  close(): void;
}
