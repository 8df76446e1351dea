import type { Template } from "aws-cdk-lib/assertions";
import { beforeAll, describe, expect, it } from "vitest";
import { expectedResources } from "../../infra/resources.ts";
import { RESOURCE_ENV, topology } from "../../infra/topology.ts";
import { defaultTemplate } from "./shared-stack.ts";
import {
  actionsOf,
  getAtt,
  idsOf,
  nonEmpty,
  propsOf,
  ref,
  resourceOf,
  resourcesOf,
  roleOfFunction,
  statementsOf,
  statementsOfRole,
} from "./template-helpers.ts";

/** The default stack's functions: runtime, event sources, reserved concurrency and IAM. */
export function describeFunctions(): void {
  describe("default stack: functions", () => {
    const expected = expectedResources(topology);
    let t: Template;

    beforeAll(() => {
      t = defaultTemplate();
    });

    describe("functions", () => {
      it("are ARM64 Node 24, tracing Active, with the Powertools env and their resources' env vars", () => {
        for (const fn of nonEmpty(topology.functions, "functions")) {
          const p = propsOf(t, "AWS::Lambda::Function", `${fn.id}Function`);
          expect(p.Architectures).toEqual(["arm64"]);
          expect(p.Runtime).toBe("nodejs24.x");
          expect(p.TracingConfig).toEqual({ Mode: "Active" });
          expect(p.Timeout).toBe(fn.timeoutSeconds);
          expect(p.MemorySize).toBe(fn.memoryMb);
          const env = p.Environment.Variables;
          expect(env).toMatchObject({
            POWERTOOLS_SERVICE_NAME: fn.service,
            POWERTOOLS_LOG_LEVEL: "INFO",
            POWERTOOLS_METRICS_NAMESPACE: "BuzzVille",
          });
          const names: readonly string[] = Object.values(RESOURCE_ENV);
          const resourceVars = Object.keys(env).filter((k) => names.includes(k));
          expect(resourceVars.sort()).toEqual(fn.uses.map((u) => RESOURCE_ENV[u]).sort());
        }
        const notification = propsOf(t, "AWS::Lambda::Function", "NotificationFunction");
        expect(notification.Environment.Variables.CITIZEN_ALERTS_TOPIC_ARN).toEqual(
          ref("CitizenAlertsTopic"),
        );
        expect(notification.Environment.Variables.EVENT_BUS_NAME).toEqual(ref("CityBus"));
      });

      it("log to their own log group with explicit retention", () => {
        for (const fn of nonEmpty(topology.functions, "functions")) {
          const p = propsOf(t, "AWS::Lambda::Function", `${fn.id}Function`);
          expect(p.LoggingConfig).toEqual({ LogGroup: ref(`${fn.id}LogGroup`) });
          expect(propsOf(t, "AWS::Logs::LogGroup", `${fn.id}LogGroup`).RetentionInDays).toBe(30);
        }
      });

      it("event sources: batch size, window, max concurrency and ReportBatchItemFailures from the topology", () => {
        for (const es of nonEmpty(expected.eventSources, "event sources")) {
          const sub = topology.subscriptions.find((s) => s.id === es.subscriptionId);
          const p = propsOf(t, "AWS::Lambda::EventSourceMapping", es.logicalId);
          expect(p.EventSourceArn).toEqual(getAtt(es.queue));
          expect(p.FunctionName).toEqual(ref(es.function));
          expect(p.BatchSize).toBe(es.batchSize);
          expect(p.ScalingConfig).toEqual({ MaximumConcurrency: es.maxConcurrency });
          expect(p.FunctionResponseTypes).toEqual(["ReportBatchItemFailures"]);
          // FIFO event sources accept no batching window at all; standard ones get it explicitly.
          expect(p.MaximumBatchingWindowInSeconds).toBe(
            sub?.ordering ? undefined : es.maxBatchingWindowSeconds,
          );
        }
      });

      it("critical queues never wait for a batch; bulk queues batch", () => {
        for (const sub of nonEmpty(topology.subscriptions, "subscriptions")) {
          const p = propsOf(t, "AWS::Lambda::EventSourceMapping", `${sub.id}EventSource`);
          if (sub.priority === "critical") expect(p.MaximumBatchingWindowInSeconds).toBe(0);
          if (sub.priority === "info" || sub.priority === "normal") {
            expect(p.MaximumBatchingWindowInSeconds).toBeGreaterThan(0);
          }
        }
      });
      it("functions behind critical queues reserve their event sources' concurrency; others do not", () => {
        // Emergency: EmergencyCritical 20. Notification: NotificationCritical 10 + NotificationBulk 2.
        const reserved = Object.fromEntries(
          topology.functions.map((fn) => [
            fn.id,
            propsOf(t, "AWS::Lambda::Function", `${fn.id}Function`).ReservedConcurrentExecutions,
          ]),
        );
        expect(reserved).toEqual({
          Emergency: 20,
          Notification: 12,
          Traffic: undefined,
          EventStore: undefined,
          Media: undefined,
          Analytics: undefined,
        });
        // A reservation never caps a function below what its event sources may run.
        for (const [fnId, n] of Object.entries(reserved)) {
          if (n === undefined) continue;
          const sources = expected.eventSources.filter((es) => es.function === `${fnId}Function`);
          const total = sources.reduce(
            (sum, es) =>
              sum +
              propsOf(t, "AWS::Lambda::EventSourceMapping", es.logicalId).ScalingConfig
                .MaximumConcurrency,
            0,
          );
          expect(n, fnId).toBeGreaterThanOrEqual(total);
        }
      });
    });

    describe("least privilege", () => {
      const allActions = (fnId: string) =>
        statementsOfRole(t, roleOfFunction(t, `${fnId}Function`)).flatMap(actionsOf);

      it("no statement anywhere grants a bare '*' action", () => {
        const statements = statementsOf(t, "AWS::IAM::Policy");
        for (const s of nonEmpty(statements, "policy statements")) {
          expect(actionsOf(s).some((a) => a === "*" || a.endsWith(":*"))).toBe(false);
        }
      });

      it("functions get exactly the resources they use", () => {
        expect(allActions("EventStore")).not.toContain("events:PutEvents");
        expect(allActions("EventStore")).not.toContain("dynamodb:DeleteItem");
        expect(allActions("Emergency")).toContain("events:PutEvents");
        expect(allActions("Emergency")).not.toContain("sns:Publish");
        const notify = statementsOfRole(t, roleOfFunction(t, "NotificationFunction"));
        const publish = notify.find((s) => actionsOf(s).includes("sns:Publish"));
        expect(resourcesOf(publish)).toEqual([ref("CitizenAlertsTopic")]);
        const media = statementsOfRole(t, roleOfFunction(t, "MediaFunction"));
        expect(resourcesOf(media.find((s) => actionsOf(s).includes("sns:Publish")))).toEqual([
          ref("MediaPostsTopic"),
        ]);
        // Analytics only reads/writes read models and publishes; no idempotency table, no topics.
        const analytics = statementsOfRole(t, roleOfFunction(t, "AnalyticsFunction"));
        const tables = analytics.flatMap(resourcesOf).map((r) => JSON.stringify(r));
        expect(tables.some((r) => r.includes("IdempotencyTable"))).toBe(false);
        expect(tables.some((r) => r.includes("EventsTable"))).toBe(false);
      });

      it("a function role's only Resource '*' statement is X-Ray telemetry, in a policy of its own", () => {
        const XRAY_TELEMETRY = new Set([
          "xray:PutTraceSegments",
          "xray:PutTelemetryRecords",
          "xray:GetSamplingRules",
          "xray:GetSamplingTargets",
          "xray:GetSamplingStatisticSummaries",
        ]);
        for (const fn of nonEmpty(topology.functions, "functions")) {
          const role = roleOfFunction(t, `${fn.id}Function`);
          const wildcard = statementsOfRole(t, role).filter((s) =>
            resourcesOf(s).some((r) => r === "*"),
          );
          expect(wildcard.length, fn.id).toBeGreaterThan(0);
          for (const s of wildcard) {
            expect(resourcesOf(s), fn.id).toEqual(["*"]);
            for (const action of actionsOf(s)) {
              expect(XRAY_TELEMETRY.has(action), `${fn.id}: ${action}`).toBe(true);
            }
          }
          // The policy holding it (the one cdk-nag's acknowledgement sits on) holds nothing else.
          const tracing = idsOf(t, "AWS::IAM::Policy").filter((id) =>
            id.startsWith(`${fn.id}TracingPolicy`),
          );
          expect(tracing, fn.id).toHaveLength(1);
          const policy = propsOf(t, "AWS::IAM::Policy", tracing[0] ?? "?");
          expect(policy.PolicyDocument.Statement).toEqual([
            {
              Action: ["xray:PutTraceSegments", "xray:PutTelemetryRecords"],
              Effect: "Allow",
              Resource: "*",
            },
          ]);
          expect(policy.Roles).toEqual([ref(role)]);
          // The function starts tracing only once its role may send traces.
          expect(resourceOf(t, "AWS::Lambda::Function", `${fn.id}Function`).DependsOn).toContain(
            tracing[0],
          );
        }
      });

      it("function roles carry no managed policies", () => {
        for (const fn of nonEmpty(topology.functions, "functions")) {
          const role = propsOf(t, "AWS::IAM::Role", roleOfFunction(t, `${fn.id}Function`));
          expect(role.ManagedPolicyArns).toBeUndefined();
        }
      });
    });
  });
}
