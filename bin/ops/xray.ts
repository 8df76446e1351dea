/**
 * Traces from X-Ray (docs/OPERATIONS.md "Traces"): GetTraceSummaries finds the traces annotated
 * with an event id, correlation id or incident id (the hops' and the functions' annotations),
 * BatchGetTraces reads their segment documents. The same calls read a deployed stack's X-Ray and
 * a local cloud's (its gateway serves both actions from its trace store, local/xray/api.ts).
 */
import { BatchGetTracesCommand, GetTraceSummariesCommand } from "@aws-sdk/client-xray";
import { asSegmentDocument, flattenSegment, type StoredSegment } from "../../local/xray/segment.ts";
import { waterfall } from "../../local/xray/waterfall.ts";
import type { AwsClients } from "./aws.ts";
import type { TraceSource } from "./trace.ts";

/** How far back X-Ray is searched (GetTraceSummaries takes at most 24 hours). */
const SEARCH_HOURS = 24;

/** The filter expression finding traces of an id (its annotations on the hops and records). */
export function xrayFilter(id: string): string {
  const quoted = JSON.stringify(id);
  return ["eventId", "correlationId", "incidentId"]
    .map((key) => `annotation.${key} = ${quoted}`)
    .join(" OR ");
}

/** A segment document as X-Ray returns it, flattened with its subsegments. */
function segmentsOf(document: string | undefined, traceId: string): StoredSegment[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(document ?? "null");
  } catch {
    return [];
  }
  const doc = asSegmentDocument(parsed);
  return doc ? flattenSegment(doc, traceId) : [];
}

export function xrayTraces(aws: AwsClients): TraceSource {
  return {
    where: `X-Ray at ${aws.describe("XRAY")}, last ${SEARCH_HOURS} hours`,
    async find(id, max) {
      const end = new Date();
      const start = new Date(end.getTime() - SEARCH_HOURS * 3_600_000);
      const found: { Id?: string; StartTime?: Date }[] = [];
      let NextToken: string | undefined;
      do {
        const page = await aws.xray.send(
          new GetTraceSummariesCommand({
            StartTime: start,
            EndTime: end,
            FilterExpression: xrayFilter(id),
            ...(NextToken ? { NextToken } : {}),
          }),
        );
        found.push(...(page.TraceSummaries ?? []));
        NextToken = page.NextToken;
      } while (NextToken && found.length < 1000);
      return found
        .sort((a, b) => (b.StartTime?.getTime() ?? 0) - (a.StartTime?.getTime() ?? 0))
        .flatMap((s) => (s.Id ? [s.Id] : []))
        .slice(0, max);
    },
    async get(traceId) {
      const out = await aws.xray.send(new BatchGetTracesCommand({ TraceIds: [traceId] }));
      const segments = (out.Traces?.[0]?.Segments ?? []).flatMap((s) =>
        segmentsOf(s.Document, traceId),
      );
      return segments.length > 0 ? waterfall(traceId, segments) : undefined;
    },
    close: () => aws.destroy(),
  };
}
