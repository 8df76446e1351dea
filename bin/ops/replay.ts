/**
 * `buzzville replay --from ISO --to ISO [--rules A,B] [--archive NAME]`: StartReplay of the city
 * bus archive into the bus, then DescribeReplay until COMPLETED, FAILED or CANCELLED.
 */
import {
  DescribeArchiveCommand,
  DescribeReplayCommand,
  StartReplayCommand,
} from "@aws-sdk/client-eventbridge";
import { arnResourceName } from "../../events/arn.ts";
import { intFlag, isoInstant, parseFlags, str, TARGET_FLAGS } from "./args.ts";
import { deploymentFrom } from "./deployment.ts";
import { pickRules } from "./discovery.ts";
import { OpsError, OpsUsageError } from "./errors.ts";
import { clientsFor, defaultIo, type OpsIo, runCommand } from "./io.ts";

export const REPLAY_USAGE = `Usage: buzzville replay --from ISO --to ISO [flags]

Re-delivers the archived city events received in [from, to) to the bus they came from; every
rule (or only --rules) sees them again, marked with "replay-name". Consumers are idempotent by
event id, so events they already handled are acknowledged without acting twice.

  --from ISO          start, an ISO-8601 instant like 2026-11-23T10:00:00Z (required)
  --to ISO|now        end, exclusive, not in the future (required)
  --rules A,B         only these rules (logical id e.g. AnalyticsRule, subscription id e.g.
                      Analytics, or rule name); default all rules of the bus
  --archive NAME      the archive (default: the city bus's archive, discovered)
  --bus NAME          the bus whose archive to use (default: discovered)
  --name NAME         the replay's name (default ops-replay-<epoch ms>)
  --timeout SECONDS   stop waiting after this long (900); the replay itself goes on
  --poll-ms N         DescribeReplay interval (1000)
  --endpoint URL --region R --profile P --prefix P --stack S  (see buzzville dlq --help)
`;

const FLAGS = {
  ...TARGET_FLAGS,
  from: { type: "string" },
  to: { type: "string" },
  rules: { type: "string" },
  archive: { type: "string" },
  bus: { type: "string" },
  name: { type: "string" },
  timeout: { type: "string" },
  "poll-ms": { type: "string" },
} as const;

const DONE = new Set(["COMPLETED", "FAILED", "CANCELLED"]);

export async function main(argv: readonly string[], io: OpsIo = defaultIo()): Promise<number> {
  return runCommand("replay", io, async () => {
    const { values } = parseFlags("replay", argv, FLAGS);
    if (values.help) {
      io.stdout.write(REPLAY_USAGE);
      return 0;
    }
    const request = checkedRequest(values, io.now ?? Date.now);
    const aws = clientsFor(values, io);
    try {
      const started = await startReplay(values, aws, request);
      io.stdout.write(
        `replay ${request.name}: ${started.archiveName} [${new Date(request.from).toISOString()}, ${new Date(request.to).toISOString()}) -> ${started.busName}${started.filter.length ? ` (rules ${started.filter.map((r) => r.logicalId ?? r.name).join(", ")})` : " (all rules)"}\n`,
      );
      return await followReplay(aws, request, io);
    } finally {
      aws.destroy();
    }
  });
}

type Values = ReturnType<typeof parseFlags>["values"];
type Aws = ReturnType<typeof clientsFor>;

/** What to replay, checked: a past window, a valid replay name, the polling bounds. */
interface ReplayRequest {
  readonly from: number;
  readonly to: number;
  readonly name: string;
  readonly timeoutMs: number;
  readonly pollMs: number;
  readonly now: () => number;
}

