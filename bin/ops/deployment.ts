/**
 * Where a command's resources are: a deployment by name prefix (the local cloud,
 * `<prefix>-<LogicalId>`, found with list calls) or a CloudFormation stack (`--stack S`, read from
 * the stack's outputs). The commands ask a Deployment for DLQs, tables, the bus, its archive and
 * rules; explicit flags (--queue-url, --table, --bus, --archive) bypass it.
 */
import { ListRulesCommand } from "@aws-sdk/client-eventbridge";
import { expectedResources, isDlq } from "../../infra/resources.ts";
import { topology as cityTopology, type Topology } from "../../infra/topology.ts";
import { str } from "./args.ts";
import type { AwsClients } from "./aws.ts";
import {
  type BusRef,
  type DlqRef,
  discoverArchive,
  discoverBus,
  discoverDlqs,
  discoverRules,
  discoverTable,
  prefixFrom,
  type QueueRef,
  queueNameOf,
  type RuleRef,
} from "./discovery.ts";
import { OUTPUT_KEYS, readStackOutputs, type StackOutputs } from "./stack-outputs.ts";

export interface Deployment {
  /** For messages: "prefix buzzville-local" or "stack BuzzVille-dev". */
  readonly label: string;
  /** Every DLQ of the topology with the queue it redrives to. */
  dlqs(): Promise<DlqRef[]>;
  /** A table's physical name by logical id (SHARED_IDS.eventsTable, ...). */
  table(logicalId: string): Promise<string>;
  /** The archive to replay from (of `explicitBus` when given). */
  archiveName(explicitBus?: string): Promise<string>;
  /** The rules on `bus`, each with its topology logical id when known. */
  rules(bus: BusRef): Promise<RuleRef[]>;
}

/** `--stack S` reads outputs; otherwise `--prefix P` (default buzzville-local) names resources. */
export function deploymentFrom(
  values: Readonly<Record<string, unknown>>,
  aws: AwsClients,
  topology: Topology = cityTopology,
): Deployment {
  const prefix = prefixFrom(values);
  const stack = str(values.stack);
  return stack
    ? new StackDeployment(aws, stack, topology)
    : new PrefixDeployment(aws, prefix, topology);
}

export class PrefixDeployment implements Deployment {
  readonly label: string;

  constructor(
    private readonly aws: AwsClients,
    readonly prefix: string,
    private readonly topology: Topology,
  ) {
    this.label = `prefix ${prefix}`;
  }

  dlqs(): Promise<DlqRef[]> {
    return discoverDlqs(this.aws, this.prefix, this.topology);
  }

  table(logicalId: string): Promise<string> {
    return discoverTable(this.aws, this.prefix, logicalId);
  }

  async archiveName(explicitBus?: string): Promise<string> {
    const bus = await discoverBus(this.aws, this.prefix, explicitBus);
    return (await discoverArchive(this.aws, bus, this.prefix)).name;
  }

  rules(bus: BusRef): Promise<RuleRef[]> {
    return discoverRules(this.aws, bus, this.prefix, this.topology);
  }
}

export class StackDeployment implements Deployment {
  readonly label: string;
  private outputs?: Promise<StackOutputs>;

  constructor(
    private readonly aws: AwsClients,
    readonly stackName: string,
    private readonly topology: Topology,
  ) {
    this.label = `stack ${stackName}`;
  }

  /** DescribeStacks, once, on first use (explicit flags may make it unnecessary). */
  stack(): Promise<StackOutputs> {
    this.outputs ??= readStackOutputs(this.aws, this.stackName);
    return this.outputs;
  }

  async dlqs(): Promise<DlqRef[]> {
    const stack = await this.stack();
    const expected = expectedResources(this.topology);
    const dead = expected.queues.filter(isDlq);
    const missing = dead
      .map((q) => OUTPUT_KEYS.queue(q.logicalId))
      .filter((k) => stack.get(k) === undefined);
    if (missing.length > 0) throw stack.missing(missing, "pass --queue-url URL");
    const ref = (logicalId: string, url: string): QueueRef => ({
      logicalId,
      role: expected.queues.find((q) => q.logicalId === logicalId)?.role ?? "consumer",
      url,
      name: queueNameOf(url),
    });
    return dead.map((q) => {
      const url = stack.require(OUTPUT_KEYS.queue(q.logicalId), "pass --queue-url URL");
      const sourceId =
        expected.queues.find((s) => s.deadLetterQueue?.logicalId === q.logicalId)?.logicalId ??
        expected.rules.find((r) => r.targetDeadLetterQueue === q.logicalId)?.targetQueue;
      const sourceUrl = sourceId ? stack.get(OUTPUT_KEYS.queue(sourceId)) : undefined;
      if (sourceId && sourceUrl)
        return { ...ref(q.logicalId, url), source: ref(sourceId, sourceUrl) };
      return {
        ...ref(q.logicalId, url),
        ...(sourceId
          ? {
              sourceMissing: stack.missing([OUTPUT_KEYS.queue(sourceId)], "pass --source-url URL")
                .message,
            }
          : {}),
      };
    });
  }

  async table(logicalId: string): Promise<string> {
    return (await this.stack()).require(OUTPUT_KEYS.table(logicalId), "pass --table NAME");
  }

  async archiveName(explicitBus?: string): Promise<string> {
    if (explicitBus) {
      const bus = await discoverBus(this.aws, this.stackName, explicitBus);
      return (await discoverArchive(this.aws, bus, this.stackName)).name;
    }
    return (await this.stack()).require(OUTPUT_KEYS.archive, "pass --archive NAME");
  }

  /** The bus's rules; logical ids from the `<RuleLogicalId>Arn` outputs. */
  async rules(bus: BusRef): Promise<RuleRef[]> {
    const stack = await this.stack();
    const byArn = new Map<string, string>();
    for (const r of expectedResources(this.topology).rules) {
      const arn = stack.get(OUTPUT_KEYS.rule(r.logicalId));
      if (arn) byArn.set(arn, r.logicalId);
    }
    const rules: RuleRef[] = [];
    let NextToken: string | undefined;
    do {
      const out = await this.aws.events.send(
        new ListRulesCommand({ EventBusName: bus.name, NextToken }),
      );
      for (const r of out.Rules ?? []) {
        if (!r.Name || !r.Arn) continue;
        const logicalId = byArn.get(r.Arn);
        rules.push({ name: r.Name, arn: r.Arn, ...(logicalId ? { logicalId } : {}) });
      }
      NextToken = out.NextToken;
    } while (NextToken);
    return rules;
  }
}
