/**
 * The local deployment holds the same resources and wiring as the synthesized CDK template:
 * read back from the local cloud through its APIs (not from the deployer's own bookkeeping) and
 * compared by logical id.
 */

import { DescribeTableCommand, ListTablesCommand } from "@aws-sdk/client-dynamodb";
import { ListRulesCommand, ListTargetsByRuleCommand } from "@aws-sdk/client-eventbridge";
import { ListTopicsCommand } from "@aws-sdk/client-sns";
import { GetQueueAttributesCommand, ListQueuesCommand } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CITY_API_IDS } from "../../../infra/constructs/city-api.ts";
import { CRISIS_IDS } from "../../../infra/constructs/crisis-shedding.ts";
import { type CfnTemplate, synthTemplate } from "../../../infra/testing.ts";
import { topology } from "../../../infra/topology.ts";
import { apiEnvOf } from "../../../local/api/serve.ts";
import { type LocalCloud, startLocalCloud } from "../../../local/cloud.ts";
import { deployTopology } from "../../../local/deploy.ts";
import { startFunctions } from "../../../local/lambda/runtime.ts";
import { PipesClient } from "../../../local/pipes/client.ts";
import type { ResourceMap } from "../../../local/resource-map.ts";
import { clientsFor } from "./support.ts";

const PREFIX = "buzzville-local";
type Cfn = { Type: string; Properties?: Record<string, unknown> };

/** Logical id of a local physical name or ARN (`buzzville-local-TrafficSignalsQueue.fifo`). */
function logicalOf(nameOrArn: string): string {
  const last = nameOrArn.split(/[:/]/).pop() ?? nameOrArn;
  return last.replace(`${PREFIX}-`, "").replace(/\.fifo$/, "");
}

/** Logical id a CloudFormation `{Ref}` / `{Fn::GetAtt}` points at. */
function refOf(value: unknown): string {
  const v = value as { Ref?: string; "Fn::GetAtt"?: [string, string] };
  return v.Ref ?? v["Fn::GetAtt"]?.[0] ?? `not a reference: ${JSON.stringify(value)}`;
}

