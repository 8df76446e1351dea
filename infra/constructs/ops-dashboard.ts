/**
 * The ops CloudWatch dashboard. City metrics come from the handlers' EMF (docs/ARCHITECTURE.md
 * "Operations": namespace BuzzVille, dimension `service`, plus `EventType` / `Reason`), read with SEARCH
 * expressions where the per-type dimension values are open-ended; queue, Lambda and DynamoDB
 * panels use the AWS metrics.
 */
import { Duration } from "aws-cdk-lib";
import * as cloudwatch from "aws-cdk-lib/aws-cloudwatch";
import * as dynamodb from "aws-cdk-lib/aws-dynamodb";
import { Construct } from "constructs";
import { SHARED_IDS } from "../resources.ts";
import type { CitySubscription, LabelledQueue } from "./city-subscription.ts";
import { type ConsumerFunction, METRICS_NAMESPACE } from "./consumer-function.ts";
import {
  crashRateMetric,
  endToEndLatencyMetric,
  memoryUsedMetric,
  type OpsAlarms,
  recordErrorRateMetric,
} from "./ops-alarms.ts";
import type { LatencyPlan } from "./ops-latency.ts";
import { pinLogicalId } from "./queues.ts";

/** Widget titles (tests and docs refer to them). */
export const WIDGET_TITLES = {
  eventsPublished: "Events published per type",
  eventsHandled: "Events handled per type",
  recordFailures: "Record failures by reason",
  queueDepth: "Queue depth (visible messages)",
  oldestMessage: "Age of oldest message (s)",
  dlqDepth: "DLQ depth",
  lambdaErrors: "Lambda errors",
  lambdaThrottles: "Lambda throttles",
  lambdaDurationP99: "Lambda duration p99 (ms)",
  errorRate: "Record error rate and crash rate (%)",
  endToEndLatency: "End-to-end latency p99 (ms)",
  storeThrottles: "Event store write throttles",
  memory: "Function memory, resident (MB)",
  alarms: "Alarms",
} as const;

export interface OpsDashboardProps {
  readonly subscriptions: readonly CitySubscription[];
  readonly functions: readonly ConsumerFunction[];
  readonly eventsTable: dynamodb.ITable;
  readonly alarms: OpsAlarms;
  /**
   * Period of the graphs.
   * @default Duration.minutes(1)
   */
  readonly period?: Duration;
}

/** `SEARCH` over an EMF metric of the city namespace, one line per value of `dimension`. */
export function searchByDimension(
  metricName: string,
  dimension: string,
  statistic: string,
  period: Duration,
): cloudwatch.MathExpression {
  return new cloudwatch.MathExpression({
    expression: `SEARCH('{${METRICS_NAMESPACE},${dimension},service} MetricName="${metricName}"', '${statistic}', ${period.toSeconds()})`,
    usingMetrics: {},
    label: "",
    period,
  });
}

/** One horizontal line per distinct latency alarm threshold, labelled with who it applies to. */
export function latencyAnnotations(
  plans: readonly LatencyPlan[],
): cloudwatch.HorizontalAnnotation[] {
  const who = new Map<number, string[]>();
  for (const plan of plans) {
    const add = (ms: number, label: string) => who.set(ms, [...(who.get(ms) ?? []), label]);
    add(plan.thresholdMillis, plan.service);
    for (const p of plan.priorities) add(p.thresholdMillis, `${plan.service} ${p.priority}`);
  }
  return [...who.entries()]
    .sort(([a], [b]) => a - b)
    .map(([value, labels]) => ({
      value,
      label: `p99 limit: ${labels.join(", ")}`,
      color: "#d62728",
    }));
}

export class OpsDashboard extends Construct {
  readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: OpsDashboardProps) {
    super(scope, id);
    const period = props.period ?? Duration.minutes(1);
    const panel: Panel = {
      props,
      period,
      graph: (title, left, extra = {}) =>
        new cloudwatch.GraphWidget({ title, left, width: 12, height: 6, period, ...extra }),
      working: props.subscriptions.flatMap((s) => s.workingQueues),
      dlqs: props.subscriptions.flatMap((s) => s.deadLetterQueues),
    };
    this.dashboard = new cloudwatch.Dashboard(this, "Dashboard", {
      defaultInterval: Duration.hours(3),
    });
    pinLogicalId(this.dashboard, SHARED_IDS.dashboard);
    // One row each, top to bottom.
    for (const row of [
      eventsRow,
      queuesRow,
      deadLettersRow,
      lambdaFailuresRow,
      durationAndErrorRateRow,
      latencyAndThrottlesRow,
      memoryRow,
      alarmsRow,
    ]) {
      this.dashboard.addWidgets(...row(panel));
    }
  }
}

/** What every row is drawn with. */
interface Panel {
  readonly props: OpsDashboardProps;
  readonly period: Duration;
  readonly graph: (
    title: string,
    left: cloudwatch.IMetric[],
    extra?: Partial<cloudwatch.GraphWidgetProps>,
  ) => cloudwatch.GraphWidget;
  readonly working: readonly LabelledQueue[];
  readonly dlqs: readonly LabelledQueue[];
}

const fnLabel = (fn: ConsumerFunction) => fn.spec.service;
const LIMIT_COLOR = "#d62728";

function eventsRow({ graph, period }: Panel): cloudwatch.IWidget[] {
  return [
    graph(WIDGET_TITLES.eventsPublished, [
      searchByDimension("EventsStored", "EventType", "Sum", period),
    ]),
    graph(WIDGET_TITLES.eventsHandled, [
      searchByDimension("EventsHandled", "EventType", "Sum", period),
    ]),
  ];
}

