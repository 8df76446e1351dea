/**
 * The city's thresholds in the default stack (docs/ARCHITECTURE.md, alarms): work-queue depth
 * over 100,000 and function memory over 500 MB beside the p99 and error-rate alarms; and crisis
 * mode on AWS — the critical-backlog composite alarm, the rule on its state changes and the
 * controller that may switch exactly the shed rules.
 */
import { Match, type Template } from "aws-cdk-lib/assertions";
import { beforeAll, describe, expect, it } from "vitest";
import { CRISIS_IDS } from "../../infra/constructs/crisis-shedding.ts";
import { expectedResources } from "../../infra/resources.ts";
import { topology } from "../../infra/topology.ts";
import { defaultTemplate } from "./shared-stack.ts";
import { nonEmpty } from "./template-helpers.ts";

export function describeCrisisAndCapacityAlarms(): void {
  describe("default stack: capacity alarms and crisis mode", () => {
    let t: Template;
    const expected = expectedResources(topology);
    const working = expected.queues.filter((q) => q.role === "consumer" || q.role === "intake");
    const shed = topology.subscriptions.filter((s) => s.priority === topology.crisis.shedPriority);

    beforeAll(() => {
      t = defaultTemplate();
    });

    it("alarms on every work queue deeper than 100,000 visible messages, and only on those", () => {
      const depth = t.findResources("AWS::CloudWatch::Alarm", {
        Properties: { AlarmDescription: Match.stringLikeRegexp("^Work queue .* holds more than") },
      });
      expect(Object.keys(depth)).toHaveLength(working.length);
      expect(working.length).toBeGreaterThan(0);
      for (const q of working) {
        t.hasResourceProperties("AWS::CloudWatch::Alarm", {
          AlarmDescription: Match.stringLikeRegexp(`^Work queue ${q.logicalId} `),
          MetricName: "ApproximateNumberOfMessagesVisible",
          Namespace: "AWS/SQS",
          Statistic: "Maximum",
          Period: 60,
          Threshold: 100_000,
          ComparisonOperator: "GreaterThanThreshold",
          Dimensions: [{ Name: "QueueName", Value: { "Fn::GetAtt": [q.logicalId, "QueueName"] } }],
        });
      }
    });

    it("alarms on each function's resident memory above 500 MB from the kit's EMF metric", () => {
      for (const fn of nonEmpty(topology.functions, "functions")) {
        t.hasResourceProperties("AWS::CloudWatch::Alarm", {
          AlarmDescription: Match.stringLikeRegexp(
            `^Function ${fn.service}: resident memory above 500 MB`,
          ),
          Namespace: "BuzzVille",
          MetricName: "MemoryRssMb",
          Dimensions: [{ Name: "service", Value: fn.service }],
          Statistic: "Maximum",
          Threshold: 500,
        });
      }
    });

    it("raises the backlog composite alarm from the critical age and depth alarms, with hysteresis", () => {
      const c = topology.crisis;
      for (const [threshold, fn] of [
        [c.enterOldestSeconds, "MAX"],
        [c.enterDepth, "SUM"],
      ] as const) {
        t.hasResourceProperties("AWS::CloudWatch::Alarm", {
          Threshold: threshold,
          EvaluationPeriods: c.calmChecks,
          DatapointsToAlarm: 1,
          TreatMissingData: "notBreaching",
          Metrics: Match.arrayWith([
            Match.objectLike({ Expression: Match.stringLikeRegexp(`^${fn}\\(\\[q0, q1\\]\\)$`) }),
          ]),
        });
      }
      const rule = JSON.stringify(
        t.findResources("AWS::CloudWatch::CompositeAlarm")[CRISIS_IDS.backlogAlarm]?.Properties
          .AlarmRule,
      );
      expect(rule).toMatch(
        /ALARM\(.*CrisisCriticalAgeAlarm.*\) OR ALARM\(.*CrisisCriticalDepthAlarm/,
      );
      t.hasResourceProperties("AWS::CloudWatch::CompositeAlarm", {
        AlarmDescription: Match.stringLikeRegexp(
          `${shed.map((s) => s.id).join(", ")} subscriptions are shed`,
        ),
      });
    });

    it("hands the composite alarm's state changes to the controller, which may switch only the shed rules", () => {
      t.hasResourceProperties("AWS::Events::Rule", {
        EventPattern: {
          source: ["aws.cloudwatch"],
          "detail-type": ["CloudWatch Alarm State Change"],
          resources: [{ "Fn::GetAtt": [CRISIS_IDS.backlogAlarm, "Arn"] }],
        },
        Targets: [
          Match.objectLike({
            RetryPolicy: { MaximumRetryAttempts: 4, MaximumEventAgeInSeconds: 900 },
          }),
        ],
      });
      t.hasResourceProperties("AWS::Lambda::Function", {
        Description: Match.stringLikeRegexp("^Buzz Ville crisis controller"),
        Environment: {
          Variables: Match.objectLike({
            CRISIS_SHED_RULES: Match.anyValue(),
            EVENT_BUS_NAME: Match.anyValue(),
            READ_MODELS_TABLE_NAME: Match.anyValue(),
          }),
        },
      });
      t.hasResourceProperties("AWS::IAM::Policy", {
        PolicyDocument: {
          Statement: Match.arrayWith([
            {
              Action: ["events:DisableRule", "events:EnableRule", "events:DescribeRule"],
              Effect: "Allow",
              Resource: shed.map((s) => ({ "Fn::GetAtt": [`${s.id}Rule`, "Arn"] })),
            },
          ]),
        },
      });
    });
  });
}
