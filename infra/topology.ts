/**
 * The wiring of Buzz Ville, declared once as data. The CDK constructs (infra/) render it for
 * AWS; the local cloud (local/) renders the same data on one machine; `npm run diagram` prints
 * it as mermaid. Only logical ids live here: physical names are chosen by CloudFormation on AWS
 * and by the local deployment locally.
 */
import type { Priority } from "../events/envelope.ts";
import {
  ALERT_TYPES,
  DERIVED_SOURCES,
  INCIDENT_TYPES,
  PUBLIC_TYPES,
  type ResourceRef,
  type ServiceName,
  type Source,
} from "../events/names.ts";

export type { Priority } from "../events/envelope.ts";

/** An EventBridge event pattern, as JSON. */
export type EventPattern = { readonly [key: string]: unknown };

export type { ResourceRef, ServiceName } from "../events/names.ts";
export { RESOURCE_ENV } from "../events/names.ts";

export interface FunctionSpec {
  /** Logical id, PascalCase (e.g. "Emergency"). */
  readonly id: string;
  readonly service: ServiceName;
  /** Handler module, relative to the repository root; it exports `handler`. */
  readonly entry: string;
  readonly timeoutSeconds: number;
  readonly memoryMb: number;
  /** Resources the function reads or writes (granted on AWS, passed as env vars everywhere). */
  readonly uses: readonly ResourceRef[];
  /**
   * Invoke the function with an empty batch (`{"Records": []}`) every this many minutes, so work
   * it holds for a bounded time (traffic gaps, rate-limited media posts, analytics windows) is
   * swept even when the city is quiet. Unset: no schedule.
   */
  readonly sweepEveryMinutes?: number;
}

/**
 * Per-key ordering: the rule delivers to a standard intake queue; an EventBridge Pipe moves each
 * message to a FIFO queue with MessageGroupId taken from the event (docs/ARCHITECTURE.md, "Per-key ordering").
 */
export interface OrderingSpec {
  /** JSONPath in the EventBridge event of the FIFO MessageGroupId, e.g. `$.detail.meta.intersectionId`. */
  readonly groupIdPath: string;
  /** JSONPath of the FIFO MessageDeduplicationId, e.g. `$.detail.meta.eventId`. */
  readonly dedupIdPath: string;
}

export interface SubscriptionSpec {
  /** Logical id, PascalCase (e.g. "EmergencyCritical"); names the rule and the queues. */
  readonly id: string;
  readonly description: string;
  /** The EventBridge rule's event pattern. */
  readonly pattern: EventPattern;
  readonly priority: Priority;
  /** When set: rule -> intake queue -> pipe -> FIFO queue -> function. Otherwise rule -> queue -> function. */
  readonly ordering?: OrderingSpec;
  /** Logical id of the consuming function (a FunctionSpec id). */
  readonly functionId: string;
  /** SQS event source batch size. */
  readonly batchSize: number;
  /** SQS event source batching window, seconds (0 for critical: no waiting). */
  readonly maxBatchingWindowSeconds: number;
  /** SQS event source maximum concurrency (2..1000). */
  readonly maxConcurrency: number;
}

/**
 * Crisis mode (docs/OPERATIONS.md, "Crisis mode"): when critical work backs up, the `info`
 * subscriptions are shed (their rules disabled) until it has drained, with hysteresis. The same
 * thresholds drive the CloudWatch alarm on AWS and the local monitor (functions/crisis/decide.ts).
 */
export interface CrisisSpec {
  /** Enter crisis when a critical queue's oldest message is older than this, seconds. */
  readonly enterOldestSeconds: number;
  /** ...or when the critical queues hold more than this many messages in total. */
  readonly enterDepth: number;
  /** Leave only when the oldest critical message is younger than this, seconds... */
  readonly exitOldestSeconds: number;
  /** ...and the critical queues hold at most this many messages... */
  readonly exitDepth: number;
  /** ...for this many consecutive checks (one a minute on AWS: the alarm's periods). */
  readonly calmChecks: number;
  /** The priority whose subscriptions are shed. */
  readonly shedPriority: Priority;
}

export interface Topology {
  /** When and what to shed under critical backlog. */
  readonly crisis: CrisisSpec;
  readonly functions: readonly FunctionSpec[];
  readonly subscriptions: readonly SubscriptionSpec[];
  /** Every queue's redrive to its DLQ after this many receives. */
  readonly maxReceiveCount: number;
  /** EventBridge rule target retry policy. */
  readonly targetRetry: {
    readonly maximumRetryAttempts: number;
    readonly maximumEventAgeSeconds: number;
  };
  /** Visibility timeout = function timeout x this factor (AWS recommends at least 6 with batching windows). */
  readonly visibilityTimeoutFactor: number;
}

const ALL_CITY_SOURCES = { source: [{ prefix: "buzzville." }] } as const;
const NOT_DERIVED = [{ "anything-but": [...DERIVED_SOURCES] as Source[] }];
/**
 * Side-effecting consumers (dispatch, citizen alerts, press) never see archive replays: EventBridge
 * marks a replayed event with a top-level `replay-name` (docs/OPERATIONS.md, "Replay").
 */
const NOT_REPLAYED = { "replay-name": [{ exists: false }] } as const;

