/**
 * The rendered topology and the synthesized template agree: every subscription becomes a rule,
 * its queue(s) (+ pipe when ordered) and an event source mapping, every function a Lambda — by
 * the logical ids of `expectedResources`, and nothing else of those kinds exists.
 */

import type { Template } from "aws-cdk-lib/assertions";
import { beforeAll, describe, expect, it } from "vitest";
import { CITY_API_IDS } from "../../infra/constructs/city-api.ts";
import { CRISIS_IDS } from "../../infra/constructs/crisis-shedding.ts";
import { expectedResources } from "../../infra/resources.ts";
import { topology } from "../../infra/topology.ts";
import { defaultTemplate } from "./shared-stack.ts";
import { getAtt, idsOf, nonEmpty, propsOf, ref, statementsOf } from "./template-helpers.ts";

export function describeTopologyAgreement(): void {
  describe("default stack vs topology", () => {
    const expected = expectedResources(topology);
    const sorted = (xs: readonly string[]) => [...xs].sort();
    let t: Template;

    beforeAll(() => {
      t = defaultTemplate();
    });

    describe("template vs topology", () => {
      it("one rule per subscription, one sweep schedule per sweeping function, and no other rule", () => {
        const sweeping = topology.functions.filter((f) => f.sweepEveryMinutes !== undefined);
        expect(sweeping.length).toBeGreaterThan(0);
        expect(idsOf(t, "AWS::Events::Rule")).toEqual(
          sorted([
            ...topology.subscriptions.map((s) => `${s.id}Rule`),
            ...sweeping.map((f) => `${f.id}SweepRule`),
            CRISIS_IDS.rule,
          ]),
        );
        for (const f of sweeping) {
          const rule = propsOf(t, "AWS::Events::Rule", `${f.id}SweepRule`);
          expect(rule.ScheduleExpression).toBe(
            `rate(${f.sweepEveryMinutes} minute${f.sweepEveryMinutes === 1 ? "" : "s"})`,
          );
          expect(rule.EventBusName).toBeUndefined();
          expect(rule.Targets).toHaveLength(1);
          expect(rule.Targets[0].Arn).toEqual({ "Fn::GetAtt": [`${f.id}Function`, "Arn"] });
          expect(JSON.parse(rule.Targets[0].Input)).toEqual({ Records: [] });
          // A missed sweep is harmless: the next one does the work.
          expect(rule.Targets[0].RetryPolicy.MaximumRetryAttempts).toBe(0);
        }
      });

      it("lets each consumer send a record that can never succeed to its queue's DLQ", () => {
        for (const sub of nonEmpty(topology.subscriptions, "subscriptions")) {
          const fn = topology.functions.find((f) => f.id === sub.functionId);
          const statements = statementsOf(t, "AWS::IAM::Policy").map((st) => JSON.stringify(st));
          const dlq = `${sub.id}Dlq`;
          expect(
            statements.some((st) => st.includes("sqs:SendMessage") && st.includes(`"${dlq}"`)),
            `${fn?.id} may send to ${dlq}`,
          ).toBe(true);
        }
      });

      it("exactly the expected queues (consumer, intake, DLQs, target DLQs)", () => {
        expect(idsOf(t, "AWS::SQS::Queue")).toEqual(
          sorted(expected.queues.map((q) => q.logicalId)),
        );
        // 7 consumer queues + 7 DLQs + 7 target DLQs + 2 x (intake + intake DLQ)
        expect(expected.queues).toHaveLength(7 * 3 + 2 * 2);
      });

      it("one pipe per ordered subscription, and no other pipe", () => {
        expect(idsOf(t, "AWS::Pipes::Pipe")).toEqual(
          sorted(topology.subscriptions.filter((s) => s.ordering).map((s) => `${s.id}Pipe`)),
        );
        for (const p of nonEmpty(expected.pipes, "pipes")) {
          const cfn = propsOf(t, "AWS::Pipes::Pipe", p.logicalId);
          expect(cfn.Source).toEqual(getAtt(p.sourceQueue));
          expect(cfn.Target).toEqual(getAtt(p.targetQueue));
          expect(cfn.TargetParameters.SqsQueueParameters.MessageGroupId).toBe(p.messageGroupIdPath);
          expect(cfn.TargetParameters.InputTemplate).toBe(p.inputTemplate);
        }
      });

      it("one event source mapping per subscription, wiring its queue to its function", () => {
        expect(idsOf(t, "AWS::Lambda::EventSourceMapping")).toEqual(
          sorted(topology.subscriptions.map((s) => `${s.id}EventSource`)),
        );
        for (const es of nonEmpty(expected.eventSources, "event sources")) {
          const cfn = propsOf(t, "AWS::Lambda::EventSourceMapping", es.logicalId);
          expect(cfn.EventSourceArn).toEqual(getAtt(es.queue));
          expect(cfn.FunctionName).toEqual(ref(es.function));
        }
      });

      it("one Lambda function per topology function, the city API's and the crisis controller, no other", () => {
        expect(idsOf(t, "AWS::Lambda::Function")).toEqual(
          sorted([
            ...topology.functions.map((f) => `${f.id}Function`),
            CITY_API_IDS.function,
            CRISIS_IDS.function,
          ]),
        );
      });

      it("each rule delivers where the topology says", () => {
        for (const r of nonEmpty(expected.rules, "rules")) {
          const target = propsOf(t, "AWS::Events::Rule", r.logicalId).Targets[0];
          expect(target.Arn).toEqual(getAtt(r.targetQueue));
          expect(target.DeadLetterConfig.Arn).toEqual(getAtt(r.targetDeadLetterQueue));
        }
      });

      it("each function's resource env vars name the resources of expectedResources", () => {
        for (const fn of nonEmpty(expected.functions, "functions")) {
          const vars = propsOf(t, "AWS::Lambda::Function", fn.logicalId).Environment.Variables;
          const env = Object.entries(fn.resourceEnv);
          expect(env.length, `${fn.logicalId}'s resource env vars`).toBeGreaterThan(0);
          for (const [name, logicalId] of env) {
            const value = JSON.stringify(vars[name]);
            expect(value, `${fn.logicalId}.${name}`).toContain(`"${logicalId}"`);
          }
        }
      });

      it("holds only the expected kinds of resources (no custom resources, no surprises)", () => {
        const resources: Record<string, { Type: string }> = t.toJSON().Resources;
        const kinds = new Set(Object.values(resources).map((r) => r.Type));
        expect([...kinds].sort()).toEqual(
          [
            "AWS::ApiGatewayV2::Api",
            "AWS::ApiGatewayV2::Integration",
            "AWS::ApiGatewayV2::Route",
            "AWS::ApiGatewayV2::Stage",
            "AWS::CloudWatch::Alarm",
            "AWS::CloudWatch::CompositeAlarm",
            "AWS::CloudWatch::Dashboard",
            "AWS::DynamoDB::Table",
            "AWS::Events::Archive",
            "AWS::Events::EventBus",
            "AWS::Events::Rule",
            "AWS::IAM::Policy",
            "AWS::IAM::Role",
            "AWS::Lambda::EventSourceMapping",
            "AWS::Lambda::Function",
            "AWS::Lambda::Permission",
            "AWS::Logs::LogGroup",
            "AWS::Pipes::Pipe",
            "AWS::SNS::Topic",
            "AWS::SNS::TopicPolicy",
            "AWS::SQS::Queue",
            "AWS::SQS::QueuePolicy",
          ].sort(),
        );
      });
    });
  });
}
