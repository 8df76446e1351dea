/**
 * `buzzville tail [--type T] [--zone Z] [--priority P]`: prints the city's events as they pass on
 * the bus, locally or on a deployed stack. It does what an operator would do by hand: a
 * temporary SQS queue, a rule on the bus matching the filters with that queue as target (its
 * policy lets only that rule send), then receive, print, delete; on Ctrl-C (or after --max
 * events) the rule, its target and the queue are removed. docs/OPERATIONS.md, "Tail".
 */
import { randomBytes } from "node:crypto";
import {
  DeleteRuleCommand,
  PutRuleCommand,
  PutTargetsCommand,
  RemoveTargetsCommand,
} from "@aws-sdk/client-eventbridge";
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SetQueueAttributesCommand,
} from "@aws-sdk/client-sqs";
import { allDefinitions } from "../../events/catalog.ts";
import { PRIORITIES, ZONE_PATTERN } from "../../events/envelope.ts";
import { intFlag, parseFlags, str, TARGET_FLAGS } from "./args.ts";
import type { AwsClients } from "./aws.ts";
import { OpsUsageError } from "./errors.ts";
import { clientsFor, defaultIo, type OpsIo, runCommand } from "./io.ts";
import { busOf } from "./publish.ts";

export const TAIL_USAGE = `Usage: buzzville tail [--type T[,T…]] [--zone Z[,Z…]] [--priority P[,P…]] [flags]

Prints the city's events as they pass on the bus (one line each: time, type, zone, priority,
event id, correlation id), until Ctrl-C or --max events. A temporary queue and rule on the bus
carry them; both are removed at the end.

  --type T        event types (docs/EVENTS.md), comma-separated
  --zone Z        zones (z1…z8), comma-separated
  --priority P    ${PRIORITIES.join(", ")}, comma-separated
  --max N         stop after N events
  --json          print each event's whole EventBridge envelope as one JSON line
  --bus NAME      the bus (default: discovered)
  --endpoint URL --region R --profile P --prefix P --stack S  (see buzzville dlq --help)
`;

const FLAGS = {
  ...TARGET_FLAGS,
  type: { type: "string" },
  zone: { type: "string" },
  priority: { type: "string" },
  max: { type: "string" },
  json: { type: "boolean" },
  bus: { type: "string" },
} as const;

export interface TailIo extends OpsIo {
  /** Stops the tail (Ctrl-C); without one, SIGINT does. */
  readonly signal?: AbortSignal;
}

const list = (v: unknown) =>
  str(v)
    ?.split(",")
    .map((s) => s.trim())
    .filter(Boolean);

/** The rule's pattern from the flags, each value checked against what the catalog allows. */
export function tailPattern(values: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const types = list(values.type);
  const zones = list(values.zone);
  const priorities = list(values.priority);
  const known = new Set(allDefinitions().map((d) => d.type as string));
  for (const t of types ?? []) {
    if (!known.has(t)) {
      throw new OpsUsageError(
        `--type ${JSON.stringify(t)} is not an event type; see docs/EVENTS.md`,
      );
    }
  }
  for (const z of zones ?? []) {
    if (!ZONE_PATTERN.test(z))
      throw new OpsUsageError(`--zone ${JSON.stringify(z)}: expected z1…z8`);
  }
  for (const p of priorities ?? []) {
    if (!(PRIORITIES as readonly string[]).includes(p)) {
      throw new OpsUsageError(`--priority ${JSON.stringify(p)}: allowed ${PRIORITIES.join(", ")}`);
    }
  }
  const meta = {
    ...(zones ? { zone: zones } : {}),
    ...(priorities ? { priority: priorities } : {}),
  };
  return {
    // Every event of the city carries meta (docs/EVENTS.md): match on it, not on sources.
    ...(types ? { "detail-type": types } : {}),
    detail: { meta: Object.keys(meta).length ? meta : { eventId: [{ exists: true }] } },
  };
}

interface Tap {
  readonly queueUrl: string;
  remove(): Promise<void>;
}

