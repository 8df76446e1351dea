/**
 * Props and context validation: bad values fail in the constructor (or when reading context),
 * with the field, the rule and the given value in the message.
 */
import { App, Stack } from "aws-cdk-lib";
import * as sqs from "aws-cdk-lib/aws-sqs";
import { describe, expect, it } from "vitest";
import { readAppConfig } from "../../infra/config.ts";
import { CityBus } from "../../infra/constructs/city-bus.ts";
import { CitySubscription } from "../../infra/constructs/city-subscription.ts";
import { ConsumerFunction } from "../../infra/constructs/consumer-function.ts";
import { OpsAlarms } from "../../infra/constructs/ops-alarms.ts";
import { OrderingPipe } from "../../infra/constructs/ordering-pipe.ts";
import { DeadLetteredQueue } from "../../infra/constructs/queues.ts";
import { InfraConfigError } from "../../infra/errors.ts";
import { pipeSourcePath } from "../../infra/resources.ts";
import { BuzzVilleStack, PROJECT_ROOT } from "../../infra/stack.ts";
import { type SubscriptionSpec, type Topology, topology } from "../../infra/topology.ts";

const stack = () => new Stack(new App(), "Probe");
const sub = (id: string): SubscriptionSpec => {
  const s = topology.subscriptions.find((x) => x.id === id);
  if (!s) throw new Error(`no subscription ${id}`);
  return s;
};
const ctx = (values: Record<string, unknown>) => (key: string) => values[key];

