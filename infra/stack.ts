/**
 * The Buzz Ville stack: the topology (infra/topology.ts) rendered for AWS — the city bus with its
 * archive, one rule + queue(s) (+ pipe when ordered) per subscription, one consumer function per
 * topology function, the DynamoDB tables, the SNS topics, and the ops dashboard and alarms.
 */
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { CfnOutput, RemovalPolicy, Stack, type StackProps, Tags, Validations } from "aws-cdk-lib";
import * as logs from "aws-cdk-lib/aws-logs";
import type { Construct } from "constructs";
import { planReservedConcurrency, type ReservedConcurrency } from "./concurrency.ts";
import { CityApi } from "./constructs/city-api.ts";
import { CityBus } from "./constructs/city-bus.ts";
import { CitySubscription } from "./constructs/city-subscription.ts";
import { CityTopics } from "./constructs/city-topics.ts";
import {
  ConsumerFunction,
  type ConsumerFunctionProps,
  type LogLevel,
} from "./constructs/consumer-function.ts";
import { CrisisShedding } from "./constructs/crisis-shedding.ts";
import { DataStores } from "./constructs/data-stores.ts";
import { OpsAlarms } from "./constructs/ops-alarms.ts";
import { OpsDashboard } from "./constructs/ops-dashboard.ts";
import { SweepSchedule } from "./constructs/sweep-schedule.ts";
import { invalid, requireOneOf } from "./constructs/validate.ts";
import { ids, SHARED_IDS, visibilityTimeoutSeconds } from "./resources.ts";
import {
  topology as defaultTopology,
  functionOf,
  RESOURCE_ENV,
  type ResourceRef,
  type Topology,
} from "./topology.ts";

/** The repository root (handler entries in the topology are relative to it). */
export const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

/** Log retentions CloudWatch Logs accepts, in days. */
export const LOG_RETENTION_DAYS: readonly number[] = Object.values(logs.RetentionDays).filter(
  (v): v is number => typeof v === "number",
);

export interface BuzzVilleStackProps extends StackProps {
  /**
   * Deployment stage; `prod` retains data on delete by default.
   * @default "dev"
   */
  readonly stage?: string;
  /**
   * The wiring to render.
   * @default - the city's topology (infra/topology.ts)
   */
  readonly topology?: Topology;
  /**
   * Days the bus archive keeps events for replay (0 = forever).
   * @default 30
   */
  readonly archiveRetentionDays?: number;
  /**
   * Agency AWS accounts allowed to manage their own rules on the city bus.
   * @default - none
   */
  readonly agencyAccountIds?: readonly string[];
  /**
   * Removal policy of tables and log groups.
   * @default - RETAIN when stage is "prod", else DESTROY
   */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * Retention of every function's log group, days (a CloudWatch Logs value: 1, 3, 5, 7, 14, 30...).
   * @default 30
   */
  readonly logRetentionDays?: number;
  /**
   * POWERTOOLS_LOG_LEVEL of every function.
   * @default "INFO"
   */
  readonly logLevel?: LogLevel;
  /**
   * E-mail notified on every alarm.
   * @default - alarms are not sent anywhere
   */
  readonly alarmEmail?: string;
  /**
   * Reserved concurrency by topology function id (0 = unreserved); `0` instead of a map
   * reserves nothing (accounts with a small concurrency limit). Ids not listed keep the default.
   * @default - each function serving a critical subscription reserves its event sources' summed
   *   maximum concurrency (Emergency 20, Notification 12); the others are unreserved
   */
  readonly reservedConcurrency?: ReservedConcurrency;
  /**
   * Bundle the handlers with esbuild. `false` synthesizes stub code (fast; for tests and
   * template inspection only — never deploy it).
   * @default true
   */
  readonly bundle?: boolean;
  /**
   * Repository root the topology's handler entries are relative to.
   * @default - the directory above infra/
   */
  readonly projectRoot?: string;
}

