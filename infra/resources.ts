/**
 * The resources the topology renders to, by CloudFormation logical id — a pure function of the
 * topology, with no CDK in it. The CDK stack names its resources with these ids (it overrides the
 * generated logical ids), and the local cloud can render the same list, so a test can compare
 * the local deployment with the synthesized template one id at a time.
 */
import { TopologyError } from "./errors.ts";
import {
  type FunctionSpec,
  functionOf,
  RESOURCE_ENV,
  type ResourceRef,
  type SubscriptionSpec,
  type Topology,
} from "./topology.ts";

/** Logical ids of the shared (non-topology) resources. */
export const SHARED_IDS = {
  bus: "CityBus",
  archive: "CityBusArchive",
  eventsTable: "EventsTable",
  readModelsTable: "ReadModelsTable",
  idempotencyTable: "IdempotencyTable",
  citizenAlertsTopic: "CitizenAlertsTopic",
  mediaTopic: "MediaPostsTopic",
  dashboard: "OpsDashboard",
  alarmTopic: "OpsAlarmTopic",
} as const;

/** The logical id of the resource behind each `uses` entry. */
export const RESOURCE_LOGICAL_ID: Readonly<Record<ResourceRef, string>> = {
  bus: SHARED_IDS.bus,
  eventsTable: SHARED_IDS.eventsTable,
  readModelsTable: SHARED_IDS.readModelsTable,
  idempotencyTable: SHARED_IDS.idempotencyTable,
  citizenAlertsTopic: SHARED_IDS.citizenAlertsTopic,
  mediaTopic: SHARED_IDS.mediaTopic,
};

/** Logical ids derived from topology ids. */
export const ids = {
  rule: (sub: SubscriptionSpec) => `${sub.id}Rule`,
  targetDlq: (sub: SubscriptionSpec) => `${sub.id}TargetDlq`,
  intakeQueue: (sub: SubscriptionSpec) => `${sub.id}IntakeQueue`,
  intakeDlq: (sub: SubscriptionSpec) => `${sub.id}IntakeDlq`,
  pipe: (sub: SubscriptionSpec) => `${sub.id}Pipe`,
  pipeRole: (sub: SubscriptionSpec) => `${sub.id}PipeRole`,
  /** The queue the function consumes (FIFO when the subscription is ordered). */
  queue: (sub: SubscriptionSpec) => `${sub.id}Queue`,
  dlq: (sub: SubscriptionSpec) => `${sub.id}Dlq`,
  eventSource: (sub: SubscriptionSpec) => `${sub.id}EventSource`,
  function: (fn: FunctionSpec) => `${fn.id}Function`,
  logGroup: (fn: FunctionSpec) => `${fn.id}LogGroup`,
} as const;

/** How long a DLQ keeps messages (the SQS maximum), seconds. */
export const DLQ_RETENTION_SECONDS = 14 * 24 * 3600;
/** How long a working queue keeps messages (the SQS default), seconds. */
export const QUEUE_RETENTION_SECONDS = 4 * 24 * 3600;
/** The static input template of every pipe: forward the EventBridge event (the SQS body) as is. */
export const PIPE_INPUT_TEMPLATE = "<$.body>";

export type QueueRole = "consumer" | "intake" | "dlq" | "target-dlq";

/** A dead-letter queue: a consumer's DLQ or a rule target's. */
export const isDlq = (q: { readonly role: QueueRole }): boolean =>
  q.role === "dlq" || q.role === "target-dlq";

export interface ExpectedQueue {
  readonly logicalId: string;
  readonly role: QueueRole;
  readonly subscriptionId: string;
  readonly fifo: boolean;
  readonly visibilityTimeoutSeconds: number;
  readonly retentionSeconds: number;
  /** Redrive target; absent on DLQs. */
  readonly deadLetterQueue?: { readonly logicalId: string; readonly maxReceiveCount: number };
}