describe("local deployment vs the synthesized CDK template", () => {
  let cloud: LocalCloud;
  let template: CfnTemplate;
  let deployed: ResourceMap;
  let clients: ReturnType<typeof clientsFor>;
  const ofType = (type: string): [string, Cfn][] =>
    Object.entries(template.Resources).filter(([, r]) => r.Type === type);

  beforeAll(async () => {
    template = synthTemplate();
    cloud = await startLocalCloud({ port: 0 });
    clients = clientsFor(cloud.endpoint);
    deployed = await deployTopology({
      endpoint: cloud.endpoint,
      region: cloud.region,
      topology,
      prefix: PREFIX,
    });
    // Idempotent: a second deployment succeeds and changes nothing.
    await deployTopology({
      endpoint: cloud.endpoint,
      region: cloud.region,
      topology,
      prefix: PREFIX,
    });
  });
  afterAll(async () => {
    await cloud?.stop();
  });

  it("has the same queues, FIFO flags, visibility timeouts and DLQ redrives", async () => {
    const { QueueUrls = [] } = await clients.sqs.send(
      new ListQueuesCommand({ QueueNamePrefix: PREFIX }),
    );
    const local: Record<string, unknown> = {};
    for (const url of QueueUrls) {
      const { Attributes = {} } = await clients.sqs.send(
        new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ["All"] }),
      );
      const redrive = Attributes.RedrivePolicy ? JSON.parse(Attributes.RedrivePolicy) : undefined;
      local[logicalOf(url)] = {
        fifo: Attributes.FifoQueue === "true",
        visibility: Number(Attributes.VisibilityTimeout),
        dlq: redrive ? logicalOf(redrive.deadLetterTargetArn) : null,
        maxReceiveCount: redrive ? Number(redrive.maxReceiveCount) : null,
      };
    }
    const expected: Record<string, unknown> = {};
    for (const [id, r] of ofType("AWS::SQS::Queue")) {
      const p = r.Properties ?? {};
      const redrive = p.RedrivePolicy as
        | { deadLetterTargetArn: unknown; maxReceiveCount: number }
        | undefined;
      expected[id] = {
        fifo: p.FifoQueue === true,
        visibility: Number(p.VisibilityTimeout ?? 30),
        dlq: redrive ? refOf(redrive.deadLetterTargetArn) : null,
        maxReceiveCount: redrive ? redrive.maxReceiveCount : null,
      };
    }
    expect(Object.keys(local).sort()).toEqual(Object.keys(expected).sort());
    expect(local).toEqual(expected);
  });

  it("has the same rules, patterns, targets, retry policies and target DLQs", async () => {
    const { Rules = [] } = await clients.events.send(
      new ListRulesCommand({ EventBusName: deployed.bus.name }),
    );
    const local: Record<string, unknown> = {};
    for (const rule of Rules) {
      const { Targets = [] } = await clients.events.send(
        new ListTargetsByRuleCommand({ Rule: rule.Name, EventBusName: deployed.bus.name }),
      );
      local[logicalOf(rule.Name ?? "")] = {
        pattern: JSON.parse(rule.EventPattern ?? "null"),
        targets: Targets.map((t) => ({
          queue: logicalOf(t.Arn ?? ""),
          dlq: logicalOf(t.DeadLetterConfig?.Arn ?? ""),
          retry: t.RetryPolicy,
        })),
      };
    }
    const expected: Record<string, unknown> = {};
    // The bus's rules; sweep schedules (default bus, ScheduleExpression) are checked below.
    for (const [id, r] of ofType("AWS::Events::Rule")) {
      if (r.Properties?.ScheduleExpression !== undefined) continue;
      if (id === CRISIS_IDS.rule) continue; // locally: LocalCrisisMonitor (docs/OPERATIONS.md §4)
      expect(refOf(r.Properties?.EventBusName)).toBe("CityBus");
      const targets = r.Properties?.Targets as {
        Arn: unknown;
        DeadLetterConfig: { Arn: unknown };
        RetryPolicy: unknown;
      }[];
      expected[id] = {
        pattern: r.Properties?.EventPattern,
        targets: targets.map((t) => ({
          queue: refOf(t.Arn),
          dlq: refOf(t.DeadLetterConfig.Arn),
          retry: t.RetryPolicy,
        })),
      };
    }
    expect(local).toEqual(expected);
  });

  it("has the same pipes: source, target, group and deduplication paths, input template", async () => {
    const pipes = new PipesClient(cloud.endpoint, cloud.region);
    const { Pipes } = await pipes.listPipes();
    const local: Record<string, unknown> = {};
    for (const { Name } of Pipes) {
      const p = (await pipes.describePipe(Name)) as Record<string, unknown>;
      local[logicalOf(Name)] = {
        source: logicalOf(String(p.Source)),
        target: logicalOf(String(p.Target)),
        sourceParameters: p.SourceParameters,
        targetParameters: p.TargetParameters,
      };
    }
    const expected: Record<string, unknown> = {};
    for (const [id, r] of ofType("AWS::Pipes::Pipe")) {
      expected[id] = {
        source: refOf(r.Properties?.Source),
        target: refOf(r.Properties?.Target),
        sourceParameters: r.Properties?.SourceParameters,
        targetParameters: r.Properties?.TargetParameters,
      };
    }
    expect(local).toEqual(expected);
  });

  it("has the same tables (keys, attributes, indexes) and topics", async () => {
    const { TableNames = [] } = await clients.dynamodb.send(new ListTablesCommand({}));
    const local: Record<string, unknown> = {};
    for (const name of TableNames.filter((n) => n.startsWith(PREFIX))) {
      const { Table } = await clients.dynamodb.send(new DescribeTableCommand({ TableName: name }));
      local[logicalOf(name)] = {
        keys: Table?.KeySchema,
        attributes: [...(Table?.AttributeDefinitions ?? [])].sort((a, b) =>
          String(a.AttributeName).localeCompare(String(b.AttributeName)),
        ),
        indexes: (Table?.GlobalSecondaryIndexes ?? []).map((g) => ({
          IndexName: g.IndexName,
          KeySchema: g.KeySchema,
          Projection: g.Projection,
        })),
      };
    }
    const expected: Record<string, unknown> = {};
    for (const [id, r] of ofType("AWS::DynamoDB::Table")) {
      const p = r.Properties ?? {};
      expected[id] = {
        keys: p.KeySchema,
        attributes: [...((p.AttributeDefinitions as { AttributeName: string }[]) ?? [])].sort(
          (a, b) => a.AttributeName.localeCompare(b.AttributeName),
        ),
        indexes: p.GlobalSecondaryIndexes ?? [],
      };
    }
    expect(local).toEqual(expected);

    const { Topics = [] } = await clients.sns.send(new ListTopicsCommand({}));
    expect(
      Topics.map((t) => logicalOf(t.TopicArn ?? ""))
        .filter((id) => template.Resources[id])
        .sort(),
    ).toEqual(
      ofType("AWS::SNS::Topic")
        .map(([id]) => id)
        .sort(),
    );
  });

  it("wires the same queues to the same functions with the same batching, and the same resource env vars", () => {
    const local = Object.fromEntries(
      deployed.eventSources.map((es) => [
        es.logicalId,
        {
          queue: es.queue,
          function: es.function,
          batch: es.batchSize,
          window: es.maxBatchingWindowSeconds,
          concurrency: es.maxConcurrency,
        },
      ]),
    );
    const expected = Object.fromEntries(
      ofType("AWS::Lambda::EventSourceMapping").map(([id, r]) => {
        const p = r.Properties ?? {};
        return [
          id,
          {
            queue: refOf(p.EventSourceArn),
            function: refOf(p.FunctionName),
            batch: p.BatchSize,
            window: p.MaximumBatchingWindowInSeconds ?? 0,
            concurrency: (p.ScalingConfig as { MaximumConcurrency: number }).MaximumConcurrency,
          },
        ];
      }),
    );
    expect(local).toEqual(expected);

    const byValue = new Map<string, string>([[deployed.bus.name, "CityBus"]]);
    for (const [id, t] of Object.entries(deployed.tables)) byValue.set(t.name, id);
    for (const [id, t] of Object.entries(deployed.topics)) byValue.set(t.arn, id);
    for (const [id, r] of ofType("AWS::Lambda::Function")) {
      if (id === CRISIS_IDS.function) continue; // locally: LocalCrisisMonitor, same controller
      const environment = r.Properties?.Environment as { Variables?: Record<string, unknown> };
      const vars = environment?.Variables ?? {};
      const expectedEnv = Object.fromEntries(
        Object.entries(vars)
          .filter(([, v]) => typeof v === "object")
          .map(([k, v]) => [k, refOf(v)]),
      );
      // The city API is served by the gateway (local/api/serve.ts), with the same environment.
      const fn = id === CITY_API_IDS.function ? undefined : deployed.functions[id];
      if (id !== CITY_API_IDS.function) expect(fn, `local function ${id}`).toBeDefined();
      const resourceEnv = fn?.resourceEnv ?? apiEnvOf(deployed);
      const localEnv = Object.fromEntries(
        Object.entries(resourceEnv).map(([k, v]) => [k, byValue.get(v) ?? v]),
      );
      expect(localEnv).toEqual(expectedEnv);
    }
  });

  it("sweeps the same functions at the same rates as the stack's scheduled rules", async () => {
    const functions = startFunctions({ resources: deployed, sqs: clients.sqs });
    try {
      const local = Object.fromEntries(
        functions.sweeps.map((sw) => [
          sw.function,
          `rate(${sw.everyMinutes} minute${sw.everyMinutes === 1 ? "" : "s"})`,
        ]),
      );
      const expected = Object.fromEntries(
        ofType("AWS::Events::Rule")
          .filter(([, r]) => r.Properties?.ScheduleExpression !== undefined)
          .map(([, r]) => {
            const targets = (r.Properties?.Targets ?? []) as { Arn: unknown; Input?: string }[];
            const [target] = targets;
            expect(JSON.parse(target?.Input ?? "null")).toEqual({ Records: [] });
            return [refOf(target?.Arn), r.Properties?.ScheduleExpression];
          }),
      );
      expect(Object.keys(expected).length).toBeGreaterThan(0);
      expect(local).toEqual(expected);
    } finally {
      await functions.stop();
    }
  });
});
