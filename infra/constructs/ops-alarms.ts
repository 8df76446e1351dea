/**
 * The ops alarms: any DLQ not empty, a critical queue's oldest message over 30 s, a consumer's
 * record error rate over 1 % (failed records per received record, from the handlers' EMF
 * `EventFailures` and the queues' receives), its function crashing (Lambda Errors / Invocations)
 * over 1 %, end-to-end latency p99 over 500 ms. Optionally every alarm notifies an encrypted SNS
 * topic with an e-mail subscription.
 */
import { Duration } from "aws-cdk-lib";
import * as cloudwatch from "aws-cdk-lib/aws-cloudwatch";
import * as actions from "aws-cdk-lib/aws-cloudwatch-actions";
import * as iam from "aws-cdk-lib/aws-iam";
import * as kms from "aws-cdk-lib/aws-kms";
import * as sns from "aws-cdk-lib/aws-sns";
import * as subscriptions from "aws-cdk-lib/aws-sns-subscriptions";
import { Construct } from "constructs";
import { TopologyError } from "../errors.ts";
import { SHARED_IDS } from "../resources.ts";
import type { CitySubscription, LabelledQueue } from "./city-subscription.ts";
import { type ConsumerFunction, METRICS_NAMESPACE } from "./consumer-function.ts";
import { pinLogicalId } from "./queues.ts";
import { requireEmail, requireInteger, requireNumber } from "./validate.ts";

export const ALARM_DEFAULTS = {
  criticalOldestMessageSeconds: 30,
  errorRatePercent: 1,
  endToEndP99Millis: 500,
} as const;

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
   * Alarm when the end-to-end latency p99 exceeds this, milliseconds (1..3600000).
   * @default 500
   */
  readonly endToEndP99Millis?: number;
  /**
   * E-mail address notified on every alarm.
   * @default - no notifications (alarms show on the dashboard only)
   */
  readonly alarmEmail?: string;
}

/** The `Reason` values of `EventFailures` (metrics contract in the brief). */
export const FAILURE_REASONS = [
  "validation",
  "downstream",
  "timeout",
  "conflict",
  "unknown",
] as const;
export type FailureReason = (typeof FAILURE_REASONS)[number];

/** CloudWatch alarms on metric math read at most 10 metrics (and 10 expressions). */
export const ALARM_METRIC_LIMIT = 10;

const RATE_PERIOD = Duration.minutes(5);

/** The EMF count of records one service failed for one reason. */
export function recordFailuresMetric(
  service: string,
  reason: FailureReason,
  period = RATE_PERIOD,
): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: METRICS_NAMESPACE,
    metricName: "EventFailures",
    dimensionsMap: { service, Reason: reason },
    statistic: "Sum",
    period,
  });
}

/** `FILL(a, 0) + FILL(b, 0) ...`: a sum that treats a metric without data as 0. */
const filledSum = (ids: readonly string[]) => ids.map((id) => `FILL(${id}, 0)`).join(" + ");

/**
 * A consumer's record error rate, %: records it failed (`EventFailures`, every `Reason`) per
 * record its queues handed it (SQS `NumberOfMessagesReceived` of the queues it consumes; a retry
 * counts again on both sides) over 5 minutes; 0 when nothing was received. Handlers report failed
 * records through `batchItemFailures` and rarely throw, so Lambda's Errors metric misses them.
 * Returns undefined for a function that consumes no queue. Ids carry the function id so several
 * rates can share one graph.
 */
