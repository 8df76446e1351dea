/**
 * Resource discovery by name prefix (the local deployment): physical names are never hard-coded.
 * The logical ids come from the topology (infra/resources.ts, the ids both the CDK stack and the
 * local deployment use); the physical resources are found at the endpoint with list calls (SQS
 * ListQueues, DynamoDB ListTables, EventBridge ListEventBuses/ListArchives/ListRules) and matched
 * by name `<prefix>-<LogicalId>` (`.fifo` for FIFO queues), prefix `buzzville-local` by default.
 * A CloudFormation stack (`--stack S`) is read from its outputs instead: stack-outputs.ts.
 * Explicit flags (--queue-url, --source-url, --table, --bus, --archive) override discovery.
 */
import { ListTablesCommand } from "@aws-sdk/client-dynamodb";
import {
  ListArchivesCommand,
  ListEventBusesCommand,
  ListRulesCommand,
} from "@aws-sdk/client-eventbridge";
import { ListQueuesCommand } from "@aws-sdk/client-sqs";
import { formatArn, parseArn } from "../../events/arn.ts";
import { expectedResources, type QueueRole, SHARED_IDS } from "../../infra/resources.ts";
import { topology as cityTopology, type Topology } from "../../infra/topology.ts";
import { str } from "./args.ts";
import type { AwsClients } from "./aws.ts";
import { DiscoveryError, OpsUsageError } from "./errors.ts";

/** The local deployment's default name prefix (local/deploy.ts `deployTopology`). */
export const LOCAL_PREFIX = "buzzville-local";

export interface QueueRef {
  readonly logicalId: string;
  readonly role: QueueRole;
  readonly name: string;
  readonly url: string;
}

export interface DlqRef extends QueueRef {
  /** Where redrive sends messages: the queue whose redrive policy names this DLQ, or the rule target. */
  readonly source?: QueueRef;
  /** Why the source is unknown (e.g. the stack lacks its output), for the redrive error. */
  readonly sourceMissing?: string;
}

export interface RuleRef {
  readonly logicalId?: string;
  readonly name: string;
  readonly arn: string;
}

/** `--stack S` or `--prefix P` (not both); default the local deployment's prefix. */
export function prefixFrom(values: Readonly<Record<string, unknown>>): string {
  const stack = str(values.stack);
  const prefix = str(values.prefix);
  if (stack && prefix) {
    throw new OpsUsageError(
      `--stack and --prefix both name the resources; give one (got --stack ${stack} --prefix ${prefix})`,
    );
  }
  return stack ?? prefix ?? LOCAL_PREFIX;
}

/** Does a physical name belong to `<prefix>-<logicalId>` (exactly, or CloudFormation-suffixed)? */
export function namedAfter(physical: string, prefix: string, logicalId: string): boolean {
  const base = physical.replace(/\.fifo$/, "");
  const stem = `${prefix}-${logicalId}`;
  if (base === stem) return true;
  return base.startsWith(`${stem}-`) && /^[A-Za-z0-9]+$/.test(base.slice(stem.length + 1));
}

const queueNameOf = (url: string) => decodeURIComponent(url.split("/").pop() ?? url);

async function listQueueUrls(aws: AwsClients, prefix: string): Promise<string[]> {
  const urls: string[] = [];
  let NextToken: string | undefined;
  do {
    const out = await aws.sqs.send(
      new ListQueuesCommand({ QueueNamePrefix: `${prefix}-`, MaxResults: 1000, NextToken }),
    );
    urls.push(...(out.QueueUrls ?? []));
    NextToken = out.NextToken;
  } while (NextToken);
  return urls;
}

/** Every DLQ of the topology found at the endpoint, with the queue it redrives to. */
export async function discoverDlqs(
  aws: AwsClients,
  prefix: string,
  topology: Topology = cityTopology,
): Promise<DlqRef[]> {
  const expected = expectedResources(topology);
  const urls = await listQueueUrls(aws, prefix);
  const found = new Map<string, QueueRef>();
  for (const q of expected.queues) {
    const url = urls.find((u) => namedAfter(queueNameOf(u), prefix, q.logicalId));
    if (url)
      found.set(q.logicalId, { logicalId: q.logicalId, role: q.role, url, name: queueNameOf(url) });
  }
  const dlqs: DlqRef[] = [];
  for (const q of expected.queues) {
    const ref = found.get(q.logicalId);
    if (!ref || (q.role !== "dlq" && q.role !== "target-dlq")) continue;
    const sourceId =
      expected.queues.find((s) => s.deadLetterQueue?.logicalId === q.logicalId)?.logicalId ??
      expected.rules.find((r) => r.targetDeadLetterQueue === q.logicalId)?.targetQueue;
    const source = sourceId ? found.get(sourceId) : undefined;
    dlqs.push({ ...ref, ...(source ? { source } : {}) });
  }
  if (dlqs.length === 0) {
    throw new DiscoveryError(
      `no Buzz Ville DLQs named ${prefix}-<LogicalId> at ${aws.describe("SQS")} (${urls.length} queue(s) have that prefix). Is the topology deployed there? Locally: buzzville local (prefix ${LOCAL_PREFIX}); on AWS: --stack <stack name>, or --queue-url URL`,
    );
  }
  return dlqs;
}