describe("construct props", () => {
  it("DeadLetteredQueue: maxReceiveCount and visibility timeout ranges", () => {
    expect(
      () =>
        new DeadLetteredQueue(stack(), "Q", { visibilityTimeoutSeconds: 60, maxReceiveCount: 0 }),
    ).toThrow(/Probe\/Q: maxReceiveCount: must be an integer from 1 to 1000, got 0/);
    expect(() => new DeadLetteredQueue(stack(), "Q", { visibilityTimeoutSeconds: 50_000 })).toThrow(
      /visibilityTimeoutSeconds: must be an integer from 0 to 43200, got 50000/,
    );
  });

  it("CityBus: agency account ids are 12 digits, archive retention a day count", () => {
    expect(
      () => new CityBus(stack(), "Bus", { agencyAccountIds: ["111122223333", "12345"] }),
    ).toThrow(/agencyAccountIds\[1\]: must be a 12-digit AWS account id, got "12345"/);
    expect(() => new CityBus(stack(), "Bus", { archiveRetentionDays: 1.5 })).toThrow(
      /archiveRetentionDays: must be an integer from 0 to 36500, got 1.5/,
    );
  });

  it("OrderingPipe: a dotted JSONPath and a FIFO target", () => {
    const s = stack();
    const fifo = new sqs.Queue(s, "Fifo", { fifo: true });
    const source = new sqs.Queue(s, "Src");
    expect(
      () =>
        new OrderingPipe(s, "P1", {
          source,
          target: fifo,
          groupIdPath: "detail.meta.intersectionId",
          dedupIdPath: "$.detail.meta.eventId",
        }),
    ).toThrow(/groupIdPath: must be a dotted JSONPath .*got "detail.meta.intersectionId"/);
    expect(
      () =>
        new OrderingPipe(s, "P2", {
          source,
          target: new sqs.Queue(s, "Standard"),
          groupIdPath: "$.detail.meta.intersectionId",
          dedupIdPath: "$.detail.meta.eventId",
        }),
    ).toThrow(/target: must be a FIFO queue/);
    expect(pipeSourcePath("$.detail.meta.streamId")).toBe("$.body.detail.meta.streamId");
  });

  it("CitySubscription: a non-empty pattern and EventBridge retry limits", () => {
    const s = stack();
    const bus = new CityBus(s, "Bus").bus;
    expect(
      () =>
        new CitySubscription(s, "Empty", {
          bus,
          spec: { ...sub("Media"), pattern: {} },
          visibilityTimeoutSeconds: 60,
        }),
    ).toThrow(/spec.pattern: must be a non-empty EventBridge event pattern object .*got \{\}/);
    expect(
      () =>
        new CitySubscription(s, "Retry", {
          bus,
          spec: sub("Media"),
          visibilityTimeoutSeconds: 60,
          maximumEventAgeSeconds: 10,
        }),
    ).toThrow(/maximumEventAgeSeconds: must be an integer from 60 to 86400, got 10/);
  });

  it("ConsumerFunction: FIFO sources take no batching window; >10 per batch needs a window", () => {
    const s = stack();
    const bus = new CityBus(s, "Bus").bus;
    const fnSpec = topology.functions[0];
    if (!fnSpec) throw new Error("topology has no functions");
    const fn = new ConsumerFunction(s, "Fn", {
      spec: fnSpec,
      projectRoot: PROJECT_ROOT,
      resourceEnvironment: {},
      bundle: false,
    });
    const ordered = new CitySubscription(s, "Ordered", {
      bus,
      spec: { ...sub("TrafficSignals"), maxBatchingWindowSeconds: 5 },
      visibilityTimeoutSeconds: 60,
    });
    expect(() => fn.consume(ordered)).toThrow(
      /subscription TrafficSignals.maxBatchingWindowSeconds: must be an integer from 0 to 0, got 5/,
    );
    const bulk = new CitySubscription(s, "Bulk", {
      bus,
      spec: { ...sub("Analytics"), maxBatchingWindowSeconds: 0 },
      visibilityTimeoutSeconds: 60,
    });
    expect(() => fn.consume(bulk)).toThrow(
      /batch size over 10 \(got 100\) needs a batching window/,
    );
    const lowConcurrency = new CitySubscription(s, "Low", {
      bus,
      spec: { ...sub("Media"), maxConcurrency: 1 },
      visibilityTimeoutSeconds: 60,
    });
    expect(() => fn.consume(lowConcurrency)).toThrow(
      /maxConcurrency: must be an integer from 2 to 1000, got 1/,
    );
  });

  it("ConsumerFunction: log level is one Powertools knows", () => {
    const fnSpec = topology.functions[0];
    if (!fnSpec) throw new Error("topology has no functions");
    expect(
      () =>
        new ConsumerFunction(stack(), "Fn", {
          spec: fnSpec,
          projectRoot: PROJECT_ROOT,
          resourceEnvironment: {},
          bundle: false,
          // why: a caller bypassing the type (e.g. from JSON) must still get a clear error.
          logLevel: "LOUD" as "INFO",
        }),
    ).toThrow(/logLevel: must be one of "DEBUG", "INFO", "WARN", "ERROR", got "LOUD"/);
  });

  it("OpsAlarms: a record error-rate alarm reads at most 10 metrics (5 reasons + 1 per queue)", () => {
    const s = stack();
    const bus = new CityBus(s, "Bus").bus;
    const fnSpec = topology.functions.find((f) => f.id === "Media");
    if (!fnSpec) throw new Error("topology has no Media function");
    const consumer = (id: string, queues: number) => {
      const fn = new ConsumerFunction(s, id, {
        spec: { ...fnSpec, id },
        projectRoot: PROJECT_ROOT,
        resourceEnvironment: {},
        bundle: false,
      });
      for (let i = 1; i <= queues; i++) {
        const subId = `${id}Feed${i}`;
        fn.consume(
          new CitySubscription(s, subId, {
            bus,
            spec: { ...sub("Media"), id: subId, functionId: id },
            visibilityTimeoutSeconds: 60,
          }),
        );
      }
      return fn;
    };
    const five = new OpsAlarms(s, "FiveAlarms", {
      subscriptions: [],
      functions: [consumer("Five", 5)],
    });
    expect(five.errorRateAlarms).toHaveLength(1);
    expect(
      () => new OpsAlarms(s, "SixAlarms", { subscriptions: [], functions: [consumer("Six", 6)] }),
    ).toThrow(
      /Function "Six" consumes 6 queues .*would read 11 metrics .*CloudWatch allows 10 per alarm/,
    );
  });

  it("OpsAlarms: the alarm e-mail must be an address", () => {
    expect(
      () =>
        new OpsAlarms(stack(), "Alarms", { subscriptions: [], functions: [], alarmEmail: "ops" }),
    ).toThrow(/alarmEmail: must be an e-mail address .*got "ops"/);
    expect(
      () =>
        new OpsAlarms(stack(), "Alarms", {
          subscriptions: [],
          functions: [],
          errorRatePercent: 150,
        }),
    ).toThrow(/errorRatePercent: must be a number from 0 to 100, got 150/);
    const halfPercent = new OpsAlarms(stack(), "Alarms", {
      subscriptions: [],
      functions: [],
      errorRatePercent: 0.5,
    });
    expect(halfPercent.thresholds).toEqual({
      criticalOldestMessageSeconds: 30,
      errorRatePercent: 0.5,
      endToEndP99Millis: 500,
      queueDepthMessages: 100_000,
      memoryUsedMb: 500,
    });
  });

  it("BuzzVilleStack: stage format and a consistent topology", () => {
    expect(() => new BuzzVilleStack(new App(), "S", { stage: "Prod!", bundle: false })).toThrow(
      /stage: must be 1-16 lowercase .*got "Prod!"/,
    );
    const broken: Topology = {
      ...topology,
      subscriptions: [{ ...sub("Media"), functionId: "Ghost" }],
    };
    expect(() => new BuzzVilleStack(new App(), "S", { topology: broken, bundle: false })).toThrow(
      /names function "Ghost", which the topology does not declare/,
    );
    expect(
      () => new BuzzVilleStack(new App(), "S", { logRetentionDays: 31, bundle: false }),
    ).toThrow(/logRetentionDays: must be one of .*got 31/);
  });
});

