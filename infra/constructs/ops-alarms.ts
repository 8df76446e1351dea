/**
 * The ops alarms: any DLQ not empty, a critical queue's oldest message over 30 s, a consumer's
 * record error rate over 1 % (failed records per received record, from the handlers' EMF
 * `EventFailures` and the queues' receives), its function crashing (Lambda Errors / Invocations)
 * over 1 %, end-to-end latency p99 over its budget (500 ms for critical/high subscriptions, the
 * batching window + 5 s for batching ones: ops-latency.ts), and DynamoDB write throttles on the
 * event store and read-model tables, any work queue deeper than 100,000 messages, a function's
 * resident memory above 500 MB (the kit's EMF `MemoryRssMb`). Optionally every alarm notifies an encrypted SNS topic with an
 * e-mail subscription.
 */
import { Duration } from "aws-cdk-lib";
import * as cloudwatch from "aws-cdk-lib/aws-cloudwatch";
import * as actions from "aws-cdk-lib/aws-cloudwatch-actions";
import type * as dynamodb from "aws-cdk-lib/aws-dynamodb";
import * as iam from "aws-cdk-lib/aws-iam";
import * as kms from "aws-cdk-lib/aws-kms";
import * as sns from "aws-cdk-lib/aws-sns";
import * as subscriptions from "aws-cdk-lib/aws-sns-subscriptions";
import { Construct } from "constructs";
import { SHARED_IDS } from "../resources.ts";
import type { CitySubscription, LabelledQueue } from "./city-subscription.ts";
import type { ConsumerFunction } from "./consumer-function.ts";
import { type LatencyPlan, latencyPlan } from "./ops-latency.ts";
import {
  crashRateMetric,
  endToEndLatencyMetric,
  memoryUsedMetric,
  recordErrorRateMetric,
} from "./ops-metrics.ts";
import { pinLogicalId } from "./queues.ts";
import { requireEmail, requireInteger, requireNumber } from "./validate.ts";

export const ALARM_DEFAULTS = {
  criticalOldestMessageSeconds: 30,
  errorRatePercent: 1,
  endToEndP99Millis: 500,
  batchingSlackSeconds: 5,
  queueDepthMessages: 100_000,
  memoryUsedMb: 500,
} as const;

/** A table whose write throttles alarm, with the logical id that names the alarm. */
export interface ThrottleWatchedTable {
  readonly logicalId: string;
  readonly table: dynamodb.ITable;
}

export interface OpsAlarmsProps {
  readonly subscriptions: readonly CitySubscription[];
  readonly functions: readonly ConsumerFunction[];
  /**
   * Alarm when a critical queue's oldest message is older than this, seconds (1..3600).
   * @default 30
   */
  readonly criticalOldestMessageSeconds?: number;
  /**
   * Alarm when a consumer's record error rate, or its function's crash rate, exceeds this
   * percentage (0..100, fractions allowed).
   * @default 1
   */
  readonly errorRatePercent?: number;
  /**
   * Alarm when the end-to-end latency p99 of a latency-sensitive (critical/high priority)
   * subscription exceeds this, milliseconds (1..3600000).
   * @default 500
   */
  readonly endToEndP99Millis?: number;
  /**
   * A batching (normal/info priority) subscription alarms when its end-to-end p99 exceeds its
   * batching window plus this many seconds (0..3600).
   * @default 5
   */
  readonly batchingSlackSeconds?: number;
  /**
   * Alarm when any work queue (consumer or intake, not a DLQ) holds more than this many visible
   * messages (1..100000000).
   * @default 100000
   */
  readonly queueDepthMessages?: number;
  /**
   * Alarm when a function's resident memory (the kit's EMF `MemoryRssMb`, maximum over a minute)
   * exceeds this, MB (1..10240).
   * @default 500
   */
  readonly memoryUsedMb?: number;
  /**
   * Tables that alarm on any write throttle (`WriteThrottleEvents` > 0 in a minute).
   * @default - none
   */
  readonly writeThrottleTables?: readonly ThrottleWatchedTable[];
  /**
   * Alarms declared elsewhere (crisis mode's critical backlog) shown on the dashboard and
   * notified like these.
   * @default - none
   */
  readonly otherAlarms?: readonly cloudwatch.Alarm[];
  /**
   * E-mail address notified on every alarm.
   * @default - no notifications (alarms show on the dashboard only)
   */
  readonly alarmEmail?: string;
}

