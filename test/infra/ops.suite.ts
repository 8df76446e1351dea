import { Match, type Template } from "aws-cdk-lib/assertions";
import { beforeAll, describe, expect, it } from "vitest";
import { OUTPUT_KEYS, requiredOutputKeys } from "../../bin/ops/stack-outputs.ts";
import { WIDGET_TITLES } from "../../infra/constructs/ops-dashboard.ts";
import { latencyPlan } from "../../infra/constructs/ops-latency.ts";
import { expectedResources, isDlq } from "../../infra/resources.ts";
import { topology } from "../../infra/topology.ts";
import { defaultTemplate } from "./shared-stack.ts";
import {
  dashboardBody,
  getAtt,
  idsOf,
  type Json,
  nonEmpty,
  propsOf,
  ref,
} from "./template-helpers.ts";

const sub = (id: string) => {
  const s = topology.subscriptions.find((x) => x.id === id);
  if (!s) throw new Error(`topology has no subscription ${id}`);
  return s;
};

/** The ops dashboard and alarms of the default stack. */
export function describeOps(): void {
  describe("default stack: operations", () => {
    const expected = expectedResources(topology);
    let t: Template;
    let alarms: Json[];
    let widgets: Json[];

    beforeAll(() => {
      t = defaultTemplate();
      alarms = Object.values(t.findResources("AWS::CloudWatch::Alarm")).map((r) => r.Properties);
      widgets = dashboardBody(t, "OpsDashboard").widgets;
    });

    const REASONS = ["validation", "downstream", "timeout", "conflict", "unknown"];
    /** The properties of the alarm whose construct id is `id` (e.g. "EmergencyErrorRateAlarm"). */
    const alarm = (id: string): Json => {
      const hits = idsOf(t, "AWS::CloudWatch::Alarm").filter((logicalId) =>
        new RegExp(`^Alarms${id}[0-9A-F]{8}$`).test(logicalId),
      );
      expect(hits, id).toHaveLength(1);
      return propsOf(t, "AWS::CloudWatch::Alarm", hits[0] ?? id);
    };

    const widget = (title: string) => {
      const w = widgets.find((x) => x.properties?.title === title);
      if (!w) throw new Error(`no widget titled ${title}`);
      return w.properties;
    };

    describe("ops dashboard", () => {
      it("has every panel the ops team asked for", () => {
        const titles = widgets.map((w) => w.properties?.title);
        for (const title of Object.values(WIDGET_TITLES)) expect(titles).toContain(title);
      });

      it("events published per type: a SEARCH over the event store's EventsStored by EventType", () => {
        const metrics = widget(WIDGET_TITLES.eventsPublished).metrics;
        expect(metrics[0][0].expression).toBe(
          `SEARCH('{BuzzVille,EventType,service} MetricName="EventsStored"', 'Sum', 60)`,
        );
      });

      it("queue depth and oldest-message age cover every working queue; DLQ depth every DLQ", () => {
        const queueNames = (title: string) => widget(title).metrics.map((m: Json[]) => m[3]);
        const working = expected.queues.filter((q) => q.role === "consumer" || q.role === "intake");
        const dlqs = expected.queues.filter(isDlq);
        expect(queueNames(WIDGET_TITLES.queueDepth).sort()).toEqual(
          working.map((q) => `<${q.logicalId}.QueueName>`).sort(),
        );
        expect(queueNames(WIDGET_TITLES.oldestMessage)).toHaveLength(working.length);
        expect(queueNames(WIDGET_TITLES.dlqDepth).sort()).toEqual(
          dlqs.map((q) => `<${q.logicalId}.QueueName>`).sort(),
        );
        expect(widget(WIDGET_TITLES.dlqDepth).metrics[0][1]).toBe(
          "ApproximateNumberOfMessagesVisible",
        );
      });

      it("Lambda errors, throttles and p99 duration per function; end-to-end p99 per service", () => {
        expect(widget(WIDGET_TITLES.lambdaErrors).metrics).toHaveLength(topology.functions.length);
        expect(widget(WIDGET_TITLES.lambdaThrottles).metrics[0][1]).toBe("Throttles");
        const duration = widget(WIDGET_TITLES.lambdaDurationP99).metrics[0];
        expect(duration[1]).toBe("Duration");
        expect(duration.at(-1).stat).toBe("p99");
        const e2e = widget(WIDGET_TITLES.endToEndLatency).metrics;
        expect(e2e.slice(0, topology.functions.length).map((m: Json[]) => m.slice(0, 4))).toEqual(
          topology.functions.map((f) => ["BuzzVille", "EndToEndLatency", "service", f.service]),
        );
      });

      it("event store write throttles read the events table", () => {
        const m = widget(WIDGET_TITLES.storeThrottles).metrics;
        expect(m[0].slice(0, 4)).toEqual([
          "AWS/DynamoDB",
          "WriteThrottleEvents",
          "TableName",
          "<EventsTable>",
        ]);
      });
    });

    describe("outputs the operator commands read (buzzville dlq|replay|stream --stack)", () => {
      it("declares every output key bin/ops/stack-outputs.ts requires, with the right value", () => {
        const outputs = t.findOutputs("*");
        for (const key of nonEmpty(requiredOutputKeys(topology), "output keys"))
          expect(Object.keys(outputs)).toContain(key);
        const value = (key: string) => (outputs[key] as Json).Value;
        expect(value(OUTPUT_KEYS.bus)).toEqual(ref("CityBus"));
        expect(value(OUTPUT_KEYS.archive)).toEqual(ref("CityBusArchive"));
        expect(value(OUTPUT_KEYS.table("EventsTable"))).toEqual(ref("EventsTable"));
        expect(value(OUTPUT_KEYS.table("ReadModelsTable"))).toEqual(ref("ReadModelsTable"));
        for (const q of nonEmpty(expected.queues, "queues")) {
          expect(value(OUTPUT_KEYS.queue(q.logicalId)), q.logicalId).toEqual(ref(q.logicalId));
        }
        for (const r of nonEmpty(expected.rules, "rules")) {
          expect(value(OUTPUT_KEYS.rule(r.logicalId)), r.logicalId).toEqual(getAtt(r.logicalId));
        }
      });
    });

    describe("alarms", () => {
      const dimensionRef = (a: Json, name: string) =>
        a.Dimensions?.find((d: Json) => d.Name === name)?.Value;

      it("every DLQ alarms as soon as it holds one message", () => {
        const dlqs = expected.queues.filter(isDlq);
        for (const q of nonEmpty(dlqs, "DLQs")) {
          t.hasResourceProperties("AWS::CloudWatch::Alarm", {
            MetricName: "ApproximateNumberOfMessagesVisible",
            Dimensions: Match.arrayWith([
              { Name: "QueueName", Value: getAtt(q.logicalId, "QueueName") },
            ]),
            Threshold: 0,
            ComparisonOperator: "GreaterThanThreshold",
            Statistic: "Maximum",
            EvaluationPeriods: 1,
          });
        }
      });

      it("critical queues alarm when their oldest message is over 30 s; other queues do not", () => {
        const ageAlarms = alarms.filter((a) => a.MetricName === "ApproximateAgeOfOldestMessage");
        const critical = topology.subscriptions.filter((s) => s.priority === "critical");
        expect(ageAlarms).toHaveLength(critical.length);
        for (const sub of nonEmpty(critical, "critical subscriptions")) {
          t.hasResourceProperties("AWS::CloudWatch::Alarm", {
            MetricName: "ApproximateAgeOfOldestMessage",
            Dimensions: Match.arrayWith([
              { Name: "QueueName", Value: getAtt(`${sub.id}Queue`, "QueueName") },
            ]),
            Threshold: 30,
            ComparisonOperator: "GreaterThanThreshold",
          });
        }
      });

      it("each consumer alarms when over 1 % of the records it received failed", () => {
        // Record level: EventFailures of every Reason / NumberOfMessagesReceived of its queues.
        for (const fn of nonEmpty(topology.functions, "functions")) {
          const a = alarm(`${fn.id}ErrorRateAlarm`);
          expect(a.Threshold, fn.id).toBe(1);
          expect(a.ComparisonOperator).toBe("GreaterThanThreshold");
          expect(a.EvaluationPeriods).toBe(1);
          expect(a.TreatMissingData).toBe("notBreaching");
          const query = (id: string) => a.Metrics.find((m: Json) => m.Id === id);
          const watched = a.Metrics.filter((m: Json) => m.ReturnData !== false);
          expect(watched).toHaveLength(1);
          expect(watched[0].Expression).toBe(
            `IF(received${fn.id} > 0, 100 * failed${fn.id} / received${fn.id}, 0)`,
          );
          expect(query(`failed${fn.id}`).Expression).toBe(
            REASONS.map((r) => `FILL(${r}${fn.id}, 0)`).join(" + "),
          );
          for (const reason of REASONS) {
            expect(query(`${reason}${fn.id}`).MetricStat, `${fn.id} ${reason}`).toEqual({
              Metric: {
                Namespace: "BuzzVille",
                MetricName: "EventFailures",
                Dimensions: [
                  { Name: "Reason", Value: reason },
                  { Name: "service", Value: fn.service },
                ],
              },
              Period: 300,
              Stat: "Sum",
            });
          }
          const subs = topology.subscriptions.filter((s) => s.functionId === fn.id);
          expect(query(`received${fn.id}`).Expression).toBe(
            subs.map((s) => `FILL(received${s.id}Queue, 0)`).join(" + "),
          );
          for (const sub of nonEmpty(subs, `${fn.id}'s subscriptions`)) {
            expect(query(`received${sub.id}Queue`).MetricStat, sub.id).toEqual({
              Metric: {
                Namespace: "AWS/SQS",
                MetricName: "NumberOfMessagesReceived",
                Dimensions: [{ Name: "QueueName", Value: getAtt(`${sub.id}Queue`, "QueueName") }],
              },
              Period: 300,
              Stat: "Sum",
            });
          }
          // CloudWatch reads at most 10 metrics per alarm; fixed dimensions need no SEARCH.
          const metrics = a.Metrics.filter((m: Json) => m.MetricStat);
          expect(metrics).toHaveLength(REASONS.length + subs.length);
          expect(metrics.length).toBeLessThanOrEqual(10);
          expect(a.Metrics).toHaveLength(metrics.length + 3);
          expect(JSON.stringify(a.Metrics)).not.toContain("SEARCH");
        }
      });

      it("each function alarms when over 1 % of its invocations crash (Lambda Errors / Invocations)", () => {
        for (const fn of nonEmpty(topology.functions, "functions")) {
          const a = alarm(`${fn.id}CrashRateAlarm`);
          expect(a.Threshold, fn.id).toBe(1);
          expect(a.ComparisonOperator).toBe("GreaterThanThreshold");
          expect(a.TreatMissingData).toBe("notBreaching");
          const watched = a.Metrics.filter((m: Json) => m.ReturnData !== false);
          expect(watched.map((m: Json) => m.Expression)).toEqual([
            `IF(invocations${fn.id} > 0, 100 * errors${fn.id} / invocations${fn.id}, 0)`,
          ]);
          for (const [id, name] of [
            [`errors${fn.id}`, "Errors"],
            [`invocations${fn.id}`, "Invocations"],
          ]) {
            const m = a.Metrics.find((x: Json) => x.Id === id);
            expect(m?.MetricStat.Metric, id).toEqual({
              Namespace: "AWS/Lambda",
              MetricName: name,
              Dimensions: [{ Name: "FunctionName", Value: ref(`${fn.id}Function`) }],
            });
            expect(m?.MetricStat.Stat).toBe("Sum");
          }
        }
      });

      it("the error-rate panel graphs every consumer's record error rate and crash rate", () => {
        const expressions = (widget(WIDGET_TITLES.errorRate).metrics as Json[])
          .map((m) => m.find((x: Json) => typeof x === "object" && x?.expression)?.expression)
          .filter((e) => typeof e === "string" && e.startsWith("IF("));
        for (const fn of nonEmpty(topology.functions, "functions")) {
          expect(expressions).toContain(
            `IF(received${fn.id} > 0, 100 * failed${fn.id} / received${fn.id}, 0)`,
          );
          expect(expressions).toContain(
            `IF(invocations${fn.id} > 0, 100 * errors${fn.id} / invocations${fn.id}, 0)`,
          );
        }
      });

      describe("end-to-end latency p99", () => {
        const e2e = () => alarms.filter((a) => a.MetricName === "EndToEndLatency");
        const priorityOf = (a: Json) => dimensionRef(a, "Priority");

        it("critical/high consumers alarm over 500 ms; batching consumers over window + 5 s", () => {
          const serviceLevel = e2e().filter((a) => priorityOf(a) === undefined);
          const thresholds = Object.fromEntries(
            serviceLevel.map((a) => [dimensionRef(a, "service"), a.Threshold]),
          );
          expect(thresholds).toEqual({
            emergency: 500, // EmergencyCritical: critical, no window
            traffic: 500, // TrafficSignals: high, no window
            "event-store": 500, // EventStore: high, no window
            media: 15_000, // Media: info, 10 s window
            analytics: 10_000, // Analytics: info, 5 s window
            // NotificationCritical (critical, 0 s) + NotificationBulk (normal, 5 s): the loosest
            // at service level; the critical/high events have their own alarms below.
            notification: 10_000,
          });
          for (const a of nonEmpty(e2e(), "end-to-end alarms")) {
            expect(a.Namespace).toBe("BuzzVille");
            expect(a.ExtendedStatistic).toBe("p99");
            expect(a.Period).toBe(300);
            expect(a.ComparisonOperator).toBe("GreaterThanThreshold");
            expect(a.TreatMissingData).toBe("notBreaching");
          }
        });

        it("thresholds follow the topology's priority and batching window", () => {
          for (const fn of nonEmpty(topology.functions, "functions")) {
            const subs = topology.subscriptions.filter((s) => s.functionId === fn.id);
            const budgets = subs.map((s) =>
              s.priority === "critical" || s.priority === "high"
                ? 500 + s.maxBatchingWindowSeconds * 1000
                : (s.maxBatchingWindowSeconds + 5) * 1000,
            );
            const a = alarm(`${fn.id}EndToEndP99Alarm`);
            expect(a.Threshold, fn.id).toBe(Math.max(...budgets));
            expect(a.Dimensions).toEqual([{ Name: "service", Value: fn.service }]);
          }
        });

        it("a function consuming both kinds alarms per priority on the critical path", () => {
          const perPriority = e2e().filter((a) => priorityOf(a) !== undefined);
          expect(
            perPriority.map((a) => [dimensionRef(a, "service"), priorityOf(a), a.Threshold]).sort(),
          ).toEqual([
            ["notification", "critical", 500],
            ["notification", "high", 500],
          ]);
          expect(alarm("NotificationCriticalEndToEndP99Alarm").Threshold).toBe(500);
          expect(alarm("NotificationHighEndToEndP99Alarm").Threshold).toBe(500);
        });

        it("budgets: a batching window on the critical path is added to the limit", () => {
          const fn = topology.functions.find((f) => f.id === "Notification");
          if (!fn) throw new Error("no Notification function");
          const slowCritical = { ...sub("NotificationCritical"), maxBatchingWindowSeconds: 2 };
          const plan = latencyPlan(fn, [slowCritical, sub("NotificationBulk")], 500, 5);
          expect(plan?.budgets).toEqual({ NotificationCritical: 2500, NotificationBulk: 10_000 });
          expect(plan?.priorities.map((p) => [p.priority, p.thresholdMillis])).toEqual([
            ["critical", 2500],
            ["high", 2500],
          ]);
          const alone = latencyPlan(fn, [sub("NotificationCritical")], 500, 5);
          expect(alone?.thresholdMillis).toBe(500);
          expect(alone?.priorities).toEqual([]);
        });

        it("the latency panel draws each alarm's line and threshold", () => {
          const w = widget(WIDGET_TITLES.endToEndLatency);
          const lines = w.metrics.map((m: Json[]) => m.slice(0, 6));
          expect(lines).toContainEqual([
            "BuzzVille",
            "EndToEndLatency",
            "Priority",
            "critical",
            "service",
            "notification",
          ]);
          expect(w.annotations.horizontal.map((a: Json) => a.value)).toEqual([500, 10_000, 15_000]);
          expect(w.annotations.horizontal[0].label).toContain("emergency");
          expect(w.annotations.horizontal[0].label).toContain("notification critical");
        });
      });

      it("the events and read-models tables alarm on any write throttle", () => {
        for (const table of ["EventsTable", "ReadModelsTable"]) {
          const a = alarm(`${table}WriteThrottleAlarm`);
          expect(a).toMatchObject({
            Namespace: "AWS/DynamoDB",
            MetricName: "WriteThrottleEvents",
            Dimensions: [{ Name: "TableName", Value: ref(table) }],
            Statistic: "Sum",
            Period: 60,
            Threshold: 0,
            ComparisonOperator: "GreaterThanThreshold",
            EvaluationPeriods: 1,
            TreatMissingData: "notBreaching",
          });
        }
        const m = widget(WIDGET_TITLES.storeThrottles).metrics.map((x: Json[]) => x.slice(0, 4));
        expect(m).toContainEqual([
          "AWS/DynamoDB",
          "WriteThrottleEvents",
          "TableName",
          "<ReadModelsTable>",
        ]);
      });

      it("without an alarm e-mail, alarms notify nobody (and no alarm topic exists)", () => {
        nonEmpty(alarms, "alarms");
        t.allResourcesProperties("AWS::CloudWatch::Alarm", { AlarmActions: Match.absent() });
        expect(t.toJSON().Resources.OpsAlarmTopic).toBeUndefined();
      });

      it("the dashboard shows every alarm", () => {
        const shown = widget(WIDGET_TITLES.alarms).alarms as string[];
        expect(shown).toHaveLength(alarms.length);
        expect(propsOf(t, "AWS::CloudWatch::Dashboard", "OpsDashboard")).toBeDefined();
      });
    });
  });
}
