/**
 * One topology subscription rendered for AWS: an EventBridge rule with the subscription's
 * pattern, its SQS target with a RetryPolicy and a target DLQ, and the queue the consumer reads —
 * directly (standard queue) or, for ordered subscriptions, through a standard intake queue and an
 * EventBridge Pipe into a FIFO queue. Every queue has its own DLQ.
 */
import { Duration } from "aws-cdk-lib";
import * as events from "aws-cdk-lib/aws-events";
import * as targets from "aws-cdk-lib/aws-events-targets";
import type * as sqs from "aws-cdk-lib/aws-sqs";
import { Construct } from "constructs";
import { TopologyError } from "../errors.ts";
import {
  type ExpectedRule,
  ids,
  isDlq,
  type QueueRole,
  type SubscriptionResources,
  subscriptionResources,
} from "../resources.ts";
import type { SubscriptionSpec } from "../topology.ts";
import { OrderingPipe } from "./ordering-pipe.ts";
import { DeadLetteredQueue, pinLogicalId, TargetDeadLetterQueue } from "./queues.ts";
import { requireEventPattern, requireInteger } from "./validate.ts";

export interface LabelledQueue {
  readonly logicalId: string;
  readonly role: QueueRole;
  readonly queue: sqs.Queue;
}

export interface CitySubscriptionProps {
  /** The city bus the rule listens on. */
  readonly bus: events.IEventBus;
  /** The topology entry to render. */
  readonly spec: SubscriptionSpec;
  /** Visibility timeout of the subscription's queues, seconds (the consumer timeout x factor). */
  readonly visibilityTimeoutSeconds: number;
  /**
   * Receives before a message moves to its queue's DLQ (1..1000).
   * @default 3
   */
  readonly maxReceiveCount?: number;
  /**
   * EventBridge target retry attempts (0..185).
   * @default 8
   */
  readonly maximumRetryAttempts?: number;
  /**
   * Maximum age of an event EventBridge keeps retrying, seconds (60..86400).
   * @default 3600
   */
  readonly maximumEventAgeSeconds?: number;
}

export class CitySubscription extends Construct {
  readonly spec: SubscriptionSpec;
  readonly rule: events.Rule;
  /** The queue the consumer function reads (FIFO when ordered). */
  readonly queue: sqs.Queue;
  /** The queue the rule delivers to (the intake queue when ordered, else `queue`). */
  readonly ruleTargetQueue: sqs.Queue;
  readonly targetDeadLetterQueue: sqs.Queue;
  readonly pipe?: OrderingPipe;
  /** Every queue of this subscription with its logical id and role. */
  readonly queues: readonly LabelledQueue[];

  constructor(scope: Construct, id: string, props: CitySubscriptionProps) {
    super(scope, id);
    this.spec = props.spec;
    requireEventPattern(this, "spec.pattern", props.spec.pattern);
    // What to create is decided in infra/resources.ts (also rendered by the local deployment).
    const plan = subscriptionResources(props.spec, {
      visibilityTimeoutSeconds: props.visibilityTimeoutSeconds,
      maxReceiveCount: props.maxReceiveCount ?? 3,
      maximumRetryAttempts: requireInteger(
        this,
        "maximumRetryAttempts",
        props.maximumRetryAttempts ?? 8,
        0,
        185,
      ),
      maximumEventAgeSeconds: requireInteger(
        this,
        "maximumEventAgeSeconds",
        props.maximumEventAgeSeconds ?? 3600,
        60,
        86_400,
      ),
    });
    const queues = renderQueues(this, plan);
    this.queues = queues.labelled;
    this.queue = queues.byId(ids.queue(props.spec));
    this.targetDeadLetterQueue = queues.byId(plan.rule.targetDeadLetterQueue);
    this.ruleTargetQueue = queues.byId(plan.rule.targetQueue);
    if (plan.pipe) {
      this.pipe = new OrderingPipe(this, "Ordering", {
        source: queues.byId(plan.pipe.sourceQueue),
        target: queues.byId(plan.pipe.targetQueue),
        groupIdPath: plan.pipe.groupIdPath,
        dedupIdPath: plan.pipe.dedupIdPath,
        pipeLogicalId: plan.pipe.logicalId,
        roleLogicalId: ids.pipeRole(props.spec),
      });
    }
    this.rule = renderRule(
      this,
      props.bus,
      plan.rule,
      this.ruleTargetQueue,
      this.targetDeadLetterQueue,
    );
  }

