/**
 * The ops alarms: any DLQ not empty, a critical queue's oldest message over 30 s, a consumer's
 * error rate over 1 %, end-to-end latency p99 over 500 ms. Optionally every alarm notifies an
 * encrypted SNS topic with an e-mail subscription.
 */
import { Duration } from "aws-cdk-lib";
import * as cloudwatch from "aws-cdk-lib/aws-cloudwatch";
import * as actions from "aws-cdk-lib/aws-cloudwatch-actions";
import * as iam from "aws-cdk-lib/aws-iam";
import * as kms from "aws-cdk-lib/aws-kms";
import * as sns from "aws-cdk-lib/aws-sns";
import * as subscriptions from "aws-cdk-lib/aws-sns-subscriptions";
import { Construct } from "constructs";
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
   * Alarm when a consumer's error rate exceeds this percentage (0..100, fractions allowed).
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

/** A consumer's error rate: 100 x Errors / Invocations over 5 minutes (0 when idle). */
export function errorRateMetric(fn: ConsumerFunction): cloudwatch.MathExpression {
  const period = Duration.minutes(5);
  // Ids are unique per function so several rates can share one graph.
  const errors = `errors${fn.spec.id}`;
  const invocations = `invocations${fn.spec.id}`;
  return new cloudwatch.MathExpression({
    expression: `IF(${invocations} > 0, 100 * ${errors} / ${invocations}, 0)`,
    usingMetrics: {
      [errors]: fn.function.metricErrors({ period, statistic: "Sum" }),
      [invocations]: fn.function.metricInvocations({ period, statistic: "Sum" }),
    },
    label: `${fn.spec.service} error rate %`,
    period,
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
  readonly errorRateAlarms: cloudwatch.Alarm[] = [];
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
      this.errorRateAlarms.push(
        new cloudwatch.Alarm(this, `${fn.spec.id}ErrorRateAlarm`, {
          alarmDescription: `Consumer ${fn.spec.service}: more than ${errorRate} % of invocations failed in 5 minutes.`,
          metric: errorRateMetric(fn),
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