/** Finds a DLQ by logical id (e.g. NotificationBulkDlq) or physical name, case-insensitively. */
export function pickDlq(dlqs: readonly DlqRef[], wanted: string): DlqRef {
  const w = wanted.toLowerCase();
  const hit = dlqs.find((d) => d.logicalId.toLowerCase() === w || d.name.toLowerCase() === w);
  if (!hit) {
    throw new DiscoveryError(
      `unknown queue ${JSON.stringify(wanted)}; known DLQs: ${dlqs.map((d) => d.logicalId).join(", ")} (or "all")`,
    );
  }
  return hit;
}

/** The physical name of a table of the topology (e.g. SHARED_IDS.eventsTable). */
export async function discoverTable(
  aws: AwsClients,
  prefix: string,
  logicalId: string,
): Promise<string> {
  const names: string[] = [];
  let ExclusiveStartTableName: string | undefined;
  do {
    const out = await aws.dynamodb.send(new ListTablesCommand({ ExclusiveStartTableName }));
    names.push(...(out.TableNames ?? []));
    ExclusiveStartTableName = out.LastEvaluatedTableName;
  } while (ExclusiveStartTableName);
  const hit = names.find((n) => namedAfter(n, prefix, logicalId));
  if (!hit) {
    const near = names.filter((n) => n.startsWith(prefix));
    throw new DiscoveryError(
      `no table ${prefix}-${logicalId} at ${aws.describe("DYNAMODB")}; tables with prefix ${prefix}: ${near.join(", ") || "none"}. Pass --table NAME to name it`,
    );
  }
  return hit;
}

export interface BusRef {
  readonly name: string;
  readonly arn: string;
}

/** The city bus `<prefix>-CityBus`, or the bus named (or ARN'd) `explicit`. */
export async function discoverBus(
  aws: AwsClients,
  prefix: string,
  explicit?: string,
): Promise<BusRef> {
  const buses: BusRef[] = [];
  let NextToken: string | undefined;
  do {
    const out = await aws.events.send(new ListEventBusesCommand({ NextToken }));
    for (const b of out.EventBuses ?? []) {
      if (b.Name && b.Arn) buses.push({ name: b.Name, arn: b.Arn });
    }
    NextToken = out.NextToken;
  } while (NextToken);
  const id = SHARED_IDS.bus;
  const hit = explicit
    ? buses.find((b) => b.name === explicit || b.arn === explicit)
    : buses.find((b) => namedAfter(b.name, prefix, id));
  if (!hit) {
    throw new DiscoveryError(
      `${explicit ? `no event bus ${JSON.stringify(explicit)}` : `no city bus named ${prefix}-${id}`} at ${aws.describe("EVENTBRIDGE")}; buses there: ${buses.map((b) => b.name).join(", ") || "none"}. Pass --bus NAME to name it`,
    );
  }
  return hit;
}

/** The bus's archive (the only one on the bus, else the one named after CityBusArchive). */
export async function discoverArchive(
  aws: AwsClients,
  bus: BusRef,
  prefix: string,
): Promise<{ name: string; arn: string }> {
  const out = await aws.events.send(new ListArchivesCommand({ EventSourceArn: bus.arn }));
  const archives = (out.Archives ?? []).flatMap((a) => (a.ArchiveName ? [a.ArchiveName] : []));
  const id = SHARED_IDS.archive;
  const name =
    archives.length === 1
      ? archives[0]
      : archives.find((a) => namedAfter(a, prefix, id) || a.includes(id));
  if (!name) {
    throw new DiscoveryError(
      `cannot tell the archive of bus ${bus.name}: found ${archives.length ? archives.join(", ") : "none"}. Pass --archive NAME`,
    );
  }
  return { name, arn: formatArn({ ...parseArn(bus.arn), resource: `archive/${name}` }) };
}

/** The bus's rules, each with the topology logical id it was named after (if any). */
export async function discoverRules(
  aws: AwsClients,
  bus: BusRef,
  prefix: string,
  topology: Topology = cityTopology,
): Promise<RuleRef[]> {
  const ruleIds = expectedResources(topology).rules.map((r) => r.logicalId);
  const rules: RuleRef[] = [];
  let NextToken: string | undefined;
  do {
    const out = await aws.events.send(new ListRulesCommand({ EventBusName: bus.name, NextToken }));
    for (const r of out.Rules ?? []) {
      if (!r.Name || !r.Arn) continue;
      const name = r.Name;
      const logicalId = ruleIds.find((id) => namedAfter(name, prefix, id));
      rules.push({ name, arn: r.Arn, ...(logicalId ? { logicalId } : {}) });
    }
    NextToken = out.NextToken;
  } while (NextToken);
  return rules;
}

/** Rules by logical id (e.g. EmergencyCriticalRule), subscription id (EmergencyCritical) or name. */
export function pickRules(rules: readonly RuleRef[], wanted: readonly string[]): RuleRef[] {
  return wanted.map((w) => {
    const l = w.toLowerCase();
    const hit = rules.find(
      (r) =>
        r.name.toLowerCase() === l ||
        r.arn === w ||
        r.logicalId?.toLowerCase() === l ||
        r.logicalId?.toLowerCase() === `${l}rule`,
    );
    if (!hit) {
      throw new DiscoveryError(
        `unknown rule ${JSON.stringify(w)}; rules on the bus: ${rules.map((r) => r.logicalId ?? r.name).join(", ") || "none"}`,
      );
    }
    return hit;
  });
}

export { queueNameOf };