export class BuzzVilleStack extends Stack {
  readonly stage: string;
  readonly topology: Topology;
  readonly cityBus: CityBus;
  readonly dataStores: DataStores;
  readonly topics: CityTopics;
  readonly subscriptions: readonly CitySubscription[];
  readonly functions: ReadonlyMap<string, ConsumerFunction>;
  /** Reserved concurrency per function id (0 = unreserved). */
  readonly reservedConcurrency: Readonly<Record<string, number>>;
  readonly alarms: OpsAlarms;
  readonly dashboard: OpsDashboard;
  /** The read-only city API (docs/API.md). */
  readonly cityApi: CityApi;
  /** Crisis mode: the critical-backlog alarm and the controller that sheds info subscriptions. */
  readonly crisis: CrisisShedding;

  constructor(scope: Construct, id: string, props: BuzzVilleStackProps = {}) {
    super(scope, id, props);
    this.stage = this.checkedStage(props.stage ?? "dev");
    const t = props.topology ?? defaultTopology;
    this.topology = t;
    checkTopology(this, t);
    const removalPolicy =
      props.removalPolicy ?? (this.stage === "prod" ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY);
    const logRetention = requireOneOf(
      this,
      "logRetentionDays",
      props.logRetentionDays ?? 30,
      LOG_RETENTION_DAYS,
    ) as logs.RetentionDays;
    this.reservedConcurrency = planReservedConcurrency(
      t,
      props.reservedConcurrency,
      `${this.node.path}: reservedConcurrency`,
    );

    Tags.of(this).add("project", "buzzville");
    Tags.of(this).add("stage", this.stage);

    this.cityBus = new CityBus(this, "CityBus", {
      archiveRetentionDays: props.archiveRetentionDays ?? 30,
      agencyAccountIds: props.agencyAccountIds ?? [],
    });
    this.dataStores = new DataStores(this, "DataStores", { removalPolicy });
    this.topics = new CityTopics(this, "Topics");

    const common = {
      projectRoot: props.projectRoot ?? PROJECT_ROOT,
      bundle: props.bundle ?? true,
      logRetention,
      removalPolicy,
      ...(props.logLevel ? { logLevel: props.logLevel } : {}),
    };
    const functions = this.consumerFunctions(t, common);
    this.functions = functions;
    this.cityApi = new CityApi(this, "CityApi", {
      eventsTable: this.dataStores.eventsTable,
      readModelsTable: this.dataStores.readModelsTable,
      ...common,
    });
    this.subscriptions = this.citySubscriptions(t, functions);

    this.crisis = new CrisisShedding(this, "Crisis", {
      spec: t.crisis,
      bus: this.cityBus.bus,
      critical: this.subscriptions.filter((s) => s.spec.priority === "critical"),
      shed: this.subscriptions.filter((s) => s.spec.priority === t.crisis.shedPriority),
      readModelsTable: this.dataStores.readModelsTable,
      projectRoot: common.projectRoot,
      bundle: common.bundle,
      logRetention,
      removalPolicy,
    });
    const fnList = [...functions.values()];
    this.alarms = this.opsAlarms(fnList, props.alarmEmail);
    this.dashboard = new OpsDashboard(this, "Ops", {
      subscriptions: this.subscriptions,
      functions: fnList,
      eventsTable: this.dataStores.eventsTable,
      alarms: this.alarms,
    });
    this.outputs();
  }

  /** The ops alarms: every subscription's and function's, both tables' write throttles, crisis's. */
  private opsAlarms(
    fnList: readonly ConsumerFunction[],
    alarmEmail: string | undefined,
  ): OpsAlarms {
    return new OpsAlarms(this, "Alarms", {
      subscriptions: this.subscriptions,
      functions: fnList,
      writeThrottleTables: [
        { logicalId: SHARED_IDS.eventsTable, table: this.dataStores.eventsTable },
        { logicalId: SHARED_IDS.readModelsTable, table: this.dataStores.readModelsTable },
      ],
      otherAlarms: [this.crisis.ageAlarm, this.crisis.depthAlarm],
      ...(alarmEmail !== undefined ? { alarmEmail } : {}),
    });
  }

