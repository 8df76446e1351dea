import { beforeAll, describe, expect, it } from "vitest";
import { WIDGET_TITLES } from "../../infra/constructs/ops-dashboard.ts";
import { expectedResources } from "../../infra/resources.ts";
import { type CfnTemplate, synthTemplate } from "../../infra/testing.ts";
import { topology } from "../../infra/topology.ts";
import { dashboardBody, getAtt, type Json, props } from "./template-helpers.ts";

const expected = expectedResources(topology);
let t: CfnTemplate;
let alarms: Json[];
let widgets: Json[];

beforeAll(() => {
  t = synthTemplate();
  alarms = Object.values(t.Resources)
    .filter((r) => r.Type === "AWS::CloudWatch::Alarm")
    .map((r) => r.Properties);
  widgets = dashboardBody(t, "OpsDashboard").widgets;
});

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
    const dlqs = expected.queues.filter((q) => q.role === "dlq" || q.role === "target-dlq");
    expect(queueNames(WIDGET_TITLES.queueDepth).sort()).toEqual(
      working.map((q) => `<${q.logicalId}.QueueName>`).sort(),
    );
    expect(queueNames(WIDGET_TITLES.oldestMessage)).toHaveLength(working.length);
    expect(queueNames(WIDGET_TITLES.dlqDepth).sort()).toEqual(
      dlqs.map((q) => `<${q.logicalId}.QueueName>`).sort(),
    );
    expect(widget(WIDGET_TITLES.dlqDepth).metrics[0][1]).toBe("ApproximateNumberOfMessagesVisible");
  });

  it("Lambda errors, throttles and p99 duration per function; end-to-end p99 per service", () => {
    expect(widget(WIDGET_TITLES.lambdaErrors).metrics).toHaveLength(topology.functions.length);
    expect(widget(WIDGET_TITLES.lambdaThrottles).metrics[0][1]).toBe("Throttles");
    const duration = widget(WIDGET_TITLES.lambdaDurationP99).metrics[0];
    expect(duration[1]).toBe("Duration");
    expect(duration.at(-1).stat).toBe("p99");
    const e2e = widget(WIDGET_TITLES.endToEndLatency).metrics;
    expect(e2e.map((m: Json[]) => m.slice(0, 4))).toEqual(
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

describe("alarms", () => {
  const dimensionRef = (a: Json, name: string) =>
    a.Dimensions?.find((d: Json) => d.Name === name)?.Value;

  it("every DLQ alarms as soon as it holds one message", () => {
    const dlqs = expected.queues.filter((q) => q.role === "dlq" || q.role === "target-dlq");
    for (const q of dlqs) {
      const alarm = alarms.find(
        (a) =>
          a.MetricName === "ApproximateNumberOfMessagesVisible" &&
          JSON.stringify(dimensionRef(a, "QueueName")) ===
            JSON.stringify(getAtt(q.logicalId, "QueueName")),
      );
      expect(alarm, q.logicalId).toBeDefined();
      expect(alarm.Threshold).toBe(0);
      expect(alarm.ComparisonOperator).toBe("GreaterThanThreshold");
      expect(alarm.Statistic).toBe("Maximum");
      expect(alarm.EvaluationPeriods).toBe(1);
    }
  });

  it("critical queues alarm when their oldest message is over 30 s; other queues do not", () => {
    const ageAlarms = alarms.filter((a) => a.MetricName === "ApproximateAgeOfOldestMessage");
    const critical = topology.subscriptions.filter((s) => s.priority === "critical");
    expect(ageAlarms).toHaveLength(critical.length);
    for (const sub of critical) {
      const alarm = ageAlarms.find(
        (a) =>
          JSON.stringify(dimensionRef(a, "QueueName")) ===
          JSON.stringify(getAtt(`${sub.id}Queue`, "QueueName")),
      );
      expect(alarm?.Threshold, sub.id).toBe(30);
      expect(alarm?.ComparisonOperator).toBe("GreaterThanThreshold");
    }
  });

  it("each consumer alarms when its error rate is over 1 %", () => {
    const rate = alarms.filter((a) =>
      a.Metrics?.some((m: Json) => String(m.Expression ?? "").includes("100 *")),
    );
    expect(rate).toHaveLength(topology.functions.length);
    for (const fn of topology.functions) {
      const alarm = rate.find((a) =>
        a.Metrics.some(
          (m: Json) =>
            m.MetricStat?.Metric.MetricName === "Errors" &&
            JSON.stringify(m.MetricStat.Metric.Dimensions) ===
              JSON.stringify([{ Name: "FunctionName", Value: { Ref: `${fn.id}Function` } }]),
        ),
      );
      expect(alarm, fn.id).toBeDefined();
      expect(alarm.Threshold).toBe(1);
      expect(alarm.ComparisonOperator).toBe("GreaterThanThreshold");
    }
  });

  it("each service alarms when its end-to-end p99 is over 500 ms", () => {
    const e2e = alarms.filter((a) => a.MetricName === "EndToEndLatency");
    expect(e2e.map((a) => dimensionRef(a, "service")).sort()).toEqual(
      topology.functions.map((f) => f.service).sort(),
    );
    for (const a of e2e) {
      expect(a.Namespace).toBe("BuzzVille");
      expect(a.ExtendedStatistic).toBe("p99");
      expect(a.Threshold).toBe(500);
      expect(a.ComparisonOperator).toBe("GreaterThanThreshold");
    }
  });

  it("without an alarm e-mail, alarms notify nobody (and no alarm topic exists)", () => {
    for (const a of alarms) expect(a.AlarmActions).toBeUndefined();
    expect(t.Resources.OpsAlarmTopic).toBeUndefined();
  });

  it("the dashboard shows every alarm", () => {
    const shown = widget(WIDGET_TITLES.alarms).alarms as string[];
    expect(shown).toHaveLength(alarms.length);
    expect(props(t, "OpsDashboard", "AWS::CloudWatch::Dashboard")).toBeDefined();
  });
});