  /** Queues events are worked from (intake and consumer). */
  get workingQueues(): readonly LabelledQueue[] {
    return this.queues.filter((q) => q.role === "consumer" || q.role === "intake");
  }

  /** Dead-letter queues (queue DLQs and the rule target DLQ). */
  get deadLetterQueues(): readonly LabelledQueue[] {
    return this.queues.filter(isDlq);
  }
}

/**
 * The plan's queues: the target DLQ, then each working queue with its DLQ (construct ids
 * `TargetDlq`, `Consumer`, `Intake`). Labelled in the order the subscription has always listed
 * them: intake and its DLQ, consumer and its DLQ, target DLQ.
 */
function renderQueues(
  scope: Construct,
  plan: SubscriptionResources,
): { labelled: LabelledQueue[]; byId(logicalId: string): sqs.Queue } {
  const made = new Map<string, sqs.Queue>();
  const labelled: LabelledQueue[] = [];
  // Construct order (and so the template's): target DLQ, consumer queue, intake queue.
  const inOrder = (["target-dlq", "consumer", "intake"] as const).flatMap((role) =>
    plan.queues.filter((q) => q.role === role),
  );
  for (const q of inOrder) {
    if (q.role === "target-dlq") {
      const queue = new TargetDeadLetterQueue(scope, "TargetDlq", {
        visibilityTimeoutSeconds: q.visibilityTimeoutSeconds,
        logicalId: q.logicalId,
      }).queue;
      made.set(q.logicalId, queue);
    } else if (q.deadLetterQueue) {
      const rendered = new DeadLetteredQueue(scope, q.role === "intake" ? "Intake" : "Consumer", {
        ...(q.role === "consumer" ? { fifo: q.fifo } : {}),
        visibilityTimeoutSeconds: q.visibilityTimeoutSeconds,
        maxReceiveCount: q.deadLetterQueue.maxReceiveCount,
        queueLogicalId: q.logicalId,
        dlqLogicalId: q.deadLetterQueue.logicalId,
      });
      made.set(q.logicalId, rendered.queue);
      made.set(q.deadLetterQueue.logicalId, rendered.deadLetterQueue);
    }
  }
  const byId = (logicalId: string): sqs.Queue => {
    const queue = made.get(logicalId);
    if (!queue)
      throw new TopologyError(`The subscription plan names queue ${logicalId} but renders none`);
    return queue;
  };
  const working = plan.queues.filter((q) => q.role !== "target-dlq");
  for (const q of working)
    labelled.push({ logicalId: q.logicalId, role: q.role, queue: byId(q.logicalId) });
  const targetDlq = plan.queues.find((q) => q.role === "target-dlq");
  if (targetDlq)
    labelled.push({
      logicalId: targetDlq.logicalId,
      role: "target-dlq",
      queue: byId(targetDlq.logicalId),
    });
  return { labelled, byId };
}

function renderRule(
  scope: Construct,
  bus: events.IEventBus,
  plan: ExpectedRule,
  target: sqs.Queue,
  deadLetterQueue: sqs.Queue,
): events.Rule {
  const rule = new events.Rule(scope, "Rule", {
    eventBus: bus,
    description: plan.description,
    // why: the topology pattern is EventBridge JSON (prefix / anything-but / exists matchers),
    // which the L2 EventPattern type models only partially; it is passed through unchanged.
    eventPattern: plan.pattern as events.EventPattern,
  });
  pinLogicalId(rule, plan.logicalId);
  rule.addTarget(
    new targets.SqsQueue(target, {
      deadLetterQueue,
      retryAttempts: plan.maximumRetryAttempts,
      maxEventAge: Duration.seconds(plan.maximumEventAgeSeconds),
    }),
  );
  return rule;
}
