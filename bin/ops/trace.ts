/**
 * `buzzville trace <eventId|traceId|incidentId|correlationId>`: prints a trace as a waterfall in
 * the terminal (docs/OPERATIONS.md "Traces"). It reads X-Ray (GetTraceSummaries by annotation,
 * then BatchGetTraces): a deployed stack's, or the local cloud's at AWS_ENDPOINT_URL / --endpoint,
 * which serves the same API from its trace store. --console reads the operators' console instead.
 */
import { isTraceId } from "../../local/xray/header.ts";
import { renderWaterfall, type TraceView } from "../../local/xray/waterfall.ts";
import { intFlag, parseFlags, str, TARGET_FLAGS } from "./args.ts";
import { OpsError, OpsUsageError } from "./errors.ts";
import { clientsFor, defaultIo, type OpsIo, runCommand } from "./io.ts";
import { xrayTraces } from "./xray.ts";

export const TRACE_USAGE = `Usage: buzzville trace <eventId|traceId|incidentId|correlationId> [flags]

Prints the trace of an event as a waterfall: PutEvents on the bus, each rule's delivery, the
queues, the pipe, the function and its DynamoDB / SNS / EventBridge calls, with the offset and
duration of each span; faults, errors and timeouts are marked. An event id, incident id or
correlation id may match several traces (the event's own and those of the events it caused):
the newest is printed, all of them with --all.

  --all            every matching trace (at most --max)
  --max N          traces printed at most with --all (default 5, at most 20)
  --json           the waterfall(s) as JSON: [{ traceId, start, durationMs, rows, errors, faults }]
  --console URL    read the local operators' console (GET /console/traces) instead of X-Ray
  --endpoint URL   the local cloud's X-Ray (default AWS_ENDPOINT_URL); without one, X-Ray on AWS
  --region R --profile P  (see buzzville dlq --help)
`;

const FLAGS = {
  ...TARGET_FLAGS,
  all: { type: "boolean" },
  max: { type: "string" },
  json: { type: "boolean" },
  console: { type: "string" },
} as const;

/** Where traces are read: a local console's trace routes, or X-Ray. */
export interface TraceSource {
  /** Trace ids matching `id` (a trace id, event id, incident id or correlation id), newest first. */
  find(id: string, max: number): Promise<string[]>;
  get(traceId: string): Promise<TraceView | undefined>;
  /** Where it read, for messages. */
  readonly where: string;
  /** Releases its clients' sockets. */
  close?(): void;
}

async function getJson(url: URL): Promise<{ status: number; body: unknown }> {
  let res: Response;
  try {
    res = await fetch(url);
  } catch (cause) {
    throw new OpsError(
      `cannot reach the operators' console at ${url.origin} (start the city with npm start, or pass --console URL)`,
      { cause },
    );
  }
  return { status: res.status, body: await res.json().catch(() => undefined) };
}

const errorMessage = (body: unknown): string =>
  (body as { error?: { message?: string } } | undefined)?.error?.message ?? "no message";

/** The local cloud's trace store, through the console's routes. */
export function consoleTraceSource(consoleUrl: string): TraceSource {
  return {
    where: `the local cloud's trace store (${consoleUrl})`,
    async find(id, max) {
      const url = new URL("console/traces", consoleUrl);
      url.searchParams.set("q", id);
      url.searchParams.set("limit", String(max));
      const { status, body } = await getJson(url);
      if (status !== 200)
        throw new OpsError(`GET ${url.pathname}: ${status} ${errorMessage(body)}`);
      return ((body as { traces: { traceId: string }[] }).traces ?? []).map((t) => t.traceId);
    },
    async get(traceId) {
      const { status, body } = await getJson(new URL(`console/traces/${traceId}`, consoleUrl));
      if (status === 404) return undefined;
      if (status !== 200)
        throw new OpsError(`GET trace ${traceId}: ${status} ${errorMessage(body)}`);
      return body as TraceView;
    },
  };
}

export async function main(argv: readonly string[], io: OpsIo = defaultIo()): Promise<number> {
  return runCommand("trace", io, async () => {
    const { values, positionals } = parseFlags("trace", argv, FLAGS, true);
    if (values.help) {
      io.stdout.write(TRACE_USAGE);
      return 0;
    }
    const [id, ...extra] = positionals;
    if (!id || extra.length > 0 || id.length > 200) {
      throw new OpsUsageError(
        `expects exactly one event id, trace id (1-xxxxxxxx-…), incident id or correlation id, got ${positionals.length ? positionals.map((p) => JSON.stringify(p.slice(0, 80))).join(" ") : "none"}`,
      );
    }
    const max = values.all ? (intFlag("max", values.max, { min: 1, max: 20 }) ?? 5) : 1;
    const source = traceSourceFor(values, io);
    const views = await readViews(source, id, max).finally(() => source.close?.());
    if (views.length === 0) {
      throw new OpsError(
        `no trace of ${id} in ${source.where}: traces are sampled (X-Ray's default rule: the first each second and 5 % of the rest) and only recent ones are kept; see docs/OPERATIONS.md "Traces"`,
      );
    }
    if (values.json) io.stdout.write(`${JSON.stringify(views)}\n`);
    else for (const view of views) io.stdout.write(renderWaterfall(view));
    return 0;
  });
}

/** The trace of `id` if it is a trace id, else the newest `max` traces annotated with it. */
async function readViews(source: TraceSource, id: string, max: number): Promise<TraceView[]> {
  const ids = isTraceId(id) ? [id] : await source.find(id, max);
  const views = await Promise.all(ids.slice(0, max).map((t) => source.get(t)));
  return views.filter((v): v is TraceView => v !== undefined);
}

function traceSourceFor(values: Readonly<Record<string, unknown>>, io: OpsIo): TraceSource {
  const consoleFlag = str(values.console);
  if (consoleFlag !== undefined) {
    if (!URL.canParse(consoleFlag)) {
      throw new OpsUsageError(
        `--console must be a URL like http://127.0.0.1:4567/, got ${JSON.stringify(consoleFlag)}`,
      );
    }
    return consoleTraceSource(consoleFlag);
  }
  return xrayTraces(clientsFor(values, io));
}
