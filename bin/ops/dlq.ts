/**
 * `buzzville dlq list|redrive`: the dead-letter queues of the deployed topology, against any
 * endpoint (the local cloud or AWS), through the DLQ tool of functions/dlq.
 */
import { GetQueueAttributesCommand } from "@aws-sdk/client-sqs";
import { DlqTool } from "../../functions/dlq/index.ts";
import { SqsQueues } from "../../functions/dlq/sqs-adapter.ts";
import { DynamoDbDocumentStore } from "../../functions/shared/dynamodb-documents.ts";
import { SHARED_IDS } from "../../infra/resources.ts";
import { intFlag, parseFlags, str, TARGET_FLAGS } from "./args.ts";
import type { AwsClients } from "./aws.ts";
import { CappedQueues } from "./capped-queues.ts";
import { type Deployment, deploymentFrom } from "./deployment.ts";
import { type DlqRef, pickDlq, queueNameOf } from "./discovery.ts";
import { OpsError, OpsUsageError } from "./errors.ts";
import { clientsFor, defaultIo, type OpsIo, runCommand } from "./io.ts";

export const DLQ_USAGE = `Usage: buzzville dlq <list|redrive> [flags]

  list      Every message in the DLQs: reason, source queue, receive count, first/last failure.
            --queue NAME|all (all)  --json
  redrive   Move a DLQ's messages back to the queue they failed from (never lost, never
            duplicated: a ledger on the read-models table survives a crash mid-way).
            --queue NAME (required)  --max N  --dry-run

Queues are named by logical id (e.g. NotificationBulkDlq, EventStoreDlq) or physical name.
Where (the standard AWS configuration, or):
  --endpoint URL     e.g. http://127.0.0.1:4566 (default AWS_ENDPOINT_URL, else AWS itself)
  --region R --profile P
  --prefix P         local deployment name prefix (buzzville-local)
  --stack S          CloudFormation stack: queues and tables from its outputs (DescribeStacks)
  --queue-url URL    the DLQ by URL (no discovery); redrive then needs --source-url URL
  --table NAME       the read-models table (failure records, redrive ledger)
`;

const FLAGS = {
  ...TARGET_FLAGS,
  queue: { type: "string" },
  json: { type: "boolean" },
  max: { type: "string" },
  "dry-run": { type: "boolean" },
  "queue-url": { type: "string" },
  "source-url": { type: "string" },
  table: { type: "string" },
} as const;

interface Context {
  readonly aws: AwsClients;
  readonly where: Deployment;
  readonly values: Readonly<Record<string, unknown>>;
}

async function dlqsOf(ctx: Context, wanted: string | undefined): Promise<DlqRef[]> {
  const url = str(ctx.values["queue-url"]);
  if (url) {
    const sourceUrl = str(ctx.values["source-url"]);
    const name = queueNameOf(url);
    return [
      {
        logicalId: name,
        role: "dlq",
        name,
        url,
        ...(sourceUrl
          ? {
              source: {
                logicalId: queueNameOf(sourceUrl),
                role: "consumer" as const,
                name: queueNameOf(sourceUrl),
                url: sourceUrl,
              },
            }
          : {}),
      },
    ];
  }
  const all = await ctx.where.dlqs();
  if (!wanted || wanted.toLowerCase() === "all") return all;
  return [pickDlq(all, wanted)];
}

async function toolFor(ctx: Context): Promise<{ tool: DlqTool; queues: CappedQueues }> {
  const table = str(ctx.values.table) ?? (await ctx.where.table(SHARED_IDS.readModelsTable));
  const queues = new CappedQueues(new SqsQueues(ctx.aws.sqs));
  const tool = new DlqTool({
    queues,
    docs: new DynamoDbDocumentStore(ctx.aws.documents, table),
  });
  return { tool, queues };
}

async function depth(aws: AwsClients, url: string): Promise<number> {
  const out = await aws.sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: url,
      AttributeNames: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
    }),
  );
  const a = out.Attributes ?? {};
  return (
    Number(a.ApproximateNumberOfMessages ?? 0) +
    Number(a.ApproximateNumberOfMessagesNotVisible ?? 0)
  );
}

/** Why a FIFO DLQ lists fewer messages than it holds. */
const FIFO_NOTE =
  " (a FIFO DLQ hands out the oldest message of each group while it is listed; the others are there, and redrive moves them all)";

/** How many messages a DLQ holds: its depth when FIFO (listing shows each group's oldest only). */
async function heldIn(aws: AwsClients, dlq: DlqRef, listed: number): Promise<number> {
  if (listed === 0 || !dlq.url.endsWith(".fifo")) return listed;
  return Math.max(listed, await depth(aws, dlq.url));
}