  private checkedStage(stage: string): string {
    if (!/^[a-z][a-z0-9-]{0,15}$/.test(stage)) {
      invalid(
        this,
        "stage",
        `must be 1-16 lowercase letters, digits or dashes starting with a letter (e.g. "dev", "prod"), got ${JSON.stringify(stage)}`,
      );
    }
    return stage;
  }

  /** Every topology function, granted what it `uses`, with its sweep schedule when it has one. */
  private consumerFunctions(
    t: Topology,
    common: Pick<
      ConsumerFunctionProps,
      "projectRoot" | "bundle" | "logRetention" | "removalPolicy" | "logLevel"
    >,
  ): Map<string, ConsumerFunction> {
    const resourceEnv = this.resourceEnvironment();
    const functions = new Map<string, ConsumerFunction>();
    for (const spec of t.functions) {
      const fn = new ConsumerFunction(this, spec.id, {
        spec,
        projectRoot: common.projectRoot,
        bundle: common.bundle,
        logRetention: common.logRetention,
        removalPolicy: common.removalPolicy,
        reservedConcurrentExecutions: this.reservedConcurrency[spec.id] ?? 0,
        ...(common.logLevel ? { logLevel: common.logLevel } : {}),
        resourceEnvironment: Object.fromEntries(
          spec.uses.map((ref) => [RESOURCE_ENV[ref], resourceEnv[ref]]),
        ),
      });
      for (const ref of spec.uses) this.grant(ref, fn);
      if (spec.sweepEveryMinutes !== undefined) {
        new SweepSchedule(this, `${spec.id}Sweep`, {
          function: fn.function,
          everyMinutes: spec.sweepEveryMinutes,
        });
      }
      functions.set(spec.id, fn);
    }
    return functions;
  }

  /** Every topology subscription, consumed by its function. */
  private citySubscriptions(
    t: Topology,
    functions: ReadonlyMap<string, ConsumerFunction>,
  ): CitySubscription[] {
    return t.subscriptions.map((spec) => {
      const sub = new CitySubscription(this, `${spec.id}Subscription`, {
        bus: this.cityBus.bus,
        spec,
        visibilityTimeoutSeconds: visibilityTimeoutSeconds(t, spec),
        maxReceiveCount: t.maxReceiveCount,
        maximumRetryAttempts: t.targetRetry.maximumRetryAttempts,
        maximumEventAgeSeconds: t.targetRetry.maximumEventAgeSeconds,
      });
      functions.get(functionOf(t, spec).id)?.consume(sub);
      return sub;
    });
  }

  /** Name or ARN of each shared resource, as the functions receive it. */
  private resourceEnvironment(): Record<ResourceRef, string> {
    return {
      bus: this.cityBus.bus.eventBusName,
      eventsTable: this.dataStores.eventsTable.tableName,
      readModelsTable: this.dataStores.readModelsTable.tableName,
      idempotencyTable: this.dataStores.idempotencyTable.tableName,
      citizenAlertsTopic: this.topics.citizenAlerts.topicArn,
      mediaTopic: this.topics.mediaPosts.topicArn,
    };
  }

