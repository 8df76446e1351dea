/**
 * AgencySubscription, as a city agency uses it in its own CDK app: a rule on the city bus (by
 * ARN) delivering to the agency's queue or bus, with retry and a DLQ; nag-clean; bad props get
 * errors that quote the value.
 */
import { App, Duration, Stack } from "aws-cdk-lib";
import { Template } from "aws-cdk-lib/assertions";
import * as events from "aws-cdk-lib/aws-events";
import * as sqs from "aws-cdk-lib/aws-sqs";
import { AwsSolutionsChecks } from "cdk-nag";
import { beforeAll, describe, expect, it } from "vitest";
import { AgencySubscription } from "../../infra/constructs/agency-subscription.ts";
import { InfraConfigError } from "../../infra/errors.ts";
import { getAtt, idsOf } from "./template-helpers.ts";

export function describeAgencySubscription(): void {
  describe("agency stack", () => {
    const CITY_BUS_ARN = "arn:aws:events:eu-west-1:111122223333:event-bus/BuzzVilleCityBus";
    const FIRE_PATTERN = { source: ["buzzville.fire-sensor"], "detail-type": ["FireAlarmRaised"] };
    let app: App;
    let t: Template;

    function agencyStack(): Stack {
      return new Stack(new App(), "Agency", {
        env: { account: "444455556666", region: "eu-west-1" },
      });
    }

    beforeAll(() => {
      app = new App();
      const stack = new Stack(app, "FireBrigade", {
        env: { account: "444455556666", region: "eu-west-1" },
      });
      const inbox = new sqs.Queue(stack, "Inbox", {
        encryption: sqs.QueueEncryption.SQS_MANAGED,
        enforceSSL: true,
        deadLetterQueue: {
          maxReceiveCount: 3,
          queue: new sqs.Queue(stack, "InboxDlq", {
            encryption: sqs.QueueEncryption.SQS_MANAGED,
            enforceSSL: true,
          }),
        },
      });
      new AgencySubscription(stack, "FireAlarms", {
        cityBusArn: CITY_BUS_ARN,
        eventPattern: FIRE_PATTERN,
        targetQueue: inbox,
        retryAttempts: 4,
        maxEventAge: Duration.minutes(30),
      });
      new AgencySubscription(stack, "AllAlerts", {
        cityBusArn: CITY_BUS_ARN,
        eventPattern: { source: [{ prefix: "buzzville." }] },
        targetBus: new events.EventBus(stack, "AgencyBus"),
      });
      t = Template.fromJSON(app.synth().getStackByName("FireBrigade").template);
    });

    const rules = () =>
      Object.entries(t.findResources("AWS::Events::Rule")).map(([id, r]) => ({
        id,
        p: r.Properties,
      }));

    describe("AgencySubscription", () => {
      it("puts a rule with the agency's pattern on the city bus, by ARN", () => {
        const fire = rules().find((r) => r.id.startsWith("FireAlarms"));
        expect(fire?.p.EventBusName).toBe(CITY_BUS_ARN);
        expect(fire?.p.EventPattern).toEqual(FIRE_PATTERN);
      });

      it("delivers to the agency queue with the given retry policy and a DLQ", () => {
        const fire = rules().find((r) => r.id.startsWith("FireAlarms"));
        const target = fire?.p.Targets[0];
        const inbox = idsOf(t, "AWS::SQS::Queue").find((k) => /^Inbox[0-9A-F]{8}$/.test(k));
        expect(target.Arn).toEqual(getAtt(inbox ?? "no Inbox queue"));
        expect(target.RetryPolicy).toEqual({
          MaximumRetryAttempts: 4,
          MaximumEventAgeInSeconds: 1800,
        });
        expect(target.DeadLetterConfig.Arn["Fn::GetAtt"][0]).toMatch(/^FireAlarmsDeadLetterQueue/);
      });

      it("delivers to an agency bus through a role, with a DLQ (EventBridge's own retry for buses)", () => {
        const all = rules().find((r) => r.id.startsWith("AllAlerts"));
        expect(all?.p.EventBusName).toBe(CITY_BUS_ARN);
        const target = all?.p.Targets[0];
        expect(target.Arn["Fn::GetAtt"][0]).toMatch(/^AgencyBus/);
        expect(target.RoleArn["Fn::GetAtt"][0]).toMatch(/^AllAlertsDeliveryRole/);
        expect(target.RetryPolicy).toBeUndefined();
        expect(target.DeadLetterConfig.Arn["Fn::GetAtt"][0]).toMatch(/^AllAlertsDeadLetterQueue/);
      });

      it("refuses a retry policy on a bus target (EventBridge does not take one)", () => {
        const stack = agencyStack();
        expect(
          () =>
            new AgencySubscription(stack, "BusRetry", {
              cityBusArn: CITY_BUS_ARN,
              eventPattern: FIRE_PATTERN,
              targetBus: new events.EventBus(stack, "B"),
              retryAttempts: 3,
            }),
        ).toThrow(/no retry policy on an event-bus target.*retryAttempts=3/);
      });

      it("is nag-clean", () => {
        expect(new AwsSolutionsChecks().validateScope(app).violations).toEqual([]);
      });

      it("rejects a bad bus ARN, quoting it", () => {
        expect(
          () =>
            new AgencySubscription(agencyStack(), "X", {
              cityBusArn: "arn:aws:sqs:eu-west-1:111122223333:not-a-bus",
              eventPattern: FIRE_PATTERN,
              targetQueue: new sqs.Queue(agencyStack(), "Q"),
            }),
        ).toThrow(
          /cityBusArn: must be an event bus ARN .*got "arn:aws:sqs:eu-west-1:111122223333:not-a-bus"/,
        );
      });

      it("needs exactly one target", () => {
        const stack = agencyStack();
        const queue = new sqs.Queue(stack, "Q");
        const bus = new events.EventBus(stack, "B");
        const make = (id: string, extra: object) =>
          new AgencySubscription(stack, id, {
            cityBusArn: CITY_BUS_ARN,
            eventPattern: FIRE_PATTERN,
            ...extra,
          });
        expect(() => make("Neither", {})).toThrow(
          /exactly one of targetBus or targetQueue .*got neither/,
        );
        expect(() => make("Both", { targetQueue: queue, targetBus: bus })).toThrow(/got both/);
      });

      it("rejects an empty pattern and out-of-range retry settings", () => {
        const stack = agencyStack();
        const targetQueue = new sqs.Queue(stack, "Q");
        const base = { cityBusArn: CITY_BUS_ARN, eventPattern: FIRE_PATTERN, targetQueue };
        expect(() => new AgencySubscription(stack, "Empty", { ...base, eventPattern: {} })).toThrow(
          InfraConfigError,
        );
        expect(
          () => new AgencySubscription(stack, "Retry", { ...base, retryAttempts: 200 }),
        ).toThrow(/retryAttempts: must be an integer from 0 to 185, got 200/);
        expect(
          () => new AgencySubscription(stack, "Age", { ...base, maxEventAge: Duration.hours(48) }),
        ).toThrow(/maxEventAge \(seconds\): must be an integer from 60 to 86400, got 172800/);
      });
    });
  });
}
