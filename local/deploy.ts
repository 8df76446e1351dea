/**
 * Deploys the topology to the local cloud THROUGH the gateway with real SDK clients (the path a
 * user takes): the bus and its archive, tables, topics, every queue with its DLQ (redrive after
 * maxReceiveCount), rules with their targets (retry policy + target DLQ), pipes, and the
 * description of the functions and event source mappings the Lambda runner starts. Names are
 * `<prefix>-<logical id>` (FIFO queues end in `.fifo`). Idempotent: a second run changes nothing.
 */

import {
  CreateTableCommand,
  DynamoDBClient,
  ResourceInUseException,
} from "@aws-sdk/client-dynamodb";
import {
  CreateArchiveCommand,
  CreateEventBusCommand,
  EventBridgeClient,
  PutRuleCommand,
  PutTargetsCommand,
} from "@aws-sdk/client-eventbridge";
import { CreateTopicCommand, SNSClient } from "@aws-sdk/client-sns";
import { CreateQueueCommand, SQSClient } from "@aws-sdk/client-sqs";
import {
  type ExpectedQueue,
  type ExpectedResources,
  type ExpectedRule,
  expectedResources,
  SHARED_IDS,
} from "../infra/resources.ts";
import type { Topology } from "../infra/topology.ts";
import { LOCAL_ACCOUNT, localArn } from "./account.ts";
import { PipesClient } from "./pipes/client.ts";
import type { DeployedQueue, ResourceMap } from "./resource-map.ts";
import { tableInputs } from "./table-inputs.ts";
import { LOCAL_CREDENTIALS } from "./targets.ts";

