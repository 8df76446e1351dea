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
import { ids, type QueueRole } from "../resources.ts";
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
    const spec = props.spec;
    this.spec = spec;
    requireEventPattern(this, "spec.pattern", spec.pattern);
    const retries = requireInteger(
      this,
      "maximumRetryAttempts",
      props.maximumRetryAttempts ?? 8,
      0,
      185,
    );
    const maxAge = requireInteger(
      this,
      "maximumEventAgeSeconds",
      props.maximumEventAgeSeconds ?? 3600,
      60,
      86_400,
    );
    const visibilityTimeoutSeconds = props.visibilityTimeoutSeconds;
    const maxReceiveCount = props.maxReceiveCount ?? 3;

    this.targetDeadLetterQueue = new TargetDeadLetterQueue(this, "TargetDlq", {
      visibilityTimeoutSeconds,
      logicalId: ids.targetDlq(spec),
    }).queue;

    const consumer = new DeadLetteredQueue(this, "Consumer", {
      fifo: spec.ordering !== undefined,
      visibilityTimeoutSeconds,
      maxReceiveCount,
      queueLogicalId: ids.queue(spec),
      dlqLogicalId: ids.dlq(spec),
    });
    this.queue = consumer.queue;
    const queues: LabelledQueue[] = [];

    if (spec.ordering) {
      const intake = new DeadLetteredQueue(this, "Intake", {
        visibilityTimeoutSeconds,
        maxReceiveCount,
        queueLogicalId: ids.intakeQueue(spec),
        dlqLogicalId: ids.intakeDlq(spec),
      });
      this.pipe = new OrderingPipe(this, "Ordering", {
        source: intake.queue,
        target: consumer.queue,
        groupIdPath: spec.ordering.groupIdPath,
        dedupIdPath: spec.ordering.dedupIdPath,
        pipeLogicalId: ids.pipe(spec),
        roleLogicalId: ids.pipeRole(spec),
      });
      this.ruleTargetQueue = intake.queue;
      queues.push(
        { logicalId: ids.intakeQueue(spec), role: "intake", queue: intake.queue },
        { logicalId: ids.intakeDlq(spec), role: "dlq", queue: intake.deadLetterQueue },
      );
    } else {
      this.ruleTargetQueue = consumer.queue;
    }
    queues.push(
      { logicalId: ids.queue(spec), role: "consumer", queue: consumer.queue },
      { logicalId: ids.dlq(spec), role: "dlq", queue: consumer.deadLetterQueue },
      { logicalId: ids.targetDlq(spec), role: "target-dlq", queue: this.targetDeadLetterQueue },
    );
    this.queues = queues;

    this.rule = new events.Rule(this, "Rule", {
      eventBus: props.bus,
      description: spec.description,
      // why: the topology pattern is EventBridge JSON (prefix / anything-but / exists matchers),
      // which the L2 EventPattern type models only partially; it is passed through unchanged.
      eventPattern: spec.pattern as events.EventPattern,
    });
    pinLogicalId(this.rule, ids.rule(spec));
    this.rule.addTarget(
      new targets.SqsQueue(this.ruleTargetQueue, {
        deadLetterQueue: this.targetDeadLetterQueue,
        retryAttempts: retries,
        maxEventAge: Duration.seconds(maxAge),
      }),
    );
  }

  /** Queues events are worked from (intake and consumer). */
  get workingQueues(): readonly LabelledQueue[] {
    return this.queues.filter((q) => q.role === "consumer" || q.role === "intake");
  }

  /** Dead-letter queues (queue DLQs and the rule target DLQ). */
  get deadLetterQueues(): readonly LabelledQueue[] {
    return this.queues.filter((q) => q.role === "dlq" || q.role === "target-dlq");
  }
}