/** The temporary queue and rule; removed by `remove()` even when set-up fails half way. */
async function openTap(aws: AwsClients, bus: string, pattern: object): Promise<Tap> {
  const name = `buzzville-tail-${randomBytes(6).toString("hex")}`;
  const { QueueUrl: queueUrl = "" } = await aws.sqs.send(
    new CreateQueueCommand({ QueueName: name }),
  );
  let ruleCreated = false;
  const remove = async () => {
    if (ruleCreated) {
      await aws.events.send(
        new RemoveTargetsCommand({ Rule: name, EventBusName: bus, Ids: ["tail"] }),
      );
      await aws.events.send(new DeleteRuleCommand({ Name: name, EventBusName: bus }));
    }
    await aws.sqs.send(new DeleteQueueCommand({ QueueUrl: queueUrl }));
  };
  try {
    const arn = (
      await aws.sqs.send(
        new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ["QueueArn"] }),
      )
    ).Attributes?.QueueArn;
    const rule = await aws.events.send(
      new PutRuleCommand({ Name: name, EventBusName: bus, EventPattern: JSON.stringify(pattern) }),
    );
    ruleCreated = true;
    const policy = {
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Allow",
          Principal: { Service: "events.amazonaws.com" },
          Action: "sqs:SendMessage",
          Resource: arn,
          Condition: { ArnEquals: { "aws:SourceArn": rule.RuleArn } },
        },
      ],
    };
    await aws.sqs.send(
      new SetQueueAttributesCommand({
        QueueUrl: queueUrl,
        Attributes: { Policy: JSON.stringify(policy) },
      }),
    );
    await aws.events.send(
      new PutTargetsCommand({ Rule: name, EventBusName: bus, Targets: [{ Id: "tail", Arn: arn }] }),
    );
    return { queueUrl, remove };
  } catch (error) {
    await remove().catch(() => undefined);
    throw error;
  }
}

interface Envelope {
  "detail-type"?: string;
  detail?: {
    meta?: {
      eventId?: string;
      occurredAt?: string;
      zone?: string;
      priority?: string;
      correlationId?: string;
    };
  };
}

function lineOf(body: string, json: boolean): string {
  if (json) return body;
  try {
    const e = JSON.parse(body) as Envelope;
    const m = e.detail?.meta ?? {};
    return [m.occurredAt, e["detail-type"], m.zone, m.priority, m.eventId, m.correlationId]
      .map((v) => v ?? "-")
      .join("  ");
  } catch {
    return body;
  }
}

async function pump(
  aws: AwsClients,
  tap: Tap,
  io: OpsIo,
  max: number,
  json: boolean,
  signal: AbortSignal,
) {
  let printed = 0;
  while (!signal.aborted && printed < max) {
    const out = await aws.sqs
      .send(
        new ReceiveMessageCommand({
          QueueUrl: tap.queueUrl,
          MaxNumberOfMessages: 10,
          WaitTimeSeconds: 1,
        }),
        { abortSignal: signal },
      )
      .catch((error: unknown) => {
        if (signal.aborted) return { Messages: [] };
        throw error;
      });
    const messages = out.Messages ?? [];
    for (const m of messages.slice(0, max - printed))
      io.stdout.write(`${lineOf(m.Body ?? "", json)}\n`);
    printed += Math.min(messages.length, max - printed);
    if (messages.length === 0) continue;
    await aws.sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: tap.queueUrl,
        Entries: messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle ?? "" })),
      }),
    );
  }
  return printed;
}

function stopOn(io: TailIo): AbortSignal {
  if (io.signal) return io.signal;
  const abort = new AbortController();
  process.once("SIGINT", () => abort.abort());
  return abort.signal;
}

export async function main(argv: readonly string[], io: TailIo = defaultIo()): Promise<number> {
  return runCommand("tail", io, async () => {
    const { values } = parseFlags("tail", argv, FLAGS);
    if (values.help) {
      io.stdout.write(TAIL_USAGE);
      return 0;
    }
    const pattern = tailPattern(values);
    const max = intFlag("max", values.max, { min: 1, max: 1_000_000 }) ?? Number.POSITIVE_INFINITY;
    const aws = clientsFor(values, io);
    try {
      const bus = await busOf(values, aws);
      const tap = await openTap(aws, bus, pattern);
      try {
        io.stderr.write(`tailing ${bus} (${JSON.stringify(pattern)}); Ctrl-C stops\n`);
        const n = await pump(aws, tap, io, max, values.json === true, stopOn(io));
        io.stderr.write(`${n} event(s); removing the tail's rule and queue\n`);
      } finally {
        await tap.remove();
      }
      return 0;
    } finally {
      aws.destroy();
    }
  });
}