export function recordErrorRateMetric(fn: ConsumerFunction): cloudwatch.MathExpression | undefined {
  const subs = fn.subscriptions;
  if (subs.length === 0) return undefined;
  const id = fn.spec.id;
  const failures: Record<string, cloudwatch.IMetric> = {};
  for (const reason of FAILURE_REASONS) {
    failures[`${reason}${id}`] = recordFailuresMetric(fn.spec.service, reason);
  }
  const received: Record<string, cloudwatch.IMetric> = {};
  for (const sub of subs) {
    received[`received${sub.spec.id}Queue`] = sub.queue.metricNumberOfMessagesReceived({
      period: RATE_PERIOD,
      statistic: "Sum",
    });
  }
  const metricCount = FAILURE_REASONS.length + subs.length;
  if (metricCount > ALARM_METRIC_LIMIT) {
    throw new TopologyError(
      `Function "${id}" consumes ${subs.length} queues (${subs.map((s) => s.spec.id).join(", ")}): its record error-rate alarm would read ${metricCount} metrics (${FAILURE_REASONS.length} failure reasons + 1 per queue), and CloudWatch allows ${ALARM_METRIC_LIMIT} per alarm; split the function or allow at most ${ALARM_METRIC_LIMIT - FAILURE_REASONS.length} queues per function`,
    );
  }
  const failed = `failed${id}`;
  const receivedTotal = `received${id}`;
  return new cloudwatch.MathExpression({
    expression: `IF(${receivedTotal} > 0, 100 * ${failed} / ${receivedTotal}, 0)`,
    usingMetrics: {
      [failed]: new cloudwatch.MathExpression({
        expression: filledSum(Object.keys(failures)),
        usingMetrics: failures,
        label: `${fn.spec.service} failed records`,
        period: RATE_PERIOD,
      }),
      [receivedTotal]: new cloudwatch.MathExpression({
        expression: filledSum(Object.keys(received)),
        usingMetrics: received,
        label: `${fn.spec.service} received records`,
        period: RATE_PERIOD,
      }),
    },
    label: `${fn.spec.service} record error rate %`,
    period: RATE_PERIOD,
  });
}

/** A function's crash rate: 100 x Lambda Errors / Invocations over 5 minutes (0 when idle). */
export function crashRateMetric(fn: ConsumerFunction): cloudwatch.MathExpression {
  const errors = `errors${fn.spec.id}`;
  const invocations = `invocations${fn.spec.id}`;
  return new cloudwatch.MathExpression({
    expression: `IF(${invocations} > 0, 100 * ${errors} / ${invocations}, 0)`,
    usingMetrics: {
      [errors]: fn.function.metricErrors({ period: RATE_PERIOD, statistic: "Sum" }),
      [invocations]: fn.function.metricInvocations({ period: RATE_PERIOD, statistic: "Sum" }),
    },
    label: `${fn.spec.service} crash rate %`,
    period: RATE_PERIOD,
  });
}

/** The EMF end-to-end latency of one service (metrics contract in the brief). */
export function endToEndLatencyMetric(
  service: string,
  statistic = "p99",
  period = Duration.minutes(5),
): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: METRICS_NAMESPACE,
    metricName: "EndToEndLatency",
    dimensionsMap: { service },
    statistic,
    period,
  });
}

export class OpsAlarms extends Construct {
  readonly alarms: cloudwatch.Alarm[] = [];
  readonly dlqAlarms: cloudwatch.Alarm[] = [];
  readonly criticalAgeAlarms: cloudwatch.Alarm[] = [];
  /** Record error rate per consumer (EventFailures per received record). */
  readonly errorRateAlarms: cloudwatch.Alarm[] = [];
  /** Invocations that threw or timed out, per function (Lambda Errors / Invocations). */
  readonly crashAlarms: cloudwatch.Alarm[] = [];
  readonly latencyAlarms: cloudwatch.Alarm[] = [];
  readonly alarmTopic?: sns.Topic;
  readonly thresholds: {
    readonly criticalOldestMessageSeconds: number;
    readonly errorRatePercent: number;
    readonly endToEndP99Millis: number;
  };