async function list(ctx: Context, io: OpsIo): Promise<number> {
  const dlqs = await dlqsOf(ctx, str(ctx.values.queue));
  const { tool } = await toolFor(ctx);
  const rows = [];
  for (const d of dlqs) {
    for (const e of await tool.list(d.url)) {
      rows.push({
        ...e,
        dlq: d.logicalId,
        queueName: d.name,
        sourceQueue: e.sourceQueue ?? d.source?.name,
      });
    }
  }
  if (ctx.values.json) {
    io.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
    return 0;
  }
  let total = 0;
  for (const d of dlqs) {
    const mine = rows.filter((r) => r.dlq === d.logicalId);
    if (mine.length === 0 && dlqs.length > 1) continue;
    const held = await heldIn(ctx.aws, d, mine.length);
    total += held;
    const listed =
      held > mine.length
        ? `${held} message(s), ${mine.length} listed${FIFO_NOTE}`
        : `${held} message(s)`;
    io.stdout.write(
      `${d.logicalId} (${d.name}): ${listed}; redrives to ${d.source?.logicalId ?? "? (pass --source-url)"}\n`,
    );
    for (const r of mine) {
      io.stdout.write(
        `  ${r.messageId}  reason=${r.reason}  source=${r.sourceQueue ?? "?"}  receives=${r.receiveCount}  first=${r.firstFailureAt ?? "?"}  last=${r.lastFailureAt ?? "?"}${r.eventType ? `  ${r.eventType} ${r.eventId ?? ""}` : ""}\n    ${r.detail}\n`,
      );
    }
  }
  const empty = dlqs.length - new Set(rows.map((r) => r.dlq)).size;
  io.stdout.write(
    `${total} message(s) in ${dlqs.length - empty} DLQ(s)${dlqs.length > 1 ? `; ${empty} empty` : ""}\n`,
  );
  return 0;
}

async function redrive(ctx: Context, io: OpsIo): Promise<number> {
  const wanted = str(ctx.values.queue);
  if (!wanted && !str(ctx.values["queue-url"])) {
    throw new OpsUsageError(
      "redrive: --queue NAME is required (a DLQ's logical id such as NotificationBulkDlq; `buzzville dlq list` shows them)",
    );
  }
  if (wanted?.toLowerCase() === "all") {
    throw new OpsUsageError('redrive: --queue must name one DLQ, got "all"');
  }
  const max = intFlag("max", ctx.values.max, { min: 1, max: 1_000_000 });
  const [dlq] = await dlqsOf(ctx, wanted);
  if (!dlq) throw new OpsError("no DLQ found");
  if (!dlq.source) {
    throw new OpsError(
      dlq.sourceMissing ??
        `no source queue is known for ${dlq.logicalId}; pass --source-url URL (the queue whose redrive policy names it)`,
    );
  }
  const { tool, queues } = await toolFor(ctx);
  const before = await depth(ctx.aws, dlq.url);
  if (ctx.values["dry-run"]) {
    const entries = await tool.list(dlq.url, max ?? 1000);
    const n = max === undefined ? entries.length : Math.min(max, entries.length);
    io.stdout.write(
      `dry run: would move ${n} message(s) from ${dlq.logicalId} (${dlq.name}) to ${dlq.source.logicalId} (${dlq.source.name}); nothing was changed\n`,
    );
    for (const e of entries.slice(0, n)) {
      io.stdout.write(
        `  ${e.messageId}  reason=${e.reason}${e.eventType ? `  ${e.eventType}` : ""}\n`,
      );
    }
    return 0;
  }
  io.stdout.write(
    `redriving ${dlq.logicalId} (${before} message(s)) -> ${dlq.source.logicalId}${max ? `, at most ${max}` : ""}\n`,
  );
  let moved = 0;
  let completed = 0;
  const limit = max ?? Number.POSITIVE_INFINITY;
  while (moved + completed < limit) {
    queues.cap = Math.min(10, limit - moved - completed);
    const r = await tool.redrive(dlq.url, dlq.source.url, queues.cap);
    if (r.moved + r.completed === 0) break;
    moved += r.moved;
    completed += r.completed;
    io.stdout.write(
      `  moved ${moved}${completed ? ` (+${completed} finished from an interrupted run)` : ""}\n`,
    );
  }
  const after = await depth(ctx.aws, dlq.url);
  io.stdout.write(
    `done: ${moved} message(s) moved from ${dlq.logicalId} to ${dlq.source.logicalId}${completed ? `, ${completed} already sent by an interrupted run deleted from the DLQ` : ""}; ${dlq.logicalId} now holds ${after}\n`,
  );
  return 0;
}

export async function main(argv: readonly string[], io: OpsIo = defaultIo()): Promise<number> {
  const [sub, ...rest] = argv;
  return runCommand(`dlq ${sub ?? ""}`.trim(), io, async () => {
    if (sub === undefined || sub === "--help" || sub === "-h" || sub === "help") {
      io.stdout.write(DLQ_USAGE);
      return sub === undefined ? 2 : 0;
    }
    if (sub !== "list" && sub !== "redrive") {
      throw new OpsUsageError(`unknown subcommand ${JSON.stringify(sub)}; allowed: list, redrive`);
    }
    const { values } = parseFlags(`dlq ${sub}`, rest, FLAGS);
    if (values.help) {
      io.stdout.write(DLQ_USAGE);
      return 0;
    }
    if (sub === "list" && (values.max !== undefined || values["dry-run"])) {
      throw new OpsUsageError("list: --max and --dry-run belong to redrive");
    }
    if (sub === "redrive" && values.json) {
      throw new OpsUsageError("redrive: --json belongs to list");
    }
    const aws = clientsFor(values, io);
    const ctx: Context = { aws, where: deploymentFrom(values, aws), values };
    try {
      return sub === "list" ? await list(ctx, io) : await redrive(ctx, io);
    } finally {
      ctx.aws.destroy();
    }
  });
}