export interface ExpectedRule {
  readonly logicalId: string;
  readonly subscriptionId: string;
  readonly description: string;
  readonly pattern: Readonly<Record<string, unknown>>;
  /** The queue the rule targets: the intake queue when ordered, else the consumer queue. */
  readonly targetQueue: string;
  readonly targetDeadLetterQueue: string;
  readonly maximumRetryAttempts: number;
  readonly maximumEventAgeSeconds: number;
}

export interface ExpectedPipe {
  readonly logicalId: string;
  readonly subscriptionId: string;
  readonly sourceQueue: string;
  readonly targetQueue: string;
  /**
   * The pipe's MessageGroupId path. The pipe's source event is the SQS record, whose `body` is the
   * EventBridge event, so the topology's `$.detail...` becomes `$.body.detail...`.
   */
  readonly messageGroupIdPath: string;
  readonly messageDeduplicationIdPath: string;
  /** The topology's paths, relative to the EventBridge event. */
  readonly groupIdPath: string;
  readonly dedupIdPath: string;
  readonly inputTemplate: string;
}

export interface ExpectedFunction {
  readonly logicalId: string;
  readonly functionId: string;
  readonly service: string;
  readonly entry: string;
  readonly timeoutSeconds: number;
  readonly memoryMb: number;
  /** Environment variable name -> logical id of the resource it names. */
  readonly resourceEnv: Readonly<Record<string, string>>;
}

export interface ExpectedEventSource {
  readonly logicalId: string;
  readonly subscriptionId: string;
  readonly queue: string;
  readonly function: string;
  readonly batchSize: number;
  readonly maxBatchingWindowSeconds: number;
  readonly maxConcurrency: number;
  readonly reportBatchItemFailures: true;
}

export interface ExpectedResources {
  readonly bus: string;
  readonly queues: readonly ExpectedQueue[];
  readonly rules: readonly ExpectedRule[];
  readonly pipes: readonly ExpectedPipe[];
  readonly functions: readonly ExpectedFunction[];
  readonly eventSources: readonly ExpectedEventSource[];
}

/** `$.detail.meta.x` (relative to the EventBridge event) -> `$.body.detail.meta.x` (SQS record). */
export function pipeSourcePath(eventPath: string): string {
  if (!eventPath.startsWith("$.")) {
    throw new TopologyError(
      `Ordering path ${JSON.stringify(eventPath)} must be a JSONPath starting with "$." (e.g. "$.detail.meta.intersectionId")`,
    );
  }
  return `$.body.${eventPath.slice(2)}`;
}

/** Visibility timeout of the queue a function consumes: function timeout x the topology factor. */
export function visibilityTimeoutSeconds(t: Topology, sub: SubscriptionSpec): number {
  return functionOf(t, sub).timeoutSeconds * t.visibilityTimeoutFactor;
}

/** What a subscription's resources are tuned by (the topology's values, or a construct's props). */
export interface SubscriptionSettings {
  readonly visibilityTimeoutSeconds: number;
  readonly maxReceiveCount: number;
  readonly maximumRetryAttempts: number;
  readonly maximumEventAgeSeconds: number;
}

/**
 * The resources of one subscription, decided once: its queues (with their DLQs), its rule and,
 * when ordered, its pipe. The CDK construct (constructs/city-subscription.ts) and the local
 * deployment (local/deploy.ts, through `expectedResources`) both render this.
 */
export interface SubscriptionResources {
  /** Creation order: the target DLQ, [intake queue, its DLQ,] consumer queue, its DLQ. */
  readonly queues: readonly ExpectedQueue[];
  readonly rule: ExpectedRule;
  /** Ordered subscriptions only: intake queue -> pipe -> FIFO consumer queue. */
  readonly pipe?: ExpectedPipe;
}