function checkedRequest(values: Values, now: () => number): ReplayRequest {
  if (values.from === undefined) throw new OpsUsageError("--from ISO is required");
  if (values.to === undefined) throw new OpsUsageError("--to ISO is required");
  const from = isoInstant("from", values.from) ?? 0;
  const to = values.to === "now" ? now() : (isoInstant("to", values.to) ?? 0);
  if (to > now()) {
    throw new OpsUsageError(
      `--to must not be in the future (EventBridge replays only what was archived), got ${String(values.to)}; now is ${new Date(now()).toISOString()} (--to now is allowed)`,
    );
  }
  if (from >= to) {
    throw new OpsUsageError(
      `--from must be before --to, got --from ${String(values.from)} --to ${String(values.to)}`,
    );
  }
  const timeoutMs = (intFlag("timeout", values.timeout, { min: 1, max: 86_400 }) ?? 900) * 1000;
  const pollMs = intFlag("poll-ms", values["poll-ms"], { min: 10, max: 60_000 }) ?? 1000;
  const name = str(values.name) ?? `ops-replay-${now()}`;
  if (!/^[.\-_A-Za-z0-9]{1,64}$/.test(name)) {
    throw new OpsUsageError(
      `--name must be 1-64 letters, digits, '.', '-' or '_', got ${JSON.stringify(name)}`,
    );
  }
  return { from, to, name, timeoutMs, pollMs, now };
}

/** StartReplay from the archive to the bus it archives, through the chosen rules only if any. */
async function startReplay(values: Values, aws: Aws, request: ReplayRequest) {
  const where = deploymentFrom(values, aws);
  const archiveName = str(values.archive) ?? (await where.archiveName(str(values.bus)));
  const archive = await aws.events
    .send(new DescribeArchiveCommand({ ArchiveName: archiveName }))
    .catch((error: unknown) => {
      throw new OpsError(`cannot read archive ${archiveName} at ${aws.describe("EVENTBRIDGE")}`, {
        cause: error,
      });
    });
  const busArn = archive.EventSourceArn;
  if (!archive.ArchiveArn || !busArn) {
    throw new OpsError(`archive ${archiveName} has no ARN or source bus`);
  }
  const busName = arnResourceName(busArn, "event-bus") ?? busArn;
  const ruleNames = (str(values.rules) ?? "")
    .split(",")
    .map((r) => r.trim())
    .filter(Boolean);
  const filter = ruleNames.length
    ? pickRules(await where.rules({ name: busName, arn: busArn }), ruleNames)
    : [];
  const { from, to } = request;
  await aws.events.send(
    new StartReplayCommand({
      ReplayName: request.name,
      Description: `buzzville replay ${new Date(from).toISOString()}..${new Date(to).toISOString()}`,
      EventSourceArn: archive.ArchiveArn,
      EventStartTime: new Date(from),
      EventEndTime: new Date(to),
      Destination: {
        Arn: busArn,
        ...(filter.length ? { FilterArns: filter.map((r) => r.arn) } : {}),
      },
    }),
  );
  return { archiveName, busName, filter };
}

/** Prints each new state until the replay is done (0 when completed) or the timeout. */
async function followReplay(aws: Aws, request: ReplayRequest, io: OpsIo): Promise<number> {
  const { name, now, timeoutMs } = request;
  const sleep = io.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const deadline = now() + timeoutMs;
  let shown = "";
  for (;;) {
    const r = await aws.events.send(new DescribeReplayCommand({ ReplayName: name }));
    const state = r.State ?? "UNKNOWN";
    const last = r.EventLastReplayedTime?.toISOString();
    const line = `  ${state}${last ? `, replayed up to ${last}` : ""}`;
    if (line !== shown) {
      io.stdout.write(`${line}\n`);
      shown = line;
    }
    if (DONE.has(state)) {
      if (state === "COMPLETED") {
        io.stdout.write(`replay ${name} completed\n`);
        return 0;
      }
      throw new OpsError(
        `replay ${name} ended ${state}${r.StateReason ? `: ${r.StateReason}` : ""}`,
      );
    }
    if (now() >= deadline) {
      throw new OpsError(
        `replay ${name} is still ${state} after ${timeoutMs / 1000} s; it goes on — check with: aws events describe-replay --replay-name ${name}`,
      );
    }
    await sleep(request.pollMs);
  }
}
