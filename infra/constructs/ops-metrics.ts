/**
 * The metrics the ops alarms and the dashboard read: the handlers' EMF (docs/ARCHITECTURE.md
 * "Operations": namespace BuzzVille, dimension `service`, plus `Reason` / `Priority`) and the AWS
 * metrics of the queues and functions, as CloudWatch metrics and metric-math expressions.
 */
import { Duration } from "aws-cdk-lib";
import * as cloudwatch from "aws-cdk-lib/aws-cloudwatch";
import { TopologyError } from "../errors.ts";
import { type ConsumerFunction, METRICS_NAMESPACE } from "./consumer-function.ts";

/** The `Reason` values of `EventFailures` (the metrics docs/OPERATIONS.md reads). */
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

/**
 * The EMF end-to-end latency of one service (the metrics docs/OPERATIONS.md reads), or of the events of
 * one priority it handled (dimensions `{service, Priority}`).
 */
export function endToEndLatencyMetric(
  service: string,
  statistic = "p99",
  period = Duration.minutes(5),
  priority?: string,
): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: METRICS_NAMESPACE,
    metricName: "EndToEndLatency",
    dimensionsMap: priority ? { service, Priority: priority } : { service },
    statistic,
    period,
  });
}

/**
 * The resident memory of a service's function, MB: the kit's EMF `MemoryRssMb` (by {service}),
 * published after every batch (functions/shared/observability.ts).
 */
export function memoryUsedMetric(
  service: string,
  statistic = "Maximum",
  period = Duration.minutes(1),
): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: METRICS_NAMESPACE,
    metricName: "MemoryRssMb",
    dimensionsMap: { service },
    statistic,
    period,
  });
}
