/**
 * `buzzville publish --type T --payload JSON|@file [--count N]`: publishes a hand-made event
 * through the validating CityEventPublisher (meta stamped, vector clock included) and prints each
 * event id, or the validation error naming every bad field (docs/OPERATIONS.md).
 */
import { readFile } from "node:fs/promises";
import { type AnyEventDraft, assertValidDrafts } from "../../events/draft.ts";
import { InvalidEventError } from "../../events/errors.ts";
import { CityEventPublisher } from "../../events/publisher.ts";
import { intFlag, parseFlags, str, TARGET_FLAGS } from "./args.ts";
import type { AwsClients } from "./aws.ts";
import { discoverBus, prefixFrom } from "./discovery.ts";
import { OpsError, OpsUsageError } from "./errors.ts";
import { clientsFor, defaultIo, type OpsIo, runCommand } from "./io.ts";
import { OUTPUT_KEYS, readStackOutputs } from "./stack-outputs.ts";

export const PUBLISH_USAGE = `Usage: buzzville publish --type T --payload JSON|@file [flags]

Publishes a hand-made city event through the validating publisher: the payload is checked
against the catalog (docs/EVENTS.md), meta (ids, sequence, Lamport and vector clocks) stamped.
Prints each event id, or the validation error and exits 1.

  --type T              the event type, e.g. WeatherAlertIssued
  --payload JSON|@file  the payload (no meta), inline or from a file
  --count N             publish N copies, each with its own id (default 1, at most 100)
  --correlation-id ID   join an existing story (default: a new one per event)
  --producer-id ID      meta.producerId (default ops-cli/<random instance>)
  --json                print the published events as JSON
  --bus NAME            the bus (default: discovered)
  --endpoint URL --region R --profile P --prefix P --stack S  (see buzzville dlq --help)
`;

const FLAGS = {
  ...TARGET_FLAGS,
  type: { type: "string" },
  payload: { type: "string" },
  count: { type: "string" },
  "correlation-id": { type: "string" },
  "producer-id": { type: "string" },
  json: { type: "boolean" },
  bus: { type: "string" },
} as const;

async function payloadOf(raw: string): Promise<unknown> {
  let text = raw;
  if (raw.startsWith("@")) {
    try {
      text = await readFile(raw.slice(1), "utf8");
    } catch (error) {
      throw new OpsUsageError(`--payload ${raw}: cannot read ${raw.slice(1)}`, { cause: error });
    }
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new OpsUsageError(
      `--payload must be JSON or @file of JSON, got ${JSON.stringify(text.slice(0, 80))}: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}

export async function busOf(
  values: Readonly<Record<string, unknown>>,
  aws: AwsClients,
): Promise<string> {
  const explicit = str(values.bus);
  const stack = str(values.stack);
  if (stack && !explicit) {
    return (await readStackOutputs(aws, stack)).require(OUTPUT_KEYS.bus, "pass --bus NAME");
  }
  return (await discoverBus(aws, prefixFrom(values), explicit)).name;
}

/** Runs `check`, turning the catalog's InvalidEventError into an OpsError saying nothing was sent. */
function invalidAsOpsError(type: string, check: () => unknown): void {
  try {
    check();
  } catch (error) {
    if (!(error instanceof InvalidEventError)) throw error;
    throw new OpsError(`invalid ${type} event: ${error.message}`);
  }
}

export async function main(argv: readonly string[], io: OpsIo = defaultIo()): Promise<number> {
  return runCommand("publish", io, async () => {
    const { values } = parseFlags("publish", argv, FLAGS);
    if (values.help) {
      io.stdout.write(PUBLISH_USAGE);
      return 0;
    }
    const type = str(values.type);
    const raw = str(values.payload);
    if (!type || !raw) throw new OpsUsageError("needs --type T and --payload JSON|@file");
    const count = intFlag("count", values.count, { min: 1, max: 100 }) ?? 1;
    const payload = await payloadOf(raw);
    const correlationId = str(values["correlation-id"]);
    const drafts = Array.from(
      { length: count },
      () => ({ type, payload, ...(correlationId ? { correlationId } : {}) }) as AnyEventDraft,
    );
    invalidAsOpsError(type, () => assertValidDrafts(drafts)); // before any AWS call
    const aws = clientsFor(values, io);
    try {
      const publisher = new CityEventPublisher({
        busName: await busOf(values, aws),
        producerId: str(values["producer-id"]) ?? "ops-cli",
        instanceId: values["producer-id"] === undefined,
        client: aws.events,
      });
      const events = await publisher.publish(drafts);
      if (values.json) io.stdout.write(`${JSON.stringify(events, null, 2)}\n`);
      else for (const e of events) io.stdout.write(`${e.detail.meta.eventId}\n`);
      return 0;
    } finally {
      aws.destroy();
    }
  });
}
