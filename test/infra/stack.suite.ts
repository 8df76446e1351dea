import { Match, type Template } from "aws-cdk-lib/assertions";
import { beforeAll, describe, expect, it } from "vitest";
import { IDEMPOTENCY_TABLE_KEYS } from "../../infra/constructs/data-stores.ts";
import { expectedResources, SHARED_IDS } from "../../infra/resources.ts";
import { topology } from "../../infra/topology.ts";
import { defaultTemplate } from "./shared-stack.ts";
import {
  actionsOf,
  getAtt,
  type Json,
  nonEmpty,
  propsOf,
  ref,
  resourceOf,
  resourcesOf,
  statementsOf,
  statementsOfRole,
} from "./template-helpers.ts";

/** Resource-level assertions on the default stack (queues, pipes, rules, tables, bus, topics). */
export function describeStackResources(): void {
  describe("default stack: resources", () => {
    const expected = expectedResources(topology);
    let t: Template;

    beforeAll(() => {
      t = defaultTemplate();
    });

    /** The QueuePolicy statements that apply to queue `logicalId`. */
    function queuePolicyStatements(logicalId: string): Json[] {
      return statementsOf(t, "AWS::SQS::QueuePolicy", {
        Queues: Match.arrayWith([ref(logicalId)]),
      });
    }

    describe("queues", () => {
      it("every working queue redrives to its own DLQ after 3 receives", () => {
        const working = expected.queues.filter((q) => q.deadLetterQueue);
        expect(working.length).toBe(topology.subscriptions.length + 2);
        for (const q of working) {
          expect(propsOf(t, "AWS::SQS::Queue", q.logicalId).RedrivePolicy, q.logicalId).toEqual({
            deadLetterTargetArn: getAtt(q.deadLetterQueue?.logicalId ?? "?"),
            maxReceiveCount: 3,
          });
        }
      });

      it("DLQs keep messages 14 days and have no redrive of their own", () => {
        const dlqs = expected.queues.filter((x) => x.role === "dlq" || x.role === "target-dlq");
        for (const q of nonEmpty(dlqs, "DLQs")) {
          const p = propsOf(t, "AWS::SQS::Queue", q.logicalId);
          expect(p.MessageRetentionPeriod, q.logicalId).toBe(1_209_600);
          expect(p.RedrivePolicy, q.logicalId).toBeUndefined();
        }
      });

      it("every queue has SQS-managed SSE and a policy denying non-TLS access", () => {
        for (const q of nonEmpty(expected.queues, "queues")) {
          expect(propsOf(t, "AWS::SQS::Queue", q.logicalId).SqsManagedSseEnabled, q.logicalId).toBe(
            true,
          );
          const deny = queuePolicyStatements(q.logicalId).find((s) => s.Effect === "Deny");
          expect(deny?.Condition, q.logicalId).toEqual({
            Bool: { "aws:SecureTransport": "false" },
          });
          expect(deny?.Action, q.logicalId).toBe("sqs:*");
        }
      });

      it("visibility timeout = consumer timeout x 6", () => {
        expect(propsOf(t, "AWS::SQS::Queue", "EmergencyCriticalQueue").VisibilityTimeout).toBe(60);
        expect(propsOf(t, "AWS::SQS::Queue", "AnalyticsQueue").VisibilityTimeout).toBe(180);
        expect(propsOf(t, "AWS::SQS::Queue", "TrafficSignalsIntakeQueue").VisibilityTimeout).toBe(
          60,
        );
      });

      it("ordered subscriptions read a FIFO queue (FIFO DLQ, no content-based dedup); intake stays standard", () => {
        for (const sub of nonEmpty(
          topology.subscriptions.filter((s) => s.ordering),
          "ordered subscriptions",
        )) {
          const fifo = propsOf(t, "AWS::SQS::Queue", `${sub.id}Queue`);
          expect(fifo.FifoQueue).toBe(true);
          expect(fifo.ContentBasedDeduplication).toBe(false);
          expect(propsOf(t, "AWS::SQS::Queue", `${sub.id}Dlq`).FifoQueue).toBe(true);
          expect(propsOf(t, "AWS::SQS::Queue", `${sub.id}IntakeQueue`).FifoQueue).toBeUndefined();
        }
        expect(propsOf(t, "AWS::SQS::Queue", "MediaQueue").FifoQueue).toBeUndefined();
      });
    });

    describe("ordering pipes", () => {
      it("move intake -> FIFO with the group id from the intersection / stream and dedup by event id", () => {
        const traffic = propsOf(t, "AWS::Pipes::Pipe", "TrafficSignalsPipe");
        expect(traffic.Source).toEqual(getAtt("TrafficSignalsIntakeQueue"));
        expect(traffic.Target).toEqual(getAtt("TrafficSignalsQueue"));
        expect(traffic.TargetParameters).toEqual({
          InputTemplate: "<$.body>",
          SqsQueueParameters: {
            MessageGroupId: "$.body.detail.meta.intersectionId",
            MessageDeduplicationId: "$.body.detail.meta.eventId",
          },
        });
        const store = propsOf(t, "AWS::Pipes::Pipe", "EventStorePipe");
        expect(store.TargetParameters.SqsQueueParameters).toEqual({
          MessageGroupId: "$.body.detail.meta.streamId",
          MessageDeduplicationId: "$.body.detail.meta.eventId",
        });
      });

      it("pipe roles may only consume the intake queue and send to the FIFO queue", () => {
        const statements = statementsOfRole(t, "TrafficSignalsPipeRole");
        const consume = statements.find((s) => actionsOf(s).includes("sqs:ReceiveMessage"));
        expect(resourcesOf(consume)).toEqual([getAtt("TrafficSignalsIntakeQueue")]);
        const send = statements.find((s) => actionsOf(s).includes("sqs:SendMessage"));
        expect(resourcesOf(send)).toEqual([getAtt("TrafficSignalsQueue")]);
        expect(statements).toHaveLength(2);
        expect(
          propsOf(t, "AWS::IAM::Role", "TrafficSignalsPipeRole").AssumeRolePolicyDocument
            .Statement[0].Principal,
        ).toEqual({ Service: "pipes.amazonaws.com" });
      });
    });

    describe("rules", () => {
      it("each rule has the topology's pattern, on the city bus, targeting its queue with retry and a DLQ", () => {
        for (const rule of nonEmpty(expected.rules, "rules")) {
          const p = propsOf(t, "AWS::Events::Rule", rule.logicalId);
          expect(p.EventPattern, rule.logicalId).toEqual(JSON.parse(JSON.stringify(rule.pattern)));
          expect(p.EventBusName).toEqual(ref(SHARED_IDS.bus));
          expect(p.Targets).toHaveLength(1);
          expect(p.Targets[0]).toMatchObject({
            Arn: getAtt(rule.targetQueue),
            RetryPolicy: { MaximumRetryAttempts: 8, MaximumEventAgeInSeconds: 3600 },
            DeadLetterConfig: { Arn: getAtt(rule.targetDeadLetterQueue) },
          });
        }
      });

      it("only its rule may send to a target queue and to its target DLQ", () => {
        for (const rule of nonEmpty(expected.rules, "rules")) {
          for (const q of [rule.targetQueue, rule.targetDeadLetterQueue]) {
            const allow = queuePolicyStatements(q).find((s) => s.Effect === "Allow");
            expect(allow?.Principal, q).toEqual({ Service: "events.amazonaws.com" });
            expect(actionsOf(allow)).toContain("sqs:SendMessage");
            expect(allow?.Condition, q).toEqual({
              ArnEquals: { "aws:SourceArn": getAtt(rule.logicalId) },
            });
          }
        }
      });
    });

    describe("tables", () => {
      const common = (id: string) => {
        const p = propsOf(t, "AWS::DynamoDB::Table", id);
        expect(p.BillingMode).toBe("PAY_PER_REQUEST");
        expect(p.PointInTimeRecoverySpecification).toEqual({ PointInTimeRecoveryEnabled: true });
        expect(p.SSESpecification).toEqual({ SSEEnabled: true });
        return p;
      };

      it("events table: pk/sk strings and a time-bucket GSI", () => {
        const p = common("EventsTable");
        expect(p.KeySchema).toEqual([
          { AttributeName: "pk", KeyType: "HASH" },
          { AttributeName: "sk", KeyType: "RANGE" },
        ]);
        expect(p.GlobalSecondaryIndexes).toEqual([
          {
            IndexName: "gsi1",
            KeySchema: [
              { AttributeName: "gsi1pk", KeyType: "HASH" },
              { AttributeName: "gsi1sk", KeyType: "RANGE" },
            ],
            Projection: { ProjectionType: "ALL" },
          },
        ]);
        for (const name of ["pk", "sk", "gsi1pk", "gsi1sk"]) {
          expect(p.AttributeDefinitions).toContainEqual({
            AttributeName: name,
            AttributeType: "S",
          });
        }
      });

      it("read-models table: pk/sk", () => {
        expect(common("ReadModelsTable").KeySchema).toEqual([
          { AttributeName: "pk", KeyType: "HASH" },
          { AttributeName: "sk", KeyType: "RANGE" },
        ]);
      });

      it("idempotency table: id + TTL on expiration (Powertools defaults)", () => {
        const p = common("IdempotencyTable");
        expect(p.KeySchema).toEqual([
          { AttributeName: IDEMPOTENCY_TABLE_KEYS.partitionKey, KeyType: "HASH" },
        ]);
        expect(p.TimeToLiveSpecification).toEqual({ AttributeName: "expiration", Enabled: true });
      });

      it("are deleted with a dev stack", () => {
        expect(resourceOf(t, "AWS::DynamoDB::Table", "EventsTable").DeletionPolicy).toBe("Delete");
      });
    });

    describe("bus, archive, topics", () => {
      it("archives every city event for 30 days by default; no agency policy by default", () => {
        const a = propsOf(t, "AWS::Events::Archive", "CityBusArchive");
        expect(a.SourceArn).toEqual(getAtt("CityBus"));
        expect(a.RetentionDays).toBe(30);
        expect(a.EventPattern).toEqual({ source: [{ prefix: "buzzville." }] });
        t.resourceCountIs("AWS::Events::EventBusPolicy", 0);
      });

      it("topics are KMS-encrypted and deny publishing without TLS", () => {
        for (const id of ["CitizenAlertsTopic", "MediaPostsTopic"]) {
          expect(JSON.stringify(propsOf(t, "AWS::SNS::Topic", id).KmsMasterKeyId)).toContain(
            ":alias/aws/sns",
          );
          const statements = statementsOf(t, "AWS::SNS::TopicPolicy", {
            Topics: Match.arrayWith([ref(id)]),
          });
          expect(statements.length, `topic policy of ${id}`).toBeGreaterThan(0);
          const deny = statements.find((s) => s.Effect === "Deny");
          expect(deny.Condition).toEqual({ Bool: { "aws:SecureTransport": "false" } });
        }
      });

      it("outputs the bus, tables, topics and every DLQ url", () => {
        const outputs = Object.keys(t.findOutputs("*"));
        expect(outputs).toEqual(
          expect.arrayContaining([
            "CityBusName",
            "CityBusArn",
            "EventsTableName",
            "OpsDashboardName",
          ]),
        );
        const dlqs = expected.queues.filter((x) => x.role === "dlq" || x.role === "target-dlq");
        for (const q of nonEmpty(dlqs, "DLQs")) {
          expect(outputs).toContain(`${q.logicalId}Url`);
        }
      });
    });
  });
}
