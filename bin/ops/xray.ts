/**
 * Traces on a deployed stack, from X-Ray: GetTraceSummaries finds the traces annotated with an
 * event id, correlation id or incident id (the hops' and the functions' annotations, see
 * docs/OPERATIONS.md "Traces"), BatchGetTraces reads their segment documents. Needs
 * @aws-sdk/client-xray, loaded only here; without it the command says so.
 */
import { asSegmentDocument, flattenSegment, type StoredSegment } from "../../local/xray/segment.ts";
import { waterfall } from "../../local/xray/waterfall.ts";
import type { AwsSettings } from "./aws.ts";
import { OpsError } from "./errors.ts";
import type { TraceSource } from "./trace.ts";

/** How far back X-Ray is searched (GetTraceSummaries takes at most 24 hours). */
const SEARCH_HOURS = 24;

/** The parts of @aws-sdk/client-xray used here. */
interface XRayModule {
  XRayClient: new (config: Record<string, unknown>) => { send(command: unknown): Promise<unknown> };
  GetTraceSummariesCommand: new (input: Record<string, unknown>) => unknown;
  BatchGetTracesCommand: new (input: Record<string, unknown>) => unknown;
}

interface Summaries {
  TraceSummaries?: { Id?: string; StartTime?: Date }[];
  NextToken?: string;
}
interface Traces {
  Traces?: { Id?: string; Segments?: { Document?: string }[] }[];
}

async function loadXRay(): Promise<XRayModule> {
  const name = "@aws-sdk/client-xray"; // not a dependency of the project: loaded if installed
  try {
    return (await import(name)) as XRayModule;
  } catch (cause) {
    throw new OpsError(
      `reading traces from X-Ray needs the package ${name}, which is not installed (npm install ${name}); meanwhile use the X-Ray console, or: aws xray get-trace-summaries --start-time <epoch> --end-time <epoch> --filter-expression 'annotation.eventId = "<id>"'`,
      { cause },
    );
  }
}

/** The filter expression finding traces of an id (its annotations on the hops and records). */
export function xrayFilter(id: string): string {
  const quoted = JSON.stringify(id);
  return ["eventId", "correlationId", "incidentId"]
    .map((key) => `annotation.${key} = ${quoted}`)
    .join(" OR ");
}

export function xrayTraces(settings: AwsSettings): TraceSource {
  let client: Promise<{ x: XRayModule; send(command: unknown): Promise<unknown> }> | undefined;
  const xray = () => {
    client ??= loadXRay().then((x) => {
      const c = new x.XRayClient({
        ...(settings.region ? { region: settings.region } : {}),
        ...(settings.profile ? { profile: settings.profile } : {}),
      });
      return { x, send: (command: unknown) => c.send(command) };
    });
    return client;
  };
  return {
    where: `X-Ray (${settings.region ?? "default region"}, last ${SEARCH_HOURS} hours)`,
    async find(id, max) {
      const { x, send } = await xray();
      const end = new Date();
      const start = new Date(end.getTime() - SEARCH_HOURS * 3_600_000);
      const out = (await send(
        new x.GetTraceSummariesCommand({
          StartTime: start,
          EndTime: end,
          FilterExpression: xrayFilter(id),
        }),
      )) as Summaries;
      return (out.TraceSummaries ?? [])
        .sort((a, b) => (b.StartTime?.getTime() ?? 0) - (a.StartTime?.getTime() ?? 0))
        .flatMap((s) => (s.Id ? [s.Id] : []))
        .slice(0, max);
    },
    async get(traceId) {
      const { x, send } = await xray();
      const out = (await send(new x.BatchGetTracesCommand({ TraceIds: [traceId] }))) as Traces;
      const segments: StoredSegment[] = [];
      for (const s of out.Traces?.[0]?.Segments ?? []) {
        const doc = asSegmentDocument(JSON.parse(s.Document ?? "null"));
        if (doc) segments.push(...flattenSegment(doc, traceId));
      }
      return segments.length > 0 ? waterfall(traceId, segments) : undefined;
    },
  };
}
