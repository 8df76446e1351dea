/**
 * The local cloud's X-Ray API (REST-JSON, docs/LOCAL.md "X-Ray"): GetTraceSummaries
 * (`POST /TraceSummaries`) and BatchGetTraces (`POST /Traces`) served from the trace store, with
 * X-Ray's response shapes, so `buzzville trace` reads a local cloud with the code it uses on AWS.
 * Timestamps are epoch seconds, as X-Ray's REST-JSON protocol sends them.
 */
import type { RestJsonService, ServiceResponse } from "../gateway/ports.ts";
import { FilterExpressionError, type FilterTerm, matchesFilter, parseFilter } from "./filter.ts";
import type { StoredSegment } from "./segment.ts";
import { SEARCH_ANNOTATIONS, type TraceStore, type TraceSummary } from "./store.ts";

/** The actions served, by their REST path. */
export const XRAY_ACTIONS: Readonly<Record<string, string>> = {
  "/TraceSummaries": "GetTraceSummaries",
  "/Traces": "BatchGetTraces",
};

/** X-Ray's own limits: 5 trace ids per BatchGetTraces, a 24-hour window per GetTraceSummaries. */
const MAX_TRACE_IDS = 5;
const MAX_WINDOW_S = 24 * 3600;
const PAGE_SIZE = 100;
const MAX_FILTER_LENGTH = 2000;

class InvalidRequest extends Error {
  override readonly name = "InvalidRequestException";
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

const answer = (status: number, body: unknown, error?: string): ServiceResponse => ({
  status,
  body: JSON.stringify(body),
  headers: error ? { "x-amzn-ErrorType": error } : {},
});

export function xrayApi(store: TraceStore, now: () => number = Date.now): RestJsonService {
  return {
    async handle({ method, path, body }) {
      const action = XRAY_ACTIONS[path];
      if (method !== "POST" || !action) {
        return answer(
          400,
          {
            message: `The Buzz Ville local cloud's X-Ray serves ${Object.entries(XRAY_ACTIONS)
              .map(([p, a]) => `${a} (POST ${p})`)
              .join(" and ")}, not ${method} ${path.slice(0, 100)}.`,
          },
          "UnknownOperationException",
        );
      }
      try {
        const input = parseInput(body);
        return answer(
          200,
          action === "BatchGetTraces" ? batchGetTraces(store, input) : summaries(store, input, now),
        );
      } catch (error) {
        if (error instanceof InvalidRequest || error instanceof FilterExpressionError) {
          return answer(400, { message: error.message }, "InvalidRequestException");
        }
        throw error;
      }
    },
  };
}

function parseInput(body: string): Record<string, unknown> {
  let input: unknown;
  try {
    input = body.trim() === "" ? {} : JSON.parse(body);
  } catch {
    throw new InvalidRequest("The request body is not valid JSON.");
  }
  if (!isObject(input)) throw new InvalidRequest("The request body must be a JSON object.");
  return input;
}

/** An epoch-seconds timestamp parameter (X-Ray's REST-JSON sends numbers). */
function timestamp(input: Record<string, unknown>, name: string): number {
  const value = input[name];
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
    throw new InvalidRequest(
      `${name} is required: a timestamp in epoch seconds, got ${JSON.stringify(value)?.slice(0, 80) ?? "none"}.`,
    );
  }
  return value;
}

function optionalString(input: Record<string, unknown>, name: string, max: number) {
  const value = input[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string" || value.length > max) {
    throw new InvalidRequest(`${name} must be a string of at most ${max} characters.`);
  }
  return value;
}

/** NextToken of GetTraceSummaries: the offset of the next page, as issued by this API. */
function pageOffset(token: string | undefined): number {
  if (token === undefined) return 0;
  const offset = /^page-(\d{1,7})$/.exec(token)?.[1];
  if (offset === undefined) throw new InvalidRequest("NextToken is not one this API issued.");
  return Number(offset);
}

function summaries(store: TraceStore, input: Record<string, unknown>, now: () => number) {
  const start = timestamp(input, "StartTime");
  const end = timestamp(input, "EndTime");
  if (end < start) throw new InvalidRequest("EndTime must not be before StartTime.");
  if (end - start > MAX_WINDOW_S) {
    throw new InvalidRequest("The time range between StartTime and EndTime is at most 24 hours.");
  }
  const sampling = input.Sampling;
  if (sampling !== undefined && sampling !== null && typeof sampling !== "boolean") {
    throw new InvalidRequest("Sampling must be a boolean.");
  }
  const filter = optionalString(input, "FilterExpression", MAX_FILTER_LENGTH);
  const terms = filter === undefined || filter.trim() === "" ? undefined : parseFilter(filter);
  const offset = pageOffset(optionalString(input, "NextToken", 100));
  const inRange = candidates(store, terms).filter(
    (t) => t.start >= start * 1000 && t.start <= end * 1000,
  );
  const matching = inRange.flatMap((t) => {
    const segments = store.get(t.traceId) ?? [];
    return !terms || matchesFilter(terms, t.traceId, segments) ? [summaryOf(t, segments)] : [];
  });
  const page = matching.slice(offset, offset + PAGE_SIZE);
  const next = offset + PAGE_SIZE < matching.length ? `page-${offset + PAGE_SIZE}` : undefined;
  return {
    TraceSummaries: page,
    ApproximateTime: Math.floor(now() / 1000),
    TracesProcessedCount: inRange.length,
    ...(next ? { NextToken: next } : {}),
  };
}