  constructor(scope: Construct, id: string, props: OpsAlarmsProps) {
    super(scope, id);
    const age = requireInteger(
      this,
      "criticalOldestMessageSeconds",
      props.criticalOldestMessageSeconds ?? ALARM_DEFAULTS.criticalOldestMessageSeconds,
      1,
      3600,
    );
    const errorRate = requireNumber(
      this,
      "errorRatePercent",
      props.errorRatePercent ?? ALARM_DEFAULTS.errorRatePercent,
      0,
      100,
    );
    const p99 = requireInteger(
      this,
      "endToEndP99Millis",
      props.endToEndP99Millis ?? ALARM_DEFAULTS.endToEndP99Millis,
      1,
      3_600_000,
    );

    this.thresholds = {
      criticalOldestMessageSeconds: age,
      errorRatePercent: errorRate,
      endToEndP99Millis: p99,
    };

    for (const sub of props.subscriptions) {
      for (const dlq of sub.deadLetterQueues) this.dlqAlarm(sub, dlq);
      if (sub.spec.priority === "critical") {
        for (const { logicalId, queue } of sub.workingQueues) {
          const alarm = new cloudwatch.Alarm(this, `${logicalId}OldestAlarm`, {
            alarmDescription: `Critical queue ${logicalId}: oldest message older than ${age} s — the ${sub.spec.functionId} consumer is not keeping up.`,
            metric: queue.metricApproximateAgeOfOldestMessage({
              period: Duration.minutes(1),
              statistic: "Maximum",
            }),
            threshold: age,
            comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
            evaluationPeriods: 1,
            treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
          });
          this.criticalAgeAlarms.push(alarm);
        }
      }
    }

    for (const fn of props.functions) {
      const recordRate = recordErrorRateMetric(fn);
      if (recordRate) {
        this.errorRateAlarms.push(
          new cloudwatch.Alarm(this, `${fn.spec.id}ErrorRateAlarm`, {
            alarmDescription: `Consumer ${fn.spec.service}: more than ${errorRate} % of the records it received in 5 minutes failed (EventFailures of every reason / NumberOfMessagesReceived of its queues).`,
            metric: recordRate,
            threshold: errorRate,
            comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
            evaluationPeriods: 1,
            treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
          }),
        );
      }
      this.crashAlarms.push(
        new cloudwatch.Alarm(this, `${fn.spec.id}CrashRateAlarm`, {
          alarmDescription: `Function ${fn.spec.service} crashes: more than ${errorRate} % of its invocations threw or timed out in 5 minutes (the whole batch is retried).`,
          metric: crashRateMetric(fn),
          threshold: errorRate,
          comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
          evaluationPeriods: 1,
          treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        }),
      );
      this.latencyAlarms.push(
        new cloudwatch.Alarm(this, `${fn.spec.id}EndToEndP99Alarm`, {
          alarmDescription: `Consumer ${fn.spec.service}: end-to-end latency p99 (handled time minus occurredAt) over ${p99} ms.`,
          metric: endToEndLatencyMetric(fn.spec.service),
          threshold: p99,
          comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
          evaluationPeriods: 1,
          treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        }),
      );
    }
    this.alarms.push(
      ...this.dlqAlarms,
      ...this.criticalAgeAlarms,
      ...this.errorRateAlarms,
      ...this.crashAlarms,
      ...this.latencyAlarms,
    );

    if (props.alarmEmail !== undefined) {
      const email = requireEmail(this, "alarmEmail", props.alarmEmail);
      this.alarmTopic = this.notificationTopic(email);
      const action = new actions.SnsAction(this.alarmTopic);
      for (const alarm of this.alarms) alarm.addAlarmAction(action);
    }
  }

  private dlqAlarm(sub: CitySubscription, { logicalId: label, queue: dlq }: LabelledQueue): void {
    this.dlqAlarms.push(
      new cloudwatch.Alarm(this, `${label}NotEmptyAlarm`, {
        alarmDescription: `Dead-letter queue ${label} is not empty: events of subscription ${sub.spec.id} failed. Inspect, fix, then redrive.`,
        metric: dlq.metricApproximateNumberOfMessagesVisible({
          period: Duration.minutes(1),
          statistic: "Maximum",
        }),
        threshold: 0,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
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
