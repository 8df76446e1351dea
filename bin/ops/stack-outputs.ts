/**
 * `--stack S`: the deployed stack's resources, read from its CloudFormation outputs
 * (DescribeStacks) instead of guessed from naming rules. infra/stack.ts declares the outputs:
 * `CityBusName`, `CityBusArchiveName`, `<Table>Name`, one `<QueueLogicalId>Url` per queue (DLQs,
 * target DLQs, intake and consumer queues) and one `<RuleLogicalId>Arn` per rule.
 */
import { DescribeStacksCommand } from "@aws-sdk/client-cloudformation";
import { expectedResources, SHARED_IDS } from "../../infra/resources.ts";
import type { Topology } from "../../infra/topology.ts";
import type { AwsClients } from "./aws.ts";
import { DiscoveryError } from "./errors.ts";

/** The output keys of infra/stack.ts, by what they name. */
export const OUTPUT_KEYS = {
  bus: "CityBusName",
  busArn: "CityBusArn",
  archive: "CityBusArchiveName",
  /** A table's name, e.g. EventsTableName. */
  table: (logicalId: string) => `${logicalId}Name`,
  /** A queue's URL, e.g. MediaDlqUrl, EventStoreIntakeQueueUrl. */
  queue: (logicalId: string) => `${logicalId}Url`,
  /** A rule's ARN, e.g. AnalyticsRuleArn. */
  rule: (logicalId: string) => `${logicalId}Arn`,
} as const;

/** Every output the operator commands read from a stack of this topology. */
export function requiredOutputKeys(t: Topology): string[] {
  const r = expectedResources(t);
  return [
    OUTPUT_KEYS.bus,
    OUTPUT_KEYS.busArn,
    OUTPUT_KEYS.archive,
    OUTPUT_KEYS.table(SHARED_IDS.eventsTable),
    OUTPUT_KEYS.table(SHARED_IDS.readModelsTable),
    ...r.queues.map((q) => OUTPUT_KEYS.queue(q.logicalId)),
    ...r.rules.map((x) => OUTPUT_KEYS.rule(x.logicalId)),
  ];
}

export class StackOutputs {
  constructor(
    readonly stackName: string,
    readonly status: string,
    readonly outputs: ReadonlyMap<string, string>,
  ) {}

  get(key: string): string | undefined {
    return this.outputs.get(key);
  }

  /** The value of `key`, or an error naming it and listing the outputs the stack has. */
  require(key: string, instead: string): string {
    const value = this.outputs.get(key);
    if (value === undefined) throw this.missing([key], instead);
    return value;
  }

  /** The error for outputs the stack lacks: names them, lists the present ones, says what to do. */
  missing(keys: readonly string[], instead: string): DiscoveryError {
    const present = [...this.outputs.keys()].sort();
    return new DiscoveryError(
      `stack ${this.stackName} (${this.status}) has no output ${keys.join(", ")}; its outputs: ${present.join(", ") || "none"}. Deploy the current stack (infra/stack.ts declares it), or ${instead}`,
    );
  }
}

/** DescribeStacks of `stackName`: its status and outputs. */
export async function readStackOutputs(aws: AwsClients, stackName: string): Promise<StackOutputs> {
  const where = aws.describe("CLOUDFORMATION");
  let stack: Awaited<ReturnType<typeof describe>>;
  try {
    stack = await describe(aws, stackName);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (/does not exist/i.test(message)) {
      throw new DiscoveryError(
        `stack ${JSON.stringify(stackName)} not found at ${where}: ${message}. --stack takes the CloudFormation stack name (e.g. BuzzVille-dev, see docs/DEPLOY.md); check --region / --profile`,
        { cause: error },
      );
    }
    throw new DiscoveryError(`cannot read stack ${JSON.stringify(stackName)} at ${where}`, {
      cause: error,
    });
  }
  if (!stack) {
    throw new DiscoveryError(
      `stack ${JSON.stringify(stackName)} not found at ${where}: DescribeStacks returned no stack`,
    );
  }
  const outputs = new Map<string, string>();
  for (const o of stack.Outputs ?? []) {
    if (o.OutputKey && o.OutputValue !== undefined) outputs.set(o.OutputKey, o.OutputValue);
  }
  return new StackOutputs(stack.StackName ?? stackName, stack.StackStatus ?? "UNKNOWN", outputs);
}

async function describe(aws: AwsClients, stackName: string) {
  const out = await aws.cloudformation.send(new DescribeStacksCommand({ StackName: stackName }));
  return out.Stacks?.[0];
}