export {
  ALARM_METRIC_LIMIT,
  crashRateMetric,
  endToEndLatencyMetric,
  FAILURE_REASONS,
  type FailureReason,
  memoryUsedMetric,
  recordErrorRateMetric,
  recordFailuresMetric,
} from "./ops-metrics.ts";

export class OpsAlarms extends Construct {
  readonly alarms: cloudwatch.Alarm[] = [];
  readonly dlqAlarms: cloudwatch.Alarm[] = [];
  readonly criticalAgeAlarms: cloudwatch.Alarm[] = [];
  /** Record error rate per consumer (EventFailures per received record). */
  readonly errorRateAlarms: cloudwatch.Alarm[] = [];
  /** Invocations that threw or timed out, per function (Lambda Errors / Invocations). */
  readonly crashAlarms: cloudwatch.Alarm[] = [];
  /** End-to-end p99 per function (its loosest budget) and per tighter priority. */
  readonly latencyAlarms: cloudwatch.Alarm[] = [];
  /** The latency budgets the alarms apply, per function (derived from the topology). */
  readonly latencyPlans: LatencyPlan[] = [];
  /** Any write throttle on a watched table. */
  readonly throttleAlarms: cloudwatch.Alarm[] = [];
  /** A work queue deeper than `queueDepthMessages`. */
  readonly queueDepthAlarms: cloudwatch.Alarm[] = [];
  /** A function's resident memory above `memoryUsedMb`. */
  readonly memoryAlarms: cloudwatch.Alarm[] = [];
  /** The tables watched for write throttles. */
  readonly throttleTables: readonly ThrottleWatchedTable[];
  readonly alarmTopic?: sns.Topic;
  readonly thresholds: {
    readonly criticalOldestMessageSeconds: number;
    readonly errorRatePercent: number;
    readonly endToEndP99Millis: number;
    readonly queueDepthMessages: number;
    readonly memoryUsedMb: number;
  };

  constructor(scope: Construct, id: string, props: OpsAlarmsProps) {
    super(scope, id);
    const { thresholds, batchingSlackSeconds } = this.checkedThresholds(props);
    this.thresholds = thresholds;
    for (const sub of props.subscriptions) this.subscriptionAlarms(sub);
    for (const fn of props.functions) this.functionAlarms(fn, batchingSlackSeconds);
    this.throttleTables = props.writeThrottleTables ?? [];
    for (const { logicalId, table } of this.throttleTables) {
      this.throttleAlarms.push(
        this.alarm(`${logicalId}WriteThrottleAlarm`, {
          alarmDescription: `DynamoDB table ${logicalId} throttled writes (WriteThrottleEvents > 0 in a minute): appends and projections fail as downstream records and retry with backoff.`,
          metric: table.metric("WriteThrottleEvents", {
            period: Duration.minutes(1),
            statistic: "Sum",
          }),
          threshold: 0,
        }),
      );
    }
    this.alarms.push(
      ...this.dlqAlarms,
      ...this.criticalAgeAlarms,
      ...this.errorRateAlarms,
      ...this.crashAlarms,
      ...this.latencyAlarms,
      ...this.throttleAlarms,
      ...this.queueDepthAlarms,
      ...this.memoryAlarms,
      ...(props.otherAlarms ?? []),
    );
    if (props.alarmEmail !== undefined) {
      const email = requireEmail(this, "alarmEmail", props.alarmEmail);
      this.alarmTopic = this.notificationTopic(email);
      const action = new actions.SnsAction(this.alarmTopic);
      for (const alarm of this.alarms) alarm.addAlarmAction(action);
    }
  }

