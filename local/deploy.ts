/**
 * Deploys the topology to the local cloud THROUGH the gateway with real SDK clients (the path a
 * user takes): the bus and its archive, tables, topics, every queue with its DLQ (redrive after
 * maxReceiveCount), rules with their targets (retry policy + target DLQ), pipes, and the
 * description of the functions and event source mappings the Lambda runner starts. Names are
 * `<prefix>-<logical id>` (FIFO queues end in `.fifo`). Idempotent: a second run changes nothing.
 */

import {
  CreateTableCommand,
  type CreateTableCommandInput,
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
import { type ExpectedQueue, expectedResources, SHARED_IDS } from "../infra/resources.ts";
import {
  EVENTS_TABLE_KEYS,
  IDEMPOTENCY_TABLE_KEYS,
  READ_MODELS_TABLE_KEYS,
} from "../infra/tables.ts";
import type { Topology } from "../infra/topology.ts";
import { PipesClient } from "./pipes/client.ts";
import type { DeployedQueue, ResourceMap } from "./resource-map.ts";
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

const ACCOUNT = "000000000000";

function tableInputs(names: Record<string, string>): CreateTableCommandInput[] {
  const s = (AttributeName: string) => ({ AttributeName, AttributeType: "S" as const });
  const e = EVENTS_TABLE_KEYS;
  return [
    {
      TableName: names[SHARED_IDS.eventsTable],
      BillingMode: "PAY_PER_REQUEST",
      AttributeDefinitions: [
        s(e.partitionKey),
        s(e.sortKey),
        s(e.timeIndex.partitionKey),
        s(e.timeIndex.sortKey),
      ],
      KeySchema: [
        { AttributeName: e.partitionKey, KeyType: "HASH" },
        { AttributeName: e.sortKey, KeyType: "RANGE" },
      ],
      GlobalSecondaryIndexes: [
        {
          IndexName: e.timeIndex.name,
          KeySchema: [
            { AttributeName: e.timeIndex.partitionKey, KeyType: "HASH" },
            { AttributeName: e.timeIndex.sortKey, KeyType: "RANGE" },
          ],
          Projection: { ProjectionType: "ALL" },
        },
      ],
    },
    {
      TableName: names[SHARED_IDS.readModelsTable],
      BillingMode: "PAY_PER_REQUEST",
      AttributeDefinitions: [
        s(READ_MODELS_TABLE_KEYS.partitionKey),
        s(READ_MODELS_TABLE_KEYS.sortKey),
      ],
      KeySchema: [
        { AttributeName: READ_MODELS_TABLE_KEYS.partitionKey, KeyType: "HASH" },
        { AttributeName: READ_MODELS_TABLE_KEYS.sortKey, KeyType: "RANGE" },
      ],
    },
    {
      TableName: names[SHARED_IDS.idempotencyTable],
      BillingMode: "PAY_PER_REQUEST",
      AttributeDefinitions: [s(IDEMPOTENCY_TABLE_KEYS.partitionKey)],
      KeySchema: [{ AttributeName: IDEMPOTENCY_TABLE_KEYS.partitionKey, KeyType: "HASH" }],
    },
  ];
}

const ignoreExisting = (names: string[]) => (error: unknown) => {
  if (error instanceof Error && names.includes(error.name)) return;
  throw error;
};

export async function deployTopology(options: DeployOptions): Promise<ResourceMap> {
  const prefix = options.prefix ?? "buzzville-local";
  const { endpoint, region, topology } = options;
  const config = {
    endpoint,
    region,
    credentials: LOCAL_CREDENTIALS,
  };
  const sqs = new SQSClient(config);
  const sns = new SNSClient(config);
  const ddb = new DynamoDBClient(config);
  const events = new EventBridgeClient(config);
  const pipes = new PipesClient(endpoint, region);
  const expected = expectedResources(topology);
  const name = (logicalId: string) => `${prefix}-${logicalId}`;
  const arn = (service: string, resource: string) =>
    `arn:aws:${service}:${region}:${ACCOUNT}:${resource}`;

  try {
    // Bus and archive
    const busName = name(SHARED_IDS.bus);
    await events
      .send(new CreateEventBusCommand({ Name: busName }))
      .catch(ignoreExisting(["ResourceAlreadyExistsException"]));
    const busArn = arn("events", `event-bus/${busName}`);
    const archiveName = name(SHARED_IDS.archive);
    await events
      .send(
        new CreateArchiveCommand({
          ArchiveName: archiveName,
          EventSourceArn: busArn,
          RetentionDays: options.archiveRetentionDays ?? 1,
        }),
      )
      .catch(ignoreExisting(["ResourceAlreadyExistsException"]));

    // Tables
    const tableNames: Record<string, string> = {};
    for (const id of [
      SHARED_IDS.eventsTable,
      SHARED_IDS.readModelsTable,
      SHARED_IDS.idempotencyTable,
    ]) {
      tableNames[id] = name(id);
    }
    for (const input of tableInputs(tableNames)) {
      await ddb.send(new CreateTableCommand(input)).catch((error: unknown) => {
        if (error instanceof ResourceInUseException) return;
        throw error;
      });
    }

    // Topics
    const topics: Record<string, { name: string; arn: string }> = {};
    for (const id of [SHARED_IDS.citizenAlertsTopic, SHARED_IDS.mediaTopic]) {
      const out = await sns.send(new CreateTopicCommand({ Name: name(id) }));
      topics[id] = { name: name(id), arn: out.TopicArn ?? arn("sns", name(id)) };
    }

    // Queues: DLQs first, so redrive policies can name them.
    const queues: Record<string, DeployedQueue> = {};
    const ordered = [...expected.queues].sort(
      (a, b) => Number(!!a.deadLetterQueue) - Number(!!b.deadLetterQueue),
    );
    for (const q of ordered) queues[q.logicalId] = await createQueue(sqs, q, name, queues);

    // Rules and targets
    const rules: Record<string, ResourceMap["rules"][string]> = {};
    for (const rule of expected.rules) {
      const ruleName = name(rule.logicalId);
      const out = await events.send(
        new PutRuleCommand({
          Name: ruleName,
          EventBusName: busName,
          EventPattern: JSON.stringify(rule.pattern),
          Description: rule.description,
          State: "ENABLED",
        }),
      );
      const target = queues[rule.targetQueue];
      const dlq = queues[rule.targetDeadLetterQueue];
      if (!target || !dlq)
        throw new DeployError(`Rule ${rule.logicalId} names queues that were not deployed`);
      const put = await events.send(
        new PutTargetsCommand({
          Rule: ruleName,
          EventBusName: busName,
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
      rules[rule.logicalId] = {
        name: ruleName,
        arn: out.RuleArn ?? arn("events", `rule/${busName}/${ruleName}`),
        pattern: rule.pattern,
        targetQueue: rule.targetQueue,
        targetDeadLetterQueue: rule.targetDeadLetterQueue,
      };
    }

    // Pipes
    const deployedPipes: Record<string, ResourceMap["pipes"][string]> = {};
    for (const pipe of expected.pipes) {
      const source = queues[pipe.sourceQueue];
      const target = queues[pipe.targetQueue];
      if (!source || !target)
        throw new DeployError(`Pipe ${pipe.logicalId} names queues that were not deployed`);
      const out = await pipes.putPipe(name(pipe.logicalId), {
        Source: source.arn,
        Target: target.arn,
        RoleArn: `arn:aws:iam::${ACCOUNT}:role/${name(pipe.logicalId)}Role`,
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
      deployedPipes[pipe.logicalId] = {
        name: name(pipe.logicalId),
        arn: out.Arn,
        sourceQueue: pipe.sourceQueue,
        targetQueue: pipe.targetQueue,
      };
    }

    // Functions (their environment) and event source mappings (started by the Lambda runner)
    const physicalOf = (logicalId: string): string => {
      if (logicalId === SHARED_IDS.bus) return busName;
      const topic = topics[logicalId];
      if (topic) return topic.arn;
      const table = tableNames[logicalId];
      if (table) return table;
      throw new DeployError(`No deployed resource has logical id ${logicalId}`);
    };
    const functions: Record<string, ResourceMap["functions"][string]> = {};
    for (const fn of expected.functions) {
      functions[fn.logicalId] = {
        name: name(fn.logicalId),
        functionId: fn.functionId,
        service: fn.service,
        entry: fn.entry,
        timeoutSeconds: fn.timeoutSeconds,
        memoryMb: fn.memoryMb,
        resourceEnv: Object.fromEntries(
          Object.entries(fn.resourceEnv).map(([env, id]) => [env, physicalOf(id)]),
        ),
      };
    }

    return {
      prefix,
      region,
      endpoint,
      bus: { name: busName, arn: busArn },
      archive: { name: archiveName, arn: arn("events", `archive/${archiveName}`) },
      tables: Object.fromEntries(
        Object.entries(tableNames).map(([id, n]) => [
          id,
          { name: n, arn: arn("dynamodb", `table/${n}`) },
        ]),
      ),
      topics,
      queues,
      rules,
      pipes: deployedPipes,
      functions,
      eventSources: expected.eventSources.map((es) => ({ ...es })),
    };
  } finally {
    sqs.destroy();
    sns.destroy();
    ddb.destroy();
    events.destroy();
  }
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
    arn: `arn:aws:sqs:${region}:${ACCOUNT}:${queueName}`,
    fifo: q.fifo,
    ...(q.deadLetterQueue ? { deadLetterQueue: q.deadLetterQueue.logicalId } : {}),
  };
}
