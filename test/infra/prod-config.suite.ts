/**
 * A production configuration through CDK context (as `cdk deploy -c ...` passes it, strings
 * included): retained data, agency rule management on the bus, alarm e-mails, reserved
 * concurrency — and still nag-clean.
 */
import { Template } from "aws-cdk-lib/assertions";
import { AwsSolutionsChecks } from "cdk-nag";
import { beforeAll, describe, expect, it } from "vitest";
import { AGENCY_RULE_ACTIONS } from "../../infra/constructs/city-bus.ts";
import { type SynthesizedStack, synthStack } from "../../infra/testing.ts";
import { topology } from "../../infra/topology.ts";
import { nonEmpty, propsOf, ref, resourceOf } from "./template-helpers.ts";

export function describeProdConfig(): void {
  describe("production context", () => {
    const AGENCIES = ["111122223333", "444455556666"];
    let s: SynthesizedStack;
    let t: Template;

    beforeAll(() => {
      s = synthStack({
        nag: true,
        context: {
          stage: "prod",
          archiveRetentionDays: "365",
          agencyAccountIds: AGENCIES.join(","),
          logRetentionDays: "90",
          logLevel: "WARN",
          alarmEmail: "ops@buzzville.example",
          reservedConcurrency: "Emergency=30,Notification=0",
        },
      });
      t = Template.fromJSON(s.template);
    });

    describe("production configuration", () => {
      it("names the stack after the stage and retains tables and logs, with deletion protection", () => {
        expect(s.stack.stackName).toBe("BuzzVille-prod");
        for (const id of ["EventsTable", "ReadModelsTable", "IdempotencyTable"]) {
          const table = resourceOf(t, "AWS::DynamoDB::Table", id);
          expect(table.DeletionPolicy, id).toBe("Retain");
          expect(table.UpdateReplacePolicy, id).toBe("Retain");
          expect(table.Properties?.DeletionProtectionEnabled, id).toBe(true);
        }
        for (const fn of nonEmpty(topology.functions, "functions")) {
          const group = resourceOf(t, "AWS::Logs::LogGroup", `${fn.id}LogGroup`);
          expect(group.DeletionPolicy).toBe("Retain");
          expect(group.Properties?.RetentionInDays).toBe(90);
        }
      });

      it("applies archive retention and log level from context", () => {
        expect(propsOf(t, "AWS::Events::Archive", "CityBusArchive").RetentionDays).toBe(365);
        const env = propsOf(t, "AWS::Lambda::Function", "TrafficFunction").Environment.Variables;
        expect(env.POWERTOOLS_LOG_LEVEL).toBe("WARN");
      });

      it("reserves concurrency as the context says: Emergency raised, Notification unreserved", () => {
        const reserved = (id: string) =>
          propsOf(t, "AWS::Lambda::Function", `${id}Function`).ReservedConcurrentExecutions;
        expect(reserved("Emergency")).toBe(30);
        // 0 means unreserved: no property at all (ReservedConcurrentExecutions 0 would throttle).
        expect(reserved("Notification")).toBeUndefined();
        expect(reserved("Traffic")).toBeUndefined();
      });

      it("lets each agency account manage only the rules it created on the city bus", () => {
        const policies = Object.values(t.findResources("AWS::Events::EventBusPolicy")).map(
          (r) => r.Properties,
        );
        expect(policies).toHaveLength(AGENCIES.length);
        for (const account of AGENCIES) {
          const p = policies.find((x) => JSON.stringify(x.Statement.Principal).includes(account));
          expect(p, account).toBeDefined();
          expect(p.EventBusName).toEqual(ref("CityBus"));
          expect(p.Statement.Effect).toBe("Allow");
          expect(p.Statement.Action).toEqual([...AGENCY_RULE_ACTIONS]);
          expect(p.Statement.Action).not.toContain("events:PutEvents");
          expect(p.Statement.Condition).toEqual({
            // biome-ignore lint/suspicious/noTemplateCurlyInString: an IAM policy variable, not JS
            StringEqualsIfExists: { "events:creatorAccount": "${aws:PrincipalAccount}" },
          });
          expect(JSON.stringify(p.Statement.Resource)).toContain(":rule/");
        }
      });

      it("sends every alarm to an encrypted topic with the ops e-mail subscribed", () => {
        const alarms = Object.values(t.findResources("AWS::CloudWatch::Alarm"));
        for (const a of nonEmpty(alarms, "alarms")) {
          expect(a.Properties?.AlarmActions).toEqual([ref("OpsAlarmTopic")]);
        }
        const topic = propsOf(t, "AWS::SNS::Topic", "OpsAlarmTopic");
        expect(topic.KmsMasterKeyId).toBeDefined();
        const sub = Object.values(t.findResources("AWS::SNS::Subscription"))[0];
        expect(sub?.Properties).toMatchObject({
          Protocol: "email",
          Endpoint: "ops@buzzville.example",
          TopicArn: ref("OpsAlarmTopic"),
        });
        const key = Object.values(t.findResources("AWS::KMS::Key"))[0];
        expect(key?.Properties?.EnableKeyRotation).toBe(true);
      });

      it("is nag-clean too", () => {
        expect(new AwsSolutionsChecks().validateScope(s.app).violations).toEqual([]);
      });
    });
  });
}