  /** The props' thresholds with their defaults, each checked against its allowed range. */
  private checkedThresholds(props: OpsAlarmsProps) {
    const value = (
      name: keyof typeof ALARM_DEFAULTS,
      min: number,
      max: number,
      check: typeof requireInteger = requireInteger,
    ) => check(this, name, props[name] ?? ALARM_DEFAULTS[name], min, max);
    const criticalOldestMessageSeconds = value("criticalOldestMessageSeconds", 1, 3600);
    const errorRatePercent = value("errorRatePercent", 0, 100, requireNumber);
    const endToEndP99Millis = value("endToEndP99Millis", 1, 3_600_000);
    const batchingSlackSeconds = value("batchingSlackSeconds", 0, 3600);
    const queueDepthMessages = value("queueDepthMessages", 1, 100_000_000);
    const memoryUsedMb = value("memoryUsedMb", 1, 10_240);
    return {
      thresholds: {
        criticalOldestMessageSeconds,
        errorRatePercent,
        endToEndP99Millis,
        queueDepthMessages,
        memoryUsedMb,
      },
      batchingSlackSeconds,
    };
  }

  /** Its DLQs (any message), its working queues (depth) and, when critical, their oldest message. */
  private subscriptionAlarms(sub: CitySubscription): void {
    const { queueDepthMessages, criticalOldestMessageSeconds: age } = this.thresholds;
    for (const dlq of sub.deadLetterQueues) this.dlqAlarm(sub, dlq);
    for (const q of sub.workingQueues) this.depthAlarm(sub, q, queueDepthMessages);
    if (sub.spec.priority !== "critical") return;
    for (const { logicalId, queue } of sub.workingQueues) {
      const alarm = this.alarm(`${logicalId}OldestAlarm`, {
        alarmDescription: `Critical queue ${logicalId}: oldest message older than ${age} s — the ${sub.spec.functionId} consumer is not keeping up.`,
        metric: queue.metricApproximateAgeOfOldestMessage({
          period: Duration.minutes(1),
          statistic: "Maximum",
        }),
        threshold: age,
      });
      this.criticalAgeAlarms.push(alarm);
    }
  }

  /** Record error rate, crash rate, end-to-end latency and memory of one function. */
  private functionAlarms(fn: ConsumerFunction, batchingSlackSeconds: number): void {
    const { errorRatePercent: errorRate, endToEndP99Millis, memoryUsedMb } = this.thresholds;
    const recordRate = recordErrorRateMetric(fn);
    if (recordRate) {
      this.errorRateAlarms.push(
        this.alarm(`${fn.spec.id}ErrorRateAlarm`, {
          alarmDescription: `Consumer ${fn.spec.service}: more than ${errorRate} % of the records it received in 5 minutes failed (EventFailures of every reason / NumberOfMessagesReceived of its queues).`,
          metric: recordRate,
          threshold: errorRate,
        }),
      );
    }
    this.crashAlarms.push(
      this.alarm(`${fn.spec.id}CrashRateAlarm`, {
        alarmDescription: `Function ${fn.spec.service} crashes: more than ${errorRate} % of its invocations threw or timed out in 5 minutes (the whole batch is retried).`,
        metric: crashRateMetric(fn),
        threshold: errorRate,
      }),
    );
    const specs = fn.subscriptions.map((sub) => sub.spec);
    const plan = latencyPlan(fn.spec, specs, endToEndP99Millis, batchingSlackSeconds);
    if (plan) this.latencyAlarm(plan);
    this.memoryAlarms.push(
      this.alarm(`${fn.spec.id}MemoryAlarm`, {
        alarmDescription: `Function ${fn.spec.service}: resident memory above ${memoryUsedMb} MB (MemoryRssMb, maximum over a minute; ${fn.spec.memoryMb} MB configured) — a leak or an oversized batch before the function runs out.`,
        metric: memoryUsedMetric(fn.spec.service),
        threshold: memoryUsedMb,
      }),
    );
  }