export class DeployError extends Error {
  override readonly name = "DeployError";
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

export interface DeployOptions {
  readonly endpoint: string;
  readonly region: string;
  readonly topology: Topology;
  /** Physical names are `<prefix>-<logical id>`. @default "buzzville-local" */
  readonly prefix?: string;
  /**
   * Retention of the bus archive, days. The local archive lives in memory, so it is short by
   * default (AWS's stack keeps 7 days); the local cloud prunes it on a timer (cloud.ts).
   * @default 1
   */
  readonly archiveRetentionDays?: number;
}

const ignoreExisting = (names: string[]) => (error: unknown) => {
  if (error instanceof Error && names.includes(error.name)) return;
  throw error;
};

/** What every deploy phase uses: the clients, and the names and ARNs of the deployment. */
interface Deployment {
  readonly options: DeployOptions;
  readonly prefix: string;
  readonly expected: ExpectedResources;
  readonly sqs: SQSClient;
  readonly sns: SNSClient;
  readonly ddb: DynamoDBClient;
  readonly events: EventBridgeClient;
  readonly pipes: PipesClient;
  /** The physical name of a logical id: `<prefix>-<logical id>`. */
  name(logicalId: string): string;
  arn(service: string, resource: string): string;
}

type Named = { readonly name: string; readonly arn: string };

export async function deployTopology(options: DeployOptions): Promise<ResourceMap> {
  const d = deployment(options);
  try {
    const bus = await deployBus(d);
    const tables = await deployTables(d);
    const topics = await deployTopics(d);
    const queues = await deployQueues(d);
    const rules = await deployRules(d, bus.bus, queues);
    const pipes = await deployPipes(d, queues);
    const functions = describeFunctions(d, { bus: bus.bus, tables, topics });
    return {
      prefix: d.prefix,
      region: options.region,
      endpoint: options.endpoint,
      ...bus,
      tables,
      topics,
      queues,
      rules,
      pipes,
      functions,
      eventSources: d.expected.eventSources.map((es) => ({ ...es })),
    };
  } finally {
    d.sqs.destroy();
    d.sns.destroy();
    d.ddb.destroy();
    d.events.destroy();
  }
}

function deployment(options: DeployOptions): Deployment {
  const prefix = options.prefix ?? "buzzville-local";
  const { endpoint, region } = options;
  const config = { endpoint, region, credentials: LOCAL_CREDENTIALS };
  return {
    options,
    prefix,
    expected: expectedResources(options.topology),
    sqs: new SQSClient(config),
    sns: new SNSClient(config),
    ddb: new DynamoDBClient(config),
    events: new EventBridgeClient(config),
    pipes: new PipesClient(endpoint, region),
    name: (logicalId) => `${prefix}-${logicalId}`,
    arn: (service, resource) => localArn(service, region, resource),
  };
}

/** The bus and its archive. */
async function deployBus(d: Deployment): Promise<{ bus: Named; archive: Named }> {
  const busName = d.name(SHARED_IDS.bus);
  await d.events
    .send(new CreateEventBusCommand({ Name: busName }))
    .catch(ignoreExisting(["ResourceAlreadyExistsException"]));
  const busArn = d.arn("events", `event-bus/${busName}`);
  const archiveName = d.name(SHARED_IDS.archive);
  await d.events
    .send(
      new CreateArchiveCommand({
        ArchiveName: archiveName,
        EventSourceArn: busArn,
        RetentionDays: d.options.archiveRetentionDays ?? 1,
      }),
    )
    .catch(ignoreExisting(["ResourceAlreadyExistsException"]));
  return {
    bus: { name: busName, arn: busArn },
    archive: { name: archiveName, arn: d.arn("events", `archive/${archiveName}`) },
  };
}

async function deployTables(d: Deployment): Promise<Record<string, Named>> {
  const ids = [SHARED_IDS.eventsTable, SHARED_IDS.readModelsTable, SHARED_IDS.idempotencyTable];
  const names: Record<string, string> = Object.fromEntries(ids.map((id) => [id, d.name(id)]));
  for (const input of tableInputs(names)) {
    await d.ddb.send(new CreateTableCommand(input)).catch((error: unknown) => {
      if (error instanceof ResourceInUseException) return;
      throw error;
    });
  }
  return Object.fromEntries(
    ids.map((id) => [id, { name: d.name(id), arn: d.arn("dynamodb", `table/${d.name(id)}`) }]),
  );
}

async function deployTopics(d: Deployment): Promise<Record<string, Named>> {
  const topics: Record<string, Named> = {};
  for (const id of [SHARED_IDS.citizenAlertsTopic, SHARED_IDS.mediaTopic]) {
    const out = await d.sns.send(new CreateTopicCommand({ Name: d.name(id) }));
    topics[id] = { name: d.name(id), arn: out.TopicArn ?? d.arn("sns", d.name(id)) };
  }
  return topics;
}

/** Every queue with its DLQ: DLQs first, so redrive policies can name them. */
async function deployQueues(d: Deployment): Promise<Record<string, DeployedQueue>> {
  const queues: Record<string, DeployedQueue> = {};
  const ordered = [...d.expected.queues].sort(
    (a, b) => Number(!!a.deadLetterQueue) - Number(!!b.deadLetterQueue),
  );
  for (const q of ordered) queues[q.logicalId] = await createQueue(d.sqs, q, d.name, queues);
  return queues;
}

/** Rules with their queue target (retry policy and target DLQ). */
async function deployRules(
  d: Deployment,
  bus: Named,
  queues: Readonly<Record<string, DeployedQueue>>,
): Promise<ResourceMap["rules"]> {
  const rules: Record<string, ResourceMap["rules"][string]> = {};
  for (const rule of d.expected.rules) {
    const ruleName = d.name(rule.logicalId);
    const out = await d.events.send(
      new PutRuleCommand({
        Name: ruleName,
        EventBusName: bus.name,
        EventPattern: JSON.stringify(rule.pattern),
        Description: rule.description,
        State: "ENABLED",
      }),
    );
    await putQueueTarget(d, bus, rule, queues);
    rules[rule.logicalId] = {
      name: ruleName,
      arn: out.RuleArn ?? d.arn("events", `rule/${bus.name}/${ruleName}`),
      pattern: rule.pattern,
      targetQueue: rule.targetQueue,
      targetDeadLetterQueue: rule.targetDeadLetterQueue,
    };
  }
  return rules;
}

async function putQueueTarget(
  d: Deployment,
  bus: Named,
  rule: ExpectedRule,
  queues: Readonly<Record<string, DeployedQueue>>,
): Promise<void> {
  const ruleName = d.name(rule.logicalId);
  const target = queues[rule.targetQueue];
  const dlq = queues[rule.targetDeadLetterQueue];
  if (!target || !dlq)
    throw new DeployError(`Rule ${rule.logicalId} names queues that were not deployed`);
  const put = await d.events.send(
    new PutTargetsCommand({
      Rule: ruleName,
      EventBusName: bus.name,
      Targets: [
        {
          Id: "Queue",
          Arn: target.arn,
          RetryPolicy: {
            MaximumRetryAttempts: rule.maximumRetryAttempts,
            MaximumEventAgeInSeconds: rule.maximumEventAgeSeconds,
          },
          DeadLetterConfig: { Arn: dlq.arn },
        },
      ],
    }),
  );
  if ((put.FailedEntryCount ?? 0) > 0) {
    throw new DeployError(
      `PutTargets for rule ${ruleName} failed: ${JSON.stringify(put.FailedEntries)}`,
    );
  }
}

async function deployPipes(
  d: Deployment,
  queues: Readonly<Record<string, DeployedQueue>>,
): Promise<ResourceMap["pipes"]> {
  const deployed: Record<string, ResourceMap["pipes"][string]> = {};
  for (const pipe of d.expected.pipes) {
    const source = queues[pipe.sourceQueue];
    const target = queues[pipe.targetQueue];
    if (!source || !target)
      throw new DeployError(`Pipe ${pipe.logicalId} names queues that were not deployed`);
    const out = await d.pipes.putPipe(d.name(pipe.logicalId), {
      Source: source.arn,
      Target: target.arn,
      RoleArn: `arn:aws:iam::${LOCAL_ACCOUNT}:role/${d.name(pipe.logicalId)}Role`,
      DesiredState: "RUNNING",
      SourceParameters: { SqsQueueParameters: { BatchSize: 10 } },
      TargetParameters: {
        InputTemplate: pipe.inputTemplate,
        SqsQueueParameters: {
          MessageGroupId: pipe.messageGroupIdPath,
          MessageDeduplicationId: pipe.messageDeduplicationIdPath,
        },
      },
    });
    deployed[pipe.logicalId] = {
      name: d.name(pipe.logicalId),
      arn: out.Arn,
      sourceQueue: pipe.sourceQueue,
      targetQueue: pipe.targetQueue,
    };
  }
  return deployed;
}

/**
 * The functions (their environment, resource logical ids made physical); the Lambda runner
 * starts them and their event source mappings (local/lambda/runtime.ts).
 */
function describeFunctions(
  d: Deployment,
  deployed: {
    readonly bus: Named;
    readonly tables: Readonly<Record<string, Named>>;
    readonly topics: Readonly<Record<string, Named>>;
  },
): ResourceMap["functions"] {
  const physicalOf = (logicalId: string): string => {
    if (logicalId === SHARED_IDS.bus) return deployed.bus.name;
    const topic = deployed.topics[logicalId];
    if (topic) return topic.arn;
    const table = deployed.tables[logicalId];
    if (table) return table.name;
    throw new DeployError(`No deployed resource has logical id ${logicalId}`);
  };
  return Object.fromEntries(
    d.expected.functions.map((fn) => [
      fn.logicalId,
      {
        name: d.name(fn.logicalId),
        functionId: fn.functionId,
        service: fn.service,
        entry: fn.entry,
        timeoutSeconds: fn.timeoutSeconds,
        memoryMb: fn.memoryMb,
        resourceEnv: Object.fromEntries(
          Object.entries(fn.resourceEnv).map(([env, id]) => [env, physicalOf(id)]),
        ),
      },
    ]),
  );
}

async function createQueue(
  sqs: SQSClient,
  q: ExpectedQueue,
  name: (id: string) => string,
  deployed: Record<string, DeployedQueue>,
): Promise<DeployedQueue> {
  const queueName = `${name(q.logicalId)}${q.fifo ? ".fifo" : ""}`;
  const attributes: Record<string, string> = {
    VisibilityTimeout: String(q.visibilityTimeoutSeconds),
    MessageRetentionPeriod: String(q.retentionSeconds),
    ...(q.fifo ? { FifoQueue: "true", ContentBasedDeduplication: "false" } : {}),
  };
  if (q.deadLetterQueue) {
    const dlq = deployed[q.deadLetterQueue.logicalId];
    if (!dlq)
      throw new DeployError(
        `Queue ${q.logicalId}'s DLQ ${q.deadLetterQueue.logicalId} was not deployed first`,
      );
    attributes.RedrivePolicy = JSON.stringify({
      deadLetterTargetArn: dlq.arn,
      maxReceiveCount: q.deadLetterQueue.maxReceiveCount,
    });
  }
  const out = await sqs.send(
    new CreateQueueCommand({ QueueName: queueName, Attributes: attributes }),
  );
  const region = await sqs.config.region();
  return {
    logicalId: q.logicalId,
    role: q.role,
    subscriptionId: q.subscriptionId,
    name: queueName,
    url: out.QueueUrl ?? "",
    arn: localArn("sqs", region, queueName),
    fifo: q.fifo,
    ...(q.deadLetterQueue ? { deadLetterQueue: q.deadLetterQueue.logicalId } : {}),
  };
}
