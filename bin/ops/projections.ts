/**
 * `buzzville projections rebuild [--only NAME] [--as-of ISO] [--since ISO] [--check]`: rebuilds
 * the read models from the event store with the consumers' own code (functions/projections/),
 * then replaces the live documents — or, with --check, only reports where they differ.
 */
import { eventStore } from "../../functions/event-store/index.ts";
import {
  isProjectionName,
  PROJECTION_NAMES,
  type ProjectionName,
  rebuildProjections,
} from "../../functions/projections/rebuild.ts";
import { diffWithLive, replaceLive } from "../../functions/projections/sync.ts";
import { InMemoryDocumentStore } from "../../functions/shared/documents.ts";
import { DynamoDbDocumentStore } from "../../functions/shared/dynamodb-documents.ts";
import { SHARED_IDS } from "../../infra/resources.ts";
import { isoInstant, parseFlags, str, TARGET_FLAGS } from "./args.ts";
import { deploymentFrom } from "./deployment.ts";
import { OpsError, OpsUsageError } from "./errors.ts";
import { clientsFor, defaultIo, type OpsIo, runCommand } from "./io.ts";

export const PROJECTIONS_USAGE = `Usage: buzzville projections rebuild [flags]

Rebuilds the read models (${PROJECTION_NAMES.join(", ")}) from the event store: the stored events,
in occurrence order and marked as replays, go through the same code the live consumers run;
derived events are not published again (the store holds them). Progress goes to stderr.

  --only NAME        one projection: ${PROJECTION_NAMES.join(" | ")} (default: all)
  --as-of ISO        rebuild the state at this instant (default: now)
  --since ISO        first event instant read from the store (default: 7 days before --as-of)
  --check            compare with the live read models, change nothing; exit 1 if they differ
  --json             the result as one JSON object
  --events-table NAME --read-models-table NAME   (default: discovered)
  --endpoint URL --region R --profile P --prefix P --stack S  (see buzzville dlq --help)
`;

const FLAGS = {
  ...TARGET_FLAGS,
  only: { type: "string" },
  "as-of": { type: "string" },
  since: { type: "string" },
  check: { type: "boolean" },
  json: { type: "boolean" },
  "events-table": { type: "string" },
  "read-models-table": { type: "string" },
} as const;

const WEEK_MS = 7 * 24 * 3_600_000;

export async function main(argv: readonly string[], io: OpsIo = defaultIo()): Promise<number> {
  return runCommand("projections", io, async () => {
    const { values, positionals } = parseFlags("projections", argv, FLAGS, true);
    if (values.help) {
      io.stdout.write(PROJECTIONS_USAGE);
      return 0;
    }
    if (positionals.length !== 1 || positionals[0] !== "rebuild") {
      throw new OpsUsageError(
        `expects the action "rebuild", got ${positionals.length ? positionals.map((p) => JSON.stringify(p)).join(" ") : "none"}`,
      );
    }
    const only = str(values.only);
    if (only !== undefined && !isProjectionName(only)) {
      throw new OpsUsageError(
        `--only must be one of ${PROJECTION_NAMES.join(", ")}, got ${JSON.stringify(only)}`,
      );
    }
    const now = io.now ?? Date.now;
    const asOf = isoInstant("as-of", values["as-of"]) ?? now();
    const since = isoInstant("since", values.since) ?? asOf - WEEK_MS;
    if (since > asOf) throw new OpsUsageError("--since must not be after --as-of");
    const aws = clientsFor(values, io);
    try {
      const where = deploymentFrom(values, aws);
      const eventsTable =
        str(values["events-table"]) ?? (await where.table(SHARED_IDS.eventsTable));
      const modelsTable =
        str(values["read-models-table"]) ?? (await where.table(SHARED_IDS.readModelsTable));
      const from = new Date(since).toISOString();
      const to = new Date(asOf).toISOString();
      io.stderr.write(`reading events of ${eventsTable} in [${from}, ${to}]...\n`);
      const events = await eventStore({ documents: aws.documents, eventsTable }).readTimeRange(
        from,
        to,
      );
      const rebuilt = new InMemoryDocumentStore();
      const applied = await rebuildProjections(events, {
        target: rebuilt,
        clock: { now: () => asOf },
        ...(only ? { only: [only as ProjectionName] } : {}),
        onProgress: (name, n, total) => io.stderr.write(`  ${name}: ${n}/${total} events\n`),
      });
      const live = new DynamoDbDocumentStore(aws.documents, modelsTable);
      const result = values.check
        ? { ...(await diffWithLive(rebuilt, live)), applied }
        : { written: await replaceLive(rebuilt, live), applied };
      if (values.json) io.stdout.write(`${JSON.stringify({ events: events.length, ...result })}\n`);
      else io.stdout.write(summary(events.length, modelsTable, result));
      if ("diffs" in result && result.diffs.length > 0) {
        throw new OpsError(`${result.diffs.length} read model(s) differ from the rebuild`);
      }
      return 0;
    } finally {
      aws.destroy();
    }
  });
}

function summary(
  events: number,
  table: string,
  r: {
    applied: Record<string, number>;
    written?: number;
    compared?: number;
    diffs?: { pk: string; sk: string }[];
  },
): string {
  const per = Object.entries(r.applied)
    .map(([k, n]) => `${k} ${n}`)
    .join(", ");
  const head = `rebuilt from ${events} stored event(s) (${per})`;
  if (r.diffs === undefined) return `${head}; wrote ${r.written} document(s) to ${table}\n`;
  const lines = r.diffs.map((d) => `  differs: ${d.pk} / ${d.sk}\n`).join("");
  return `${head}; compared ${r.compared} document(s) with ${table}: ${r.diffs.length} differ\n${lines}`;
}
