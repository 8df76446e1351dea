/**
 * Crisis mode on AWS (docs/OPERATIONS.md, "Crisis mode"): a composite alarm on the critical
 * queues' backlog (oldest message age, total depth; thresholds from the topology's `crisis`) whose
 * state changes an EventBridge rule hands to the crisis controller Lambda
 * (functions/crisis/handler.ts). ALARM disables the shed subscriptions' rules; OK — which the
 * child alarms report only after `calmChecks` calm minutes — enables them again.
 */
import * as path from "node:path";
import { Duration, RemovalPolicy, Stack } from "aws-cdk-lib";
import * as cloudwatch from "aws-cdk-lib/aws-cloudwatch";
import type * as dynamodb from "aws-cdk-lib/aws-dynamodb";
import * as events from "aws-cdk-lib/aws-events";
import * as targets from "aws-cdk-lib/aws-events-targets";
import * as iam from "aws-cdk-lib/aws-iam";
import * as lambda from "aws-cdk-lib/aws-lambda";
import * as nodejs from "aws-cdk-lib/aws-lambda-nodejs";
import * as logs from "aws-cdk-lib/aws-logs";
import { Construct } from "constructs";
import { RESOURCE_ENV } from "../../events/names.ts";
import type { CrisisSpec } from "../topology.ts";
import type { CitySubscription } from "./city-subscription.ts";
import {
  bundlingOptions,
  LAMBDA_ARCHITECTURE,
  LAMBDA_RUNTIME,
  METRICS_NAMESPACE,
} from "./consumer-function.ts";
import { pinLogicalId } from "./queues.ts";
import { requireInteger } from "./validate.ts";

/** Logical ids of the crisis resources that others refer to (tests, docs). */
export const CRISIS_IDS = {
  function: "CrisisControllerFunction",
  rule: "CrisisAlarmStateRule",
  backlogAlarm: "CrisisBacklogAlarm",
} as const;

/** The controller's entry, relative to the repository root. */
export const CRISIS_CONTROLLER_ENTRY = "functions/crisis/handler.ts";
const STUB_CODE = "exports.handler = async () => ({});";

export interface CrisisSheddingProps {
  readonly spec: CrisisSpec;
  readonly bus: events.IEventBus;
  /** Subscriptions whose backlog decides (priority critical). */
  readonly critical: readonly CitySubscription[];
  /** Subscriptions shed in a crisis (priority `spec.shedPriority`). */
  readonly shed: readonly CitySubscription[];
  /** Where the controller keeps its state (`ops#crisis`). */
  readonly readModelsTable: dynamodb.ITable;
  readonly projectRoot: string;
  /** `false`: a stub handler for fast synths (never deploy it). @default true */
  readonly bundle?: boolean;
  /** @default logs.RetentionDays.ONE_MONTH */
  readonly logRetention?: logs.RetentionDays;
  /** @default RemovalPolicy.DESTROY */
  readonly removalPolicy?: RemovalPolicy;
}

export class CrisisShedding extends Construct {
  /** ALARM while critical work is backed up (either child alarm). */
  readonly backlogAlarm: cloudwatch.CompositeAlarm;
  readonly ageAlarm: cloudwatch.Alarm;
  readonly depthAlarm: cloudwatch.Alarm;
  readonly controller: nodejs.NodejsFunction;
  readonly trigger: events.Rule;