describe("CDK context", () => {
  it("defaults: dev stage, 30-day archive and logs, INFO, bundling on, no agencies", () => {
    expect(readAppConfig(ctx({}))).toEqual({
      stage: "dev",
      stackName: "BuzzVille-dev",
      archiveRetentionDays: 30,
      agencyAccountIds: [],
      logRetentionDays: 30,
      logLevel: "INFO",
      bundle: true,
    });
  });

  it("coerces the strings `-c key=value` passes", () => {
    const c = readAppConfig(
      ctx({
        stage: "prod",
        archiveRetentionDays: "0",
        agencyAccountIds: " 111122223333 , 444455556666",
        bundle: "false",
        removalPolicy: "retain",
        alarmEmail: "",
      }),
      { CDK_DEFAULT_ACCOUNT: "999988887777", CDK_DEFAULT_REGION: "eu-west-1" },
    );
    expect(c).toMatchObject({
      stage: "prod",
      stackName: "BuzzVille-prod",
      archiveRetentionDays: 0,
      agencyAccountIds: ["111122223333", "444455556666"],
      bundle: false,
      removalPolicy: "retain",
      account: "999988887777",
      region: "eu-west-1",
    });
    expect(c.alarmEmail).toBeUndefined();
  });

  it("names the key and quotes the value it rejects", () => {
    const fail = (values: Record<string, unknown>) => {
      try {
        readAppConfig(ctx(values));
      } catch (e) {
        expect(e).toBeInstanceOf(InfraConfigError);
        return (e as Error).message;
      }
      throw new Error("expected readAppConfig to throw");
    };
    expect(fail({ archiveRetentionDays: "forever" })).toMatch(
      /^context "archiveRetentionDays": .*got "forever"$/,
    );
    expect(fail({ agencyAccountIds: "1234" })).toMatch(
      /context "agencyAccountIds": each account id must be 12 digits; got "1234"/,
    );
    expect(fail({ logRetentionDays: 31 })).toMatch(
      /context "logRetentionDays": must be a CloudWatch Logs retention: .*got 31/,
    );
    expect(fail({ logLevel: "verbose" })).toMatch(/context "logLevel": .*got "verbose"/);
    expect(fail({ removalPolicy: "maybe" })).toMatch(/context "removalPolicy": .*got "maybe"/);
    expect(fail({ stage: "Prod" })).toMatch(/context "stage": 1-16 lowercase .*got "Prod"/);
    expect(fail({ stackName: "9-lives" })).toBe(
      'context "stackName": must be a CloudFormation stack name: 1-128 letters, digits or dashes, starting with a letter (e.g. "BuzzVille-prod"); got "9-lives"',
    );
    expect(fail({ stackName: "Buzz_Ville" })).toMatch(
      /^context "stackName": .*; got "Buzz_Ville"$/,
    );
    expect(fail({ stackName: `B${"x".repeat(128)}` })).toMatch(/1-128 letters, digits or dashes/);
  });

  it("takes a stack name of letters, digits and dashes", () => {
    expect(readAppConfig(ctx({ stackName: "City-Backbone-2" })).stackName).toBe("City-Backbone-2");
  });

  it("rejects a malformed CDK_DEFAULT_ACCOUNT", () => {
    expect(() => readAppConfig(ctx({}), { CDK_DEFAULT_ACCOUNT: "abc" })).toThrow(
      /environment CDK_DEFAULT_ACCOUNT: .*got "abc"/,
    );
  });
});