function queuesRow({ graph, period, working, props }: Panel): cloudwatch.IWidget[] {
  const thresholds = props.alarms.thresholds;
  return [
    graph(
      WIDGET_TITLES.queueDepth,
      working.map(({ logicalId, queue }) =>
        queue.metricApproximateNumberOfMessagesVisible({
          label: logicalId,
          period,
          statistic: "Maximum",
        }),
      ),
      {
        leftAnnotations: [
          { value: thresholds.queueDepthMessages, label: "depth limit", color: LIMIT_COLOR },
        ],
      },
    ),
    graph(
      WIDGET_TITLES.oldestMessage,
      working.map(({ logicalId, queue }) =>
        queue.metricApproximateAgeOfOldestMessage({
          label: logicalId,
          period,
          statistic: "Maximum",
        }),
      ),
      {
        leftAnnotations: [
          {
            value: thresholds.criticalOldestMessageSeconds,
            label: "critical limit",
            color: LIMIT_COLOR,
          },
        ],
      },
    ),
  ];
}

function deadLettersRow({ graph, period, dlqs }: Panel): cloudwatch.IWidget[] {
  return [
    graph(
      WIDGET_TITLES.dlqDepth,
      dlqs.map(({ logicalId, queue }) =>
        queue.metricApproximateNumberOfMessagesVisible({
          label: logicalId,
          period,
          statistic: "Maximum",
        }),
      ),
    ),
    graph(WIDGET_TITLES.recordFailures, [
      searchByDimension("EventFailures", "Reason", "Sum", period),
    ]),
  ];
}

function lambdaFailuresRow({ graph, period, props }: Panel): cloudwatch.IWidget[] {
  const fns = props.functions;
  return [
    graph(
      WIDGET_TITLES.lambdaErrors,
      fns.map((fn) => fn.function.metricErrors({ label: fnLabel(fn), period, statistic: "Sum" })),
    ),
    graph(
      WIDGET_TITLES.lambdaThrottles,
      fns.map((fn) =>
        fn.function.metricThrottles({ label: fnLabel(fn), period, statistic: "Sum" }),
      ),
    ),
  ];
}

function durationAndErrorRateRow({ graph, period, props }: Panel): cloudwatch.IWidget[] {
  const fns = props.functions;
  return [
    graph(
      WIDGET_TITLES.lambdaDurationP99,
      fns.map((fn) => fn.function.metricDuration({ label: fnLabel(fn), period, statistic: "p99" })),
    ),
    graph(WIDGET_TITLES.errorRate, [
      ...fns.flatMap((fn) => recordErrorRateMetric(fn) ?? []),
      ...fns.map((fn) => crashRateMetric(fn)),
    ]),
  ];
}

function latencyAndThrottlesRow({ graph, period, props }: Panel): cloudwatch.IWidget[] {
  return [
    graph(
      WIDGET_TITLES.endToEndLatency,
      [
        ...props.functions.map((fn) =>
          endToEndLatencyMetric(fn.spec.service, "p99", period).with({ label: fn.spec.service }),
        ),
        // The tighter per-priority budgets of functions that also consume batching queues.
        ...props.alarms.latencyPlans.flatMap((plan) =>
          plan.priorities.map((p) =>
            endToEndLatencyMetric(plan.service, "p99", period, p.priority).with({
              label: `${plan.service} ${p.priority}`,
            }),
          ),
        ),
      ],
      { leftAnnotations: latencyAnnotations(props.alarms.latencyPlans) },
    ),
    graph(WIDGET_TITLES.storeThrottles, storeThrottleMetrics(props, period)),
  ];
}

function storeThrottleMetrics(props: OpsDashboardProps, period: Duration): cloudwatch.IMetric[] {
  return [
    props.eventsTable.metric("WriteThrottleEvents", {
      label: "WriteThrottleEvents",
      period,
      statistic: "Sum",
    }),
    ...props.alarms.throttleTables
      .filter((w) => w.table !== props.eventsTable)
      .map((w) =>
        w.table.metric("WriteThrottleEvents", {
          label: `${w.logicalId} WriteThrottleEvents`,
          period,
          statistic: "Sum",
        }),
      ),
    props.eventsTable.metricThrottledRequestsForOperations({
      operations: [
        dynamodb.Operation.PUT_ITEM,
        dynamodb.Operation.UPDATE_ITEM,
        dynamodb.Operation.BATCH_WRITE_ITEM,
      ],
      label: "Throttled writes (put/update/batch)",
      period,
    }),
  ];
}

function memoryRow({ graph, period, props }: Panel): cloudwatch.IWidget[] {
  return [
    graph(
      WIDGET_TITLES.memory,
      props.functions.map((fn) =>
        memoryUsedMetric(fn.spec.service, "Maximum", period).with({ label: fnLabel(fn) }),
      ),
      {
        leftAnnotations: [
          {
            value: props.alarms.thresholds.memoryUsedMb,
            label: "memory limit",
            color: LIMIT_COLOR,
          },
        ],
      },
    ),
  ];
}

function alarmsRow({ props }: Panel): cloudwatch.IWidget[] {
  return [
    new cloudwatch.AlarmStatusWidget({
      title: WIDGET_TITLES.alarms,
      alarms: props.alarms.alarms,
      width: 24,
      height: Math.max(3, Math.ceil(props.alarms.alarms.length / 4) + 1),
    }),
  ];
}