  /** An alarm on `value > threshold` over one period; no data is not a breach. */
  private alarm(
    id: string,
    props: Pick<cloudwatch.AlarmProps, "alarmDescription" | "metric" | "threshold">,
  ): cloudwatch.Alarm {
    return new cloudwatch.Alarm(this, id, {
      ...props,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
  }

  private latencyAlarm(plan: LatencyPlan): void {
    this.latencyPlans.push(plan);
    const subs = Object.entries(plan.budgets)
      .map(([id, ms]) => `${id} ${ms} ms`)
      .join(", ");
    this.latencyAlarms.push(
      this.alarm(`${plan.functionId}EndToEndP99Alarm`, {
        alarmDescription: `Consumer ${plan.service}: end-to-end latency p99 (handled time minus occurredAt) over ${plan.thresholdMillis} ms, its loosest subscription budget (${subs}).`,
        metric: endToEndLatencyMetric(plan.service),
        threshold: plan.thresholdMillis,
      }),
    );
    for (const p of plan.priorities) {
      const label = `${p.priority[0]?.toUpperCase() ?? ""}${p.priority.slice(1)}`;
      this.latencyAlarms.push(
        this.alarm(`${plan.functionId}${label}EndToEndP99Alarm`, {
          alarmDescription: `Consumer ${plan.service}, ${p.priority} events (via ${p.subscriptionIds.join(", ")}): end-to-end latency p99 over ${p.thresholdMillis} ms.`,
          metric: endToEndLatencyMetric(plan.service, "p99", Duration.minutes(5), p.priority),
          threshold: p.thresholdMillis,
        }),
      );
    }
  }

  private depthAlarm(
    sub: CitySubscription,
    { logicalId, queue }: LabelledQueue,
    max: number,
  ): void {
    this.queueDepthAlarms.push(
      this.alarm(`${logicalId}DepthAlarm`, {
        alarmDescription: `Work queue ${logicalId} (subscription ${sub.spec.id}, ${sub.spec.priority}) holds more than ${max} messages: the ${sub.spec.functionId} consumer is far behind (see crisis mode in docs/OPERATIONS.md).`,
        metric: queue.metricApproximateNumberOfMessagesVisible({
          period: Duration.minutes(1),
          statistic: "Maximum",
        }),
        threshold: max,
      }),
    );
  }

  private dlqAlarm(sub: CitySubscription, { logicalId: label, queue: dlq }: LabelledQueue): void {
    this.dlqAlarms.push(
      this.alarm(`${label}NotEmptyAlarm`, {
        alarmDescription: `Dead-letter queue ${label} is not empty: events of subscription ${sub.spec.id} failed. Inspect, fix, then redrive.`,
        metric: dlq.metricApproximateNumberOfMessagesVisible({
          period: Duration.minutes(1),
          statistic: "Maximum",
        }),
        threshold: 0,
      }),
    );
  }

  private notificationTopic(email: string): sns.Topic {
    // CloudWatch cannot use the AWS-managed SNS key: a customer key with rotation, usable by it.
    const key = new kms.Key(this, "AlarmTopicKey", {
      enableKeyRotation: true,
      description: "Buzz Ville ops alarm topic",
    });
    key.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal("cloudwatch.amazonaws.com")],
        actions: ["kms:Decrypt", "kms:GenerateDataKey*"],
        resources: ["*"],
      }),
    );
    const topic = new sns.Topic(this, "AlarmTopic", {
      displayName: "Buzz Ville ops alarms",
      masterKey: key,
      enforceSSL: true,
    });
    pinLogicalId(topic, SHARED_IDS.alarmTopic);
    topic.addSubscription(new subscriptions.EmailSubscription(email));
    return topic;
  }
}