export function subscriptionResources(
  sub: SubscriptionSpec,
  settings: SubscriptionSettings,
): SubscriptionResources {
  const queue = (
    logicalId: string,
    role: QueueRole,
    fifo: boolean,
    deadLetterQueue?: string,
  ): ExpectedQueue => ({
    logicalId,
    role,
    subscriptionId: sub.id,
    fifo,
    visibilityTimeoutSeconds: settings.visibilityTimeoutSeconds,
    retentionSeconds: deadLetterQueue ? QUEUE_RETENTION_SECONDS : DLQ_RETENTION_SECONDS,
    ...(deadLetterQueue
      ? {
          deadLetterQueue: {
            logicalId: deadLetterQueue,
            maxReceiveCount: settings.maxReceiveCount,
          },
        }
      : {}),
  });
  const fifo = sub.ordering !== undefined;
  const intake = sub.ordering
    ? [
        queue(ids.intakeQueue(sub), "intake", false, ids.intakeDlq(sub)),
        queue(ids.intakeDlq(sub), "dlq", false),
      ]
    : [];
  return {
    queues: [
      queue(ids.targetDlq(sub), "target-dlq", false),
      ...intake,
      queue(ids.queue(sub), "consumer", fifo, ids.dlq(sub)),
      queue(ids.dlq(sub), "dlq", fifo),
    ],
    rule: {
      logicalId: ids.rule(sub),
      subscriptionId: sub.id,
      description: sub.description,
      pattern: sub.pattern,
      targetQueue: sub.ordering ? ids.intakeQueue(sub) : ids.queue(sub),
      targetDeadLetterQueue: ids.targetDlq(sub),
      maximumRetryAttempts: settings.maximumRetryAttempts,
      maximumEventAgeSeconds: settings.maximumEventAgeSeconds,
    },
    ...(sub.ordering ? { pipe: orderingPipe(sub, sub.ordering) } : {}),
  };
}

function orderingPipe(
  sub: SubscriptionSpec,
  ordering: NonNullable<SubscriptionSpec["ordering"]>,
): ExpectedPipe {
  return {
    logicalId: ids.pipe(sub),
    subscriptionId: sub.id,
    sourceQueue: ids.intakeQueue(sub),
    targetQueue: ids.queue(sub),
    messageGroupIdPath: pipeSourcePath(ordering.groupIdPath),
    messageDeduplicationIdPath: pipeSourcePath(ordering.dedupIdPath),
    groupIdPath: ordering.groupIdPath,
    dedupIdPath: ordering.dedupIdPath,
    inputTemplate: PIPE_INPUT_TEMPLATE,
  };
}

/** Every queue, rule, pipe, function and event source mapping the topology renders to. */
export function expectedResources(t: Topology): ExpectedResources {
  const perSubscription = t.subscriptions.map((sub) =>
    subscriptionResources(sub, {
      visibilityTimeoutSeconds: visibilityTimeoutSeconds(t, sub),
      maxReceiveCount: t.maxReceiveCount,
      maximumRetryAttempts: t.targetRetry.maximumRetryAttempts,
      maximumEventAgeSeconds: t.targetRetry.maximumEventAgeSeconds,
    }),
  );
  return {
    bus: SHARED_IDS.bus,
    queues: perSubscription.flatMap((r) => r.queues),
    rules: perSubscription.map((r) => r.rule),
    pipes: perSubscription.flatMap((r) => (r.pipe ? [r.pipe] : [])),
    functions: t.functions.map(expectedFunction),
    eventSources: t.subscriptions.map((sub) => expectedEventSource(sub, functionOf(t, sub))),
  };
}

function expectedEventSource(sub: SubscriptionSpec, fn: FunctionSpec): ExpectedEventSource {
  return {
    logicalId: ids.eventSource(sub),
    subscriptionId: sub.id,
    queue: ids.queue(sub),
    function: ids.function(fn),
    batchSize: sub.batchSize,
    maxBatchingWindowSeconds: sub.maxBatchingWindowSeconds,
    maxConcurrency: sub.maxConcurrency,
    reportBatchItemFailures: true,
  };
}

function expectedFunction(fn: FunctionSpec): ExpectedFunction {
  return {
    logicalId: ids.function(fn),
    functionId: fn.id,
    service: fn.service,
    entry: fn.entry,
    timeoutSeconds: fn.timeoutSeconds,
    memoryMb: fn.memoryMb,
    resourceEnv: Object.fromEntries(
      fn.uses.map((ref) => [RESOURCE_ENV[ref], RESOURCE_LOGICAL_ID[ref]]),
    ),
  };
}
