/**
 * `buzzville crisis status|on|off|auto`: the crisis mode of any deployment (docs/OPERATIONS.md,
 * "Crisis mode"). `on`/`off` pin the mode (the info subscriptions' rules disabled/enabled, a
 * CrisisModeChanged event on the bus) until `auto` hands it back to the alarm or local monitor.
 */
import { DescribeArchiveCommand } from "@aws-sdk/client-eventbridge";
import { arnResourceName } from "../../events/arn.ts";
import type { CrisisController } from "../../functions/crisis/controller.ts";
import { buildCrisisController } from "../../functions/crisis/runtime.ts";
import { SHARED_IDS } from "../../infra/resources.ts";
import { topology } from "../../infra/topology.ts";
import { parseFlags, str, TARGET_FLAGS } from "./args.ts";
import type { AwsClients } from "./aws.ts";
import { type Deployment, deploymentFrom } from "./deployment.ts";
import { type BusRef, discoverBus, pickRules, prefixFrom } from "./discovery.ts";
import { OpsError, OpsUsageError } from "./errors.ts";
import { clientsFor, defaultIo, type OpsIo, runCommand } from "./io.ts";

export const CRISIS_USAGE = `Usage: buzzville crisis <status|on|off|auto> [flags]

Crisis mode sheds the info subscriptions (${shedIds().join(", ")}): their rules are disabled while
critical work backs up, and enabled again after it drained. The alarm (AWS) or the local monitor
(buzzville up) switches it automatically; operators can pin it.

  status   the mode, who set it, since when, and each shed rule's state
  on       enter crisis now and keep it until "auto" or "off"
  off      leave crisis now and keep normal mode until "auto" or "on"
  auto     hand the mode back to the automatic controller (no change now)

  --json              status as one JSON object
  --bus NAME          the city bus (default: discovered)
  --table NAME        the read-models table holding the state (default: discovered)
  --endpoint URL --region R --profile P --prefix P --stack S  (see buzzville dlq --help)
`;

const FLAGS = {
  ...TARGET_FLAGS,
  json: { type: "boolean" },
  bus: { type: "string" },
  table: { type: "string" },
} as const;

const ACTIONS = ["status", "on", "off", "auto"] as const;
type Action = (typeof ACTIONS)[number];

function shedIds(): string[] {
  return topology.subscriptions
    .filter((s) => s.priority === topology.crisis.shedPriority)
    .map((s) => s.id);
}

export async function main(argv: readonly string[], io: OpsIo = defaultIo()): Promise<number> {
  return runCommand("crisis", io, async () => {
    const { values, positionals } = parseFlags("crisis", argv, FLAGS, true);
    if (values.help) {
      io.stdout.write(CRISIS_USAGE);
      return 0;
    }
    const action = positionals[0];
    if (positionals.length !== 1 || !ACTIONS.includes(action as Action)) {
      throw new OpsUsageError(
        `expects one action, one of ${ACTIONS.join(", ")}; got ${positionals.length ? positionals.map((p) => JSON.stringify(p)).join(" ") : "none"}`,
      );
    }
    const aws = clientsFor(values, io);
    try {
      const controller = await controllerFor(values, aws);
      if (action !== "status") {
        const state = await controller.command(action as Exclude<Action, "status">);
        io.stdout.write(
          `crisis ${action}: mode ${state.mode}${state.pinnedBy ? " (pinned by operator)" : " (automatic)"}\n`,
        );
      }
      await writeStatus(controller, io, values.json === true);
      return 0;
    } finally {
      aws.destroy();
    }
  });
}

async function writeStatus(controller: CrisisController, io: OpsIo, json: boolean): Promise<void> {
  const { state, rules } = await controller.status();
  if (json) {
    io.stdout.write(`${JSON.stringify({ ...state, rules })}\n`);
    return;
  }
  io.stdout.write(
    `mode: ${state.mode} (${state.pinnedBy ? "pinned by operator" : "automatic"})${state.since ? `, shedding since ${state.since}` : ""}\n`,
  );
  for (const r of rules) {
    io.stdout.write(
      `  ${r.subscriptionId}: rule ${r.ruleName} ${r.enabled ? "ENABLED" : "DISABLED (shed)"}\n`,
    );
  }
}

async function controllerFor(
  values: Readonly<Record<string, unknown>>,
  aws: AwsClients,
): Promise<CrisisController> {
  const where = deploymentFrom(values, aws);
  const bus = await busOf(values, aws, where);
  const table = str(values.table) ?? (await where.table(SHARED_IDS.readModelsTable));
  const rules = pickRules(await where.rules(bus), shedIds());
  return buildCrisisController({
    busName: bus.name,
    readModelsTable: table,
    shed: rules.map((r, i) => ({ subscriptionId: shedIds()[i] ?? r.name, ruleName: r.name })),
    events: aws.events,
    documents: aws.documents,
  });
}

/** --bus, else the prefix's city bus, else the stack archive's source bus. */
async function busOf(
  values: Readonly<Record<string, unknown>>,
  aws: AwsClients,
  where: Deployment,
): Promise<BusRef> {
  const explicit = str(values.bus);
  if (explicit || str(values.stack) === undefined) {
    return discoverBus(aws, prefixFrom(values), explicit);
  }
  const archive = await aws.events.send(
    new DescribeArchiveCommand({ ArchiveName: await where.archiveName() }),
  );
  const arn = archive.EventSourceArn;
  if (!arn)
    throw new OpsError(`archive ${archive.ArchiveName} names no source bus; pass --bus NAME`);
  return { name: arnResourceName(arn, "event-bus") ?? arn, arn };
}