/**
 * The traces a filter may match, most recently updated first: through the store's index when
 * every term is a trace id or a searchable annotation (what `buzzville trace` sends), else all.
 */
function candidates(store: TraceStore, terms: readonly FilterTerm[] | undefined): TraceSummary[] {
  const all = Number.MAX_SAFE_INTEGER;
  // The store's search trims its query and ignores an empty one: such values are scanned for.
  const indexed = (t: FilterTerm) =>
    t.value !== "" &&
    t.value === t.value.trim() &&
    (t.kind === "id" || (SEARCH_ANNOTATIONS as readonly string[]).includes(t.key));
  if (!terms?.every(indexed)) return store.search(undefined, all);
  const found = new Map<string, TraceSummary>();
  for (const term of terms) {
    for (const t of store.search(term.value, all)) found.set(t.traceId, t);
  }
  return [...found.values()];
}

type AnnotationValue =
  | { NumberValue: number }
  | { BooleanValue: boolean }
  | { StringValue: string };

const annotationValue = (v: string | number | boolean): AnnotationValue =>
  typeof v === "number"
    ? { NumberValue: v }
    : typeof v === "boolean"
      ? { BooleanValue: v }
      : { StringValue: v };

/** A TraceSummary as X-Ray shapes it, with the annotations of all the trace's segments. */
function summaryOf(t: TraceSummary, segments: readonly StoredSegment[]) {
  const annotations = new Map<string, Map<string, AnnotationValue>>();
  for (const s of segments) {
    for (const [key, value] of Object.entries(s.annotations ?? {})) {
      const values = annotations.get(key) ?? new Map<string, AnnotationValue>();
      values.set(JSON.stringify(value), annotationValue(value));
      annotations.set(key, values);
    }
  }
  return {
    Id: t.traceId,
    StartTime: t.start / 1000,
    Duration: t.durationMs / 1000,
    ResponseTime: t.durationMs / 1000,
    HasFault: t.faults > 0,
    HasError: t.errors > 0,
    HasThrottle: segments.some((s) => s.throttle === true),
    IsPartial: segments.some((s) => s.in_progress === true),
    Annotations: Object.fromEntries(
      [...annotations].map(([key, values]) => [
        key,
        [...values.values()].map((AnnotationValue) => ({ AnnotationValue })),
      ]),
    ),
  };
}

function traceIds(input: Record<string, unknown>): string[] {
  const ids = input.TraceIds;
  if (!Array.isArray(ids) || ids.length === 0 || ids.length > MAX_TRACE_IDS) {
    throw new InvalidRequest(
      `TraceIds must be a list of 1 to ${MAX_TRACE_IDS} trace ids, got ${Array.isArray(ids) ? `${ids.length} ids` : (JSON.stringify(ids)?.slice(0, 80) ?? "none")}.`,
    );
  }
  return ids.map((id, i) => {
    if (typeof id !== "string" || id.length === 0 || id.length > 100) {
      throw new InvalidRequest(
        `TraceIds[${i}] must be a trace id (a string of 1 to 100 characters).`,
      );
    }
    return id;
  });
}

/**
 * BatchGetTraces: each kept trace with one document per stored segment (a subsegment is its own
 * document, with its parent_id and trace_id); unknown ids in UnprocessedTraceIds.
 */
function batchGetTraces(store: TraceStore, input: Record<string, unknown>) {
  const ids = traceIds(input);
  optionalString(input, "NextToken", 100);
  const traces = [];
  const unprocessed: string[] = [];
  for (const id of new Set(ids)) {
    const segments = store.get(id);
    if (!segments) {
      unprocessed.push(id);
      continue;
    }
    const starts = segments.map((s) => s.start_time);
    const ends = segments.map((s) => s.end_time ?? s.start_time);
    traces.push({
      Id: id,
      Duration: Math.max(...ends) - Math.min(...starts),
      LimitExceeded: false,
      Segments: segments.map((s) => ({ Id: s.id, Document: JSON.stringify(s) })),
    });
  }
  return { Traces: traces, UnprocessedTraceIds: unprocessed };
}