export const topology: Topology = {
  crisis: {
    enterOldestSeconds: 30,
    enterDepth: 1_000,
    exitOldestSeconds: 5,
    exitDepth: 10,
    calmChecks: 3,
    shedPriority: "info",
  },
  maxReceiveCount: 3,
  targetRetry: { maximumRetryAttempts: 8, maximumEventAgeSeconds: 3600 },
  visibilityTimeoutFactor: 6,
  functions: [
    {
      id: "Emergency",
      service: "emergency",
      entry: "functions/emergency/handler.ts",
      timeoutSeconds: 10,
      memoryMb: 512,
      uses: ["bus", "readModelsTable", "idempotencyTable"],
    },
    {
      id: "Notification",
      service: "notification",
      entry: "functions/notification/handler.ts",
      timeoutSeconds: 10,
      memoryMb: 512,
      uses: ["bus", "readModelsTable", "idempotencyTable", "citizenAlertsTopic"],
    },
    {
      id: "Traffic",
      service: "traffic",
      entry: "functions/traffic/handler.ts",
      timeoutSeconds: 10,
      memoryMb: 256,
      uses: ["bus", "readModelsTable", "idempotencyTable"],
      sweepEveryMinutes: 1,
    },
    {
      id: "EventStore",
      service: "event-store",
      entry: "functions/event-store/handler.ts",
      timeoutSeconds: 10,
      memoryMb: 256,
      uses: ["eventsTable"],
    },
    {
      id: "Media",
      service: "media",
      entry: "functions/media/handler.ts",
      timeoutSeconds: 10,
      memoryMb: 256,
      uses: ["bus", "readModelsTable", "idempotencyTable", "mediaTopic"],
      sweepEveryMinutes: 1,
    },
    {
      id: "Analytics",
      service: "analytics",
      entry: "functions/analytics/handler.ts",
      timeoutSeconds: 30,
      memoryMb: 512,
      uses: ["bus", "readModelsTable"],
      sweepEveryMinutes: 1,
    },
  ],
  subscriptions: [
    {
      id: "EmergencyCritical",
      description:
        "Critical incidents (fire, smoke, gas, accident, intrusion, red weather) to emergency dispatch",
      pattern: {
        ...NOT_REPLAYED,
        source: NOT_DERIVED,
        "detail-type": [...INCIDENT_TYPES],
        detail: { meta: { priority: ["critical"] } },
      },
      priority: "critical",
      functionId: "Emergency",
      batchSize: 1,
      maxBatchingWindowSeconds: 0,
      maxConcurrency: 20,
    },
    {
      id: "NotificationCritical",
      description: "Critical and high alerts to citizens, no batching",
      pattern: {
        ...NOT_REPLAYED,
        source: NOT_DERIVED,
        "detail-type": [...ALERT_TYPES],
        detail: { meta: { priority: ["critical", "high"] } },
      },
      priority: "critical",
      functionId: "Notification",
      batchSize: 1,
      maxBatchingWindowSeconds: 0,
      maxConcurrency: 10,
    },
    {
      id: "NotificationBulk",
      description: "Normal and info alerts to citizens, batched; may be shed in a crisis",
      pattern: {
        ...NOT_REPLAYED,
        source: NOT_DERIVED,
        "detail-type": [...ALERT_TYPES],
        detail: { meta: { priority: ["normal", "info"] } },
      },
      priority: "normal",
      functionId: "Notification",
      batchSize: 10,
      maxBatchingWindowSeconds: 5,
      maxConcurrency: 2,
    },
    {
      id: "TrafficSignals",
      description: "Every event at an intersection, in order per intersection",
      pattern: { ...ALL_CITY_SOURCES, detail: { meta: { intersectionId: [{ exists: true }] } } },
      priority: "high",
      ordering: {
        groupIdPath: "$.detail.meta.intersectionId",
        dedupIdPath: "$.detail.meta.eventId",
      },
      functionId: "Traffic",
      batchSize: 10,
      maxBatchingWindowSeconds: 0,
      maxConcurrency: 10,
    },
    {
      id: "EventStore",
      description: "Every city event, appended to its stream in order per stream",
      pattern: { ...ALL_CITY_SOURCES },
      priority: "high",
      ordering: { groupIdPath: "$.detail.meta.streamId", dedupIdPath: "$.detail.meta.eventId" },
      functionId: "EventStore",
      batchSize: 10,
      maxBatchingWindowSeconds: 0,
      maxConcurrency: 10,
    },
    {
      id: "Media",
      description: "Public-safe events to the press",
      pattern: { ...NOT_REPLAYED, ...ALL_CITY_SOURCES, "detail-type": [...PUBLIC_TYPES] },
      priority: "info",
      functionId: "Media",
      batchSize: 10,
      maxBatchingWindowSeconds: 10,
      maxConcurrency: 2,
    },
    {
      id: "Analytics",
      description: "Every city event, counted per zone and minute",
      pattern: { ...ALL_CITY_SOURCES },
      priority: "info",
      functionId: "Analytics",
      batchSize: 100,
      maxBatchingWindowSeconds: 5,
      maxConcurrency: 2,
    },
  ],
};

/** The function a subscription feeds; throws with the missing id if the topology is inconsistent. */
export function functionOf(t: Topology, sub: SubscriptionSpec): FunctionSpec {
  const fn = t.functions.find((f) => f.id === sub.functionId);
  if (!fn) {
    throw new Error(
      `Subscription "${sub.id}" names function "${sub.functionId}", which the topology does not declare (declared: ${t.functions.map((f) => f.id).join(", ")})`,
    );
  }
  return fn;
}
