/**
 * `buzzville timeline <incidentId|correlationId> [--json] [--mermaid]`: every event of one story
 * across streams, from the event store, ordered by happened-before (vector clocks, Lamport as
 * tiebreak), concurrent steps marked, events handled before their cause flagged
 * (docs/OPERATIONS.md, "Causal timelines"). The same code serves GET /api/timelines/{id}.
 */

import { isApiError } from "../../functions/api/errors.ts";
import { correlationStory, incidentStory, MAX_HORIZON_MS } from "../../functions/api/story.ts";
import { buildTimeline, timelineEventOf } from "../../functions/api/timeline.ts";
import {
  timelineJson,
  timelineMermaid,
  timelineText,
} from "../../functions/api/timeline-render.ts";
import { eventStore } from "../../functions/event-store/index.ts";
import { SHARED_IDS } from "../../infra/resources.ts";
import { intFlag, isoInstant, parseFlags, str, TARGET_FLAGS } from "./args.ts";
import { deploymentFrom } from "./deployment.ts";
import { OpsError, OpsUsageError } from "./errors.ts";
import { clientsFor, defaultIo, type OpsIo, runCommand } from "./io.ts";

export const TIMELINE_USAGE = `Usage: buzzville timeline <incidentId|correlationId> [flags]

The events of one story — an incident (its stream incident#<id>, then every event sharing its
correlation ids) or a correlation id — across the incident, zone, alert and intersection streams,
ordered by happened-before. Events of one step are concurrent (‖); "!" flags an event handled
before its cause.

  --json                one JSON object: { kind, id, correlationIds, window, steps, outOfOrder, events }
  --mermaid             a mermaid sequenceDiagram (concurrent steps as par blocks)
  --from ISO            when the story began, for a correlation id that is not a ULID
  --horizon-minutes N   how long after its start to look (default 60, at most 1440)
  --table NAME          the events table (default: discovered)
  --endpoint URL --region R --profile P --prefix P --stack S  (see buzzville dlq --help)
`;

const FLAGS = {
  ...TARGET_FLAGS,
  json: { type: "boolean" },
  mermaid: { type: "boolean" },
  from: { type: "string" },
  "horizon-minutes": { type: "string" },
  table: { type: "string" },
} as const;

export async function main(argv: readonly string[], io: OpsIo = defaultIo()): Promise<number> {
  return runCommand("timeline", io, async () => {
    const { values, positionals } = parseFlags("timeline", argv, FLAGS, true);
    if (values.help) {
      io.stdout.write(TIMELINE_USAGE);
      return 0;
    }
    const [id, ...extra] = positionals;
    if (!id || extra.length > 0) {
      throw new OpsUsageError(
        `expects exactly one incident id (inc-...) or correlation id, got ${positionals.length ? positionals.map((p) => JSON.stringify(p)).join(" ") : "none"}`,
      );
    }
    if (values.json && values.mermaid)
      throw new OpsUsageError("give --json or --mermaid, not both");
    const from = isoInstant("from", values.from);
    const horizon = intFlag("horizon-minutes", values["horizon-minutes"], {
      min: 1,
      max: MAX_HORIZON_MS / 60_000,
    });
    const window = {
      ...(horizon ? { horizonMs: horizon * 60_000 } : {}),
      ...(from !== undefined ? { from: new Date(from).toISOString() } : {}),
    };
    const aws = clientsFor(values, io);
    try {
      const table =
        str(values.table) ?? (await deploymentFrom(values, aws).table(SHARED_IDS.eventsTable));
      const store = eventStore({ documents: aws.documents, eventsTable: table });
      const story =
        (await incidentStory(store, id, window)) ??
        (await correlationStory(store, id, window).catch((error: unknown) => {
          throw isApiError(error) ? new OpsUsageError(error.message) : error;
        }));
      if (!story) {
        throw new OpsError(
          `no event of incident or correlation id ${JSON.stringify(id)} in table ${table} (read ${JSON.stringify(window)}); incident ids look like inc-fire-<hash>, correlation ids are the first event's id`,
        );
      }
      const timeline = buildTimeline(story.events.map(timelineEventOf));
      if (values.json)
        io.stdout.write(`${JSON.stringify(timelineJson(story, timeline), null, 2)}\n`);
      else if (values.mermaid) io.stdout.write(timelineMermaid(timeline));
      else io.stdout.write(timelineText(story, timeline));
      return 0;
    } finally {
      aws.destroy();
    }
  });
}
