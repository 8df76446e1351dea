/**
 * `buzzville stream <streamId> [--as-of ISO] [--json]`: a stream's events from the event store and
 * its state at an instant (eventStore().stateAt), e.g. "alert#a-1 at T+0:03 -> ACTIVE".
 */
import { eventStore } from "../../functions/event-store/index.ts";
import { SHARED_IDS } from "../../infra/resources.ts";
import { isoInstant, parseFlags, str, TARGET_FLAGS } from "./args.ts";
import { deploymentFrom } from "./deployment.ts";
import { OpsError, OpsUsageError } from "./errors.ts";
import { clientsFor, defaultIo, type OpsIo, runCommand } from "./io.ts";

export const STREAM_USAGE = `Usage: buzzville stream <streamId> [flags]

The events of one event-store stream, in version order, and the stream's state (status, version,
counts) at its head or at an instant.

  <streamId>     e.g. alert#wa-1, incident#<id>, intersection#i-12, zone#z3
  --as-of ISO    state at this instant (ISO-8601 like 2026-11-23T10:03:00Z); events that
                 occurred later are listed but marked "after"
  --json         one JSON object: { streamId, table, asOf, events, state }
  --table NAME   the events table (default: discovered)
  --endpoint URL --region R --profile P --prefix P --stack S  (see buzzville dlq --help)
`;

const FLAGS = {
  ...TARGET_FLAGS,
  "as-of": { type: "string" },
  json: { type: "boolean" },
  table: { type: "string" },
} as const;

export async function main(argv: readonly string[], io: OpsIo = defaultIo()): Promise<number> {
  return runCommand("stream", io, async () => {
    const { values, positionals } = parseFlags("stream", argv, FLAGS, true);
    if (values.help) {
      io.stdout.write(STREAM_USAGE);
      return 0;
    }
    if (positionals.length !== 1 || !positionals[0]) {
      throw new OpsUsageError(
        `expects exactly one stream id like alert#wa-1 or intersection#i-12, got ${positionals.length ? positionals.map((p) => JSON.stringify(p)).join(" ") : "none"}`,
      );
    }
    const streamId = positionals[0];
    const asOfMs = isoInstant("as-of", values["as-of"]);
    const asOf = asOfMs === undefined ? undefined : new Date(asOfMs).toISOString();
    const aws = clientsFor(values, io);
    try {
      const table =
        str(values.table) ?? (await deploymentFrom(values, aws).table(SHARED_IDS.eventsTable));
      const store = eventStore({ documents: aws.documents, eventsTable: table });
      const events = await store.readStream(streamId);
      if (events.length === 0) {
        throw new OpsError(
          `stream ${JSON.stringify(streamId)} has no events in table ${table}; stream ids look like alert#<id>, incident#<id>, intersection#<id>, zone#<id> (the meta.streamId of an event)`,
        );
      }
      const { state } = asOf ? await store.stateAt(streamId, asOf) : await store.state(streamId);
      if (values.json) {
        io.stdout.write(
          `${JSON.stringify({ streamId, table, asOf: asOf ?? null, events, state }, null, 2)}\n`,
        );
        return 0;
      }
      io.stdout.write(`stream ${streamId} (table ${table}): ${events.length} event(s)\n`);
      for (const e of events) {
        const after = asOf !== undefined && e.occurredAt > asOf ? "  (after --as-of)" : "";
        io.stdout.write(`  v${e.version}  ${e.occurredAt}  ${e.type}  ${e.eventId}${after}\n`);
      }
      io.stdout.write(
        `state ${asOf ? `at ${asOf}` : "at head"}: ${state.status} (version ${state.version}, ${state.eventCount} event(s)${state.lastEventType ? `, last ${state.lastEventType} at ${state.lastOccurredAt}` : ""})\n`,
      );
      return 0;
    } finally {
      aws.destroy();
    }
  });
}