  constructor(scope: Construct, id: string, props: CrisisSheddingProps) {
    super(scope, id);
    const { spec } = props;
    const calm = requireInteger(this, "spec.calmChecks", spec.calmChecks, 1, 60);
    const queues = props.critical.flatMap((s) => s.workingQueues);
    const byId = (f: (q: (typeof queues)[number]) => cloudwatch.IMetric) =>
      Object.fromEntries(queues.map((q, i) => [`q${i}`, f(q)]));
    const list = queues.map((_, i) => `q${i}`).join(", ");
    // One breaching minute of the last `calm` raises the alarm; OK needs `calm` calm minutes.
    const hysteresis = {
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: calm,
      datapointsToAlarm: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    };
    this.ageAlarm = new cloudwatch.Alarm(this, "CriticalAgeAlarm", {
      ...hysteresis,
      alarmDescription: `Crisis: a critical queue's oldest message is older than ${spec.enterOldestSeconds} s.`,
      metric: new cloudwatch.MathExpression({
        expression: `MAX([${list}])`,
        usingMetrics: byId(({ queue }) =>
          queue.metricApproximateAgeOfOldestMessage({ statistic: "Maximum" }),
        ),
        period: Duration.minutes(1),
        label: "oldest critical message (s)",
      }),
      threshold: spec.enterOldestSeconds,
    });
    this.depthAlarm = new cloudwatch.Alarm(this, "CriticalDepthAlarm", {
      ...hysteresis,
      alarmDescription: `Crisis: the critical queues hold more than ${spec.enterDepth} messages.`,
      metric: new cloudwatch.MathExpression({
        expression: `SUM([${list}])`,
        usingMetrics: byId(({ queue }) =>
          queue.metricApproximateNumberOfMessagesVisible({ statistic: "Maximum" }),
        ),
        period: Duration.minutes(1),
        label: "critical messages waiting",
      }),
      threshold: spec.enterDepth,
    });
    this.backlogAlarm = new cloudwatch.CompositeAlarm(this, "CriticalBacklogAlarm", {
      alarmDescription: `Crisis mode: critical work backs up; the ${props.shed.map((s) => s.spec.id).join(", ")} subscriptions are shed until it has drained (docs/OPERATIONS.md).`,
      alarmRule: cloudwatch.AlarmRule.anyOf(this.ageAlarm, this.depthAlarm),
    });
    pinLogicalId(this.backlogAlarm, CRISIS_IDS.backlogAlarm);
    this.controller = this.controllerFunction(props);
    this.trigger = new events.Rule(this, "AlarmStateRule", {
      description: "Crisis controller: critical backlog alarm state changes",
      eventPattern: {
        source: ["aws.cloudwatch"],
        detailType: ["CloudWatch Alarm State Change"],
        resources: [this.backlogAlarm.alarmArn],
      },
      targets: [
        new targets.LambdaFunction(this.controller, {
          retryAttempts: 4,
          maxEventAge: Duration.minutes(15),
        }),
      ],
    });
    pinLogicalId(this.trigger, CRISIS_IDS.rule);
  }

  private controllerFunction(props: CrisisSheddingProps): nodejs.NodejsFunction {
    const logGroup = new logs.LogGroup(this, "LogGroup", {
      retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.DESTROY,
    });
    const role = new iam.Role(this, "Role", {
      assumedBy: new iam.ServicePrincipal("lambda.amazonaws.com"),
      description: "Buzz Ville crisis controller",
    });
    logGroup.grantWrite(role);
    const shed = props.shed.map((s) => ({ subscriptionId: s.spec.id, ruleName: s.rule.ruleName }));
    const fn = new nodejs.NodejsFunction(this, "Function", {
      ...(props.bundle === false
        ? { code: lambda.Code.fromInline(STUB_CODE), handler: "index.handler" }
        : {
            entry: path.resolve(props.projectRoot, CRISIS_CONTROLLER_ENTRY),
            handler: "handler",
            projectRoot: props.projectRoot,
            depsLockFilePath: path.resolve(props.projectRoot, "package-lock.json"),
            bundling: bundlingOptions(),
          }),
      description: "Buzz Ville crisis controller (sheds info subscriptions under critical backlog)",
      runtime: LAMBDA_RUNTIME,
      architecture: LAMBDA_ARCHITECTURE,
      memorySize: 256,
      timeout: Duration.seconds(30),
      // Concurrent alarm events are safe: the state document is written with optimistic
      // concurrency and rule switches are idempotent.
      role,
      logGroup,
      environment: {
        POWERTOOLS_SERVICE_NAME: "crisis",
        POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
        NODE_OPTIONS: "--enable-source-maps",
        [RESOURCE_ENV.bus]: props.bus.eventBusName,
        [RESOURCE_ENV.readModelsTable]: props.readModelsTable.tableName,
        CRISIS_SHED_RULES: Stack.of(this).toJsonString(shed),
      },
    });
    pinLogicalId(fn, CRISIS_IDS.function);
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ["events:DisableRule", "events:EnableRule", "events:DescribeRule"],
        resources: props.shed.map((s) => s.rule.ruleArn),
      }),
    );
    props.bus.grantPutEventsTo(fn);
    props.readModelsTable.grant(fn, "dynamodb:GetItem", "dynamodb:PutItem");
    return fn;
  }
}