  /** Least privilege per `uses` entry. */
  private grant(ref: ResourceRef, consumer: ConsumerFunction): void {
    const d = this.dataStores;
    const fn = consumer.function;
    switch (ref) {
      case "bus":
        this.cityBus.bus.grantPutEventsTo(fn);
        return;
      case "eventsTable":
        // Append-only store: read, conditional put (commit items), no deletes.
        d.eventsTable.grant(
          fn,
          "dynamodb:GetItem",
          "dynamodb:BatchGetItem",
          "dynamodb:Query",
          "dynamodb:PutItem",
          "dynamodb:UpdateItem",
          "dynamodb:ConditionCheckItem",
          "dynamodb:DescribeTable",
        );
        Validations.of(consumer.role).acknowledge({
          id: `AwsSolutions-IAM5[Resource::<${SHARED_IDS.eventsTable}.Arn>/index/*]`,
          reason:
            "Range reads by time bucket query the events table's GSI; the grant covers this table's own indexes only.",
        });
        return;
      case "readModelsTable":
        // Read models are mutable projections: read, upsert, delete; no scans, no streams.
        d.readModelsTable.grant(
          fn,
          "dynamodb:GetItem",
          "dynamodb:BatchGetItem",
          "dynamodb:Query",
          "dynamodb:PutItem",
          "dynamodb:UpdateItem",
          "dynamodb:DeleteItem",
          "dynamodb:BatchWriteItem",
          "dynamodb:ConditionCheckItem",
          "dynamodb:DescribeTable",
        );
        return;
      case "idempotencyTable":
        // What Powertools idempotency calls (DynamoDBPersistenceLayer).
        d.idempotencyTable.grant(
          fn,
          "dynamodb:GetItem",
          "dynamodb:PutItem",
          "dynamodb:UpdateItem",
          "dynamodb:DeleteItem",
        );
        return;
      case "citizenAlertsTopic":
        this.topics.citizenAlerts.grantPublish(fn);
        return;
      case "mediaTopic":
        this.topics.mediaPosts.grantPublish(fn);
        return;
    }
  }

  private outputs(): void {
    const out = (id: string, value: string, description: string) =>
      new CfnOutput(this, id, { value, description });
    out("CityBusName", this.cityBus.bus.eventBusName, "EventBridge bus producers publish to");
    out("CityBusArn", this.cityBus.bus.eventBusArn, "Bus ARN agencies subscribe to");
    out("CityBusArchiveName", this.cityBus.archive.archiveName, "Archive to replay from");
    out("EventsTableName", this.dataStores.eventsTable.tableName, "Event store table");
    out("ReadModelsTableName", this.dataStores.readModelsTable.tableName, "Read models table");
    out("IdempotencyTableName", this.dataStores.idempotencyTable.tableName, "Idempotency table");
    out(
      "CitizenAlertsTopicArn",
      this.topics.citizenAlerts.topicArn,
      "Citizen alerts (filter: zone)",
    );
    out("MediaPostsTopicArn", this.topics.mediaPosts.topicArn, "Media posts");
    out("OpsDashboardName", this.dashboard.dashboard.dashboardName, "CloudWatch dashboard");
    out("CityApiUrl", this.cityApi.url, "City API base URL, IAM (SigV4) authorized (docs/API.md)");
    // The operator commands (`buzzville dlq|replay --stack S`, bin/ops/stack-outputs.ts) read
    // every queue URL and rule ARN from these outputs.
    for (const sub of this.subscriptions) {
      for (const q of sub.deadLetterQueues) {
        out(`${q.logicalId}Url`, q.queue.queueUrl, `DLQ of ${sub.spec.id} (redrive from here)`);
      }
      for (const q of sub.workingQueues) {
        out(`${q.logicalId}Url`, q.queue.queueUrl, `${q.role} queue of ${sub.spec.id}`);
      }
      out(`${ids.rule(sub.spec)}Arn`, sub.rule.ruleArn, `Rule of ${sub.spec.id} (replay filter)`);
    }
  }
}

/** Ids are unique and every subscription names a declared function. */
function checkTopology(scope: Construct, t: Topology): void {
  const seen = new Set<string>();
  for (const id of [...t.functions.map((f) => f.id), ...t.subscriptions.map((s) => s.id)]) {
    if (!/^[A-Z][A-Za-z0-9]*$/.test(id)) {
      invalid(scope, "topology", `ids must be PascalCase alphanumerics, got ${JSON.stringify(id)}`);
    }
  }
  for (const s of t.subscriptions) {
    if (seen.has(s.id))
      invalid(scope, "topology", `duplicate subscription id ${JSON.stringify(s.id)}`);
    seen.add(s.id);
    try {
      functionOf(t, s);
    } catch (cause) {
      invalid(scope, "topology", (cause as Error).message);
    }
  }
  const fnIds = new Set<string>();
  for (const f of t.functions) {
    if (fnIds.has(f.id))
      invalid(scope, "topology", `duplicate function id ${JSON.stringify(f.id)}`);
    fnIds.add(f.id);
  }
}
