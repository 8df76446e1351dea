import { beforeAll, describe, expect, it } from "vitest";
import { expectedResources } from "../../infra/resources.ts";
import type { CfnTemplate } from "../../infra/testing.ts";
import { RESOURCE_ENV, topology } from "../../infra/topology.ts";
import { defaultStack } from "./shared-stack.ts";
import {
  actionsOf,
  getAtt,
  type Json,
  nonEmpty,
  props,
  ref,
  resource,
  resourcesOf,
  roleOfFunction,
  statementsOfRole,
} from "./template-helpers.ts";

/** The default stack's functions: runtime, event sources, reserved concurrency and IAM. */
export function describeFunctions(): void {
  describe("default stack: functions", () => {
    const expected = expectedResources(topology);
    let t: CfnTemplate;

    beforeAll(() => {
      t = defaultStack().template;
    });

    describe("functions", () => {
      it("are ARM64 Node 24, tracing Active, with the Powertools env and their resources' env vars", () => {
        for (const fn of topology.functions) {
          const p = props(t, `${fn.id}Function`, "AWS::Lambda::Function");
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
        const notification = props(t, "NotificationFunction", "AWS::Lambda::Function");
        expect(notification.Environment.Variables.CITIZEN_ALERTS_TOPIC_ARN).toEqual(
          ref("CitizenAlertsTopic"),
        );
        expect(notification.Environment.Variables.EVENT_BUS_NAME).toEqual(ref("CityBus"));
      });

      it("log to their own log group with explicit retention", () => {
        for (const fn of topology.functions) {
          const p = props(t, `${fn.id}Function`, "AWS::Lambda::Function");
          expect(p.LoggingConfig).toEqual({ LogGroup: ref(`${fn.id}LogGroup`) });
          expect(props(t, `${fn.id}LogGroup`, "AWS::Logs::LogGroup").RetentionInDays).toBe(30);
        }
      });

      it("event sources: batch size, window, max concurrency and ReportBatchItemFailures from the topology", () => {
        for (const es of expected.eventSources) {
          const sub = topology.subscriptions.find((s) => s.id === es.subscriptionId);
          const p = props(t, es.logicalId, "AWS::Lambda::EventSourceMapping");
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
        for (const sub of topology.subscriptions) {
          const p = props(t, `${sub.id}EventSource`, "AWS::Lambda::EventSourceMapping");
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
            props(t, `${fn.id}Function`, "AWS::Lambda::Function").ReservedConcurrentExecutions,
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
              props(t, es.logicalId, "AWS::Lambda::EventSourceMapping").ScalingConfig
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
        const statements = Object.values(t.Resources)
          .filter((r) => r.Type === "AWS::IAM::Policy")
          .flatMap((r) => (r.Properties as Json).PolicyDocument.Statement);
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
        for (const fn of topology.functions) {
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
          const tracing = Object.keys(t.Resources).filter(
            (id) =>
              t.Resources[id]?.Type === "AWS::IAM::Policy" &&
              id.startsWith(`${fn.id}TracingPolicy`),
          );
          expect(tracing, fn.id).toHaveLength(1);
          const policy = props(t, tracing[0] ?? "?", "AWS::IAM::Policy");
          expect(policy.PolicyDocument.Statement).toEqual([
            {
              Action: ["xray:PutTraceSegments", "xray:PutTelemetryRecords"],
              Effect: "Allow",
              Resource: "*",
            },
          ]);
          expect(policy.Roles).toEqual([ref(role)]);
          // The function starts tracing only once its role may send traces.
          expect(resource(t, `${fn.id}Function`, "AWS::Lambda::Function").DependsOn).toContain(
            tracing[0],
          );
        }
      });

      it("function roles carry no managed policies", () => {
        for (const fn of topology.functions) {
          const role = props(t, roleOfFunction(t, `${fn.id}Function`), "AWS::IAM::Role");
          expect(role.ManagedPolicyArns).toBeUndefined();
        }
      });
    });
  });
}
