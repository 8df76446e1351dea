/**
 * The local cloud's trace store: the segments of recent traces, in bounded memory. A trace is
 * kept while it is among the `maxTraces` most recently updated and the store holds at most
 * `maxSegments` segments in all: adding past either cap drops the least recently updated
 * traces whole (docs/OPERATIONS.md "Traces"). Searchable by trace id and by the annotations
 * `eventId`, `correlationId` and `incidentId`.
 */
import { flattenSegment, type SegmentDocument, type StoredSegment } from "./segment.ts";

export interface TraceStoreOptions {
  /** Traces kept at most. @default 1000 */
  readonly maxTraces?: number;
  /** Segments kept at most, all traces together. @default 50000 */
  readonly maxSegments?: number;
  /** Segments of one trace at most; later ones are dropped (counted). @default 2000 */
  readonly maxSegmentsPerTrace?: number;
}

/** Annotations a trace can be found by (set by the local cloud's hops and the functions' kit). */
export const SEARCH_ANNOTATIONS = ["eventId", "correlationId", "incidentId"] as const;

interface Trace {
  readonly id: string;
  readonly segments: Map<string, StoredSegment>;
  readonly keys: Set<string>;
}

export interface TraceSummary {
  readonly traceId: string;
  /** Epoch ms of the earliest segment. */
  readonly start: number;
  /** Earliest start to latest end, ms. */
  readonly durationMs: number;
  /** The root segment's name (or the earliest segment's). */
  readonly name: string;
  /** The event type and event id the root was annotated with (a bus's span), when it was. */
  readonly detailType?: string;
  readonly eventId?: string;
  readonly segments: number;
  readonly errors: number;
  readonly faults: number;
  /** Values of the search annotations seen in the trace (event ids, correlation ids…). */
  readonly keys: readonly string[];
}

export interface TraceStoreStats {
  readonly traces: number;
  readonly segments: number;
  /** Traces dropped to keep within the caps. */
  readonly evicted: number;
  /** Segments refused: unreadable, or past a trace's own cap. */
  readonly rejected: number;
}

export class TraceStore {
  private readonly traces = new Map<string, Trace>();
  private segmentCount = 0;
  private evicted = 0;
  private rejected = 0;
  private readonly maxTraces: number;
  private readonly maxSegments: number;
  private readonly maxPerTrace: number;

  constructor(options: TraceStoreOptions = {}) {
    this.maxTraces = Math.max(1, options.maxTraces ?? 1000);
    this.maxSegments = Math.max(1, options.maxSegments ?? 50_000);
    this.maxPerTrace = Math.max(1, options.maxSegmentsPerTrace ?? 2000);
  }

  /** Keeps a document (and its nested subsegments); a later document with the same id replaces it. */
  add(doc: SegmentDocument): void {
    const flat = flattenSegment(doc);
    if (flat.length === 0) {
      this.rejected++;
      return;
    }
    for (const segment of flat) this.keep(segment);
    this.evict();
  }

  private keep(segment: StoredSegment): void {
    let trace = this.traces.get(segment.trace_id);
    if (trace) this.traces.delete(segment.trace_id); // re-inserted last: most recently updated
    trace ??= { id: segment.trace_id, segments: new Map(), keys: new Set() };
    this.traces.set(trace.id, trace);
    const known = trace.segments.has(segment.id);
    if (!known && trace.segments.size >= this.maxPerTrace) {
      this.rejected++;
      return;
    }
    // A complete document wins over an in-progress one sent earlier (or later, out of order).
    const previous = trace.segments.get(segment.id);
    if (previous && !previous.in_progress && segment.in_progress) return;
    trace.segments.set(segment.id, segment);
    if (!known) this.segmentCount++;
    for (const key of SEARCH_ANNOTATIONS) {
      const value = segment.annotations?.[key];
      if (typeof value === "string" && value !== "") trace.keys.add(value);
    }
  }

  private evict(): void {
    while (this.traces.size > this.maxTraces || this.segmentCount > this.maxSegments) {
      const oldest = this.traces.values().next().value;
      if (!oldest) return;
      this.traces.delete(oldest.id);
      this.segmentCount -= oldest.segments.size;
      this.evicted++;
    }
  }

  /** The segments of a trace (flat, each with its parent_id), or undefined if not kept. */
  get(traceId: string): StoredSegment[] | undefined {
    const trace = this.traces.get(traceId);
    return trace ? [...trace.segments.values()] : undefined;
  }

  /**
   * Summaries of the kept traces, most recently updated first: all of them, or those whose id
   * or search annotations (event id, correlation id, incident id) equal `query`.
   */
  search(query?: string, limit = 50): TraceSummary[] {
    const out: TraceSummary[] = [];
    const wanted = query?.trim();
    for (const trace of [...this.traces.values()].reverse()) {
      if (!wanted && out.length >= limit) break;
      if (wanted && trace.id !== wanted && !trace.keys.has(wanted)) continue;
      out.push(summarize(trace));
    }
    if (!wanted) return out;
    // An event's own trace (it is the root's event) before the traces it only passed through,
    // ranked before the limit applies (a stable sort keeps most recent first within a rank).
    return out.sort((a, b) => rank(a, wanted) - rank(b, wanted)).slice(0, limit);
  }

  stats(): TraceStoreStats {
    return {
      traces: this.traces.size,
      segments: this.segmentCount,
      evicted: this.evicted,
      rejected: this.rejected,
    };
  }
}

const rank = (t: TraceSummary, id: string): number => (t.eventId === id ? 0 : 1);

function summarize(trace: Trace): TraceSummary {
  let start = Number.POSITIVE_INFINITY;
  let end = 0;
  let errors = 0;
  let faults = 0;
  let root: StoredSegment | undefined;
  for (const s of trace.segments.values()) {
    start = Math.min(start, s.start_time);
    end = Math.max(end, s.end_time ?? s.start_time);
    if (s.error) errors++;
    if (s.fault) faults++;
    const isRoot = s.parent_id === undefined || !trace.segments.has(s.parent_id);
    if (isRoot && (!root || s.start_time < root.start_time)) root = s;
  }
  return {
    traceId: trace.id,
    start: Math.round(start * 1000),
    durationMs: Math.round((end - start) * 1000 * 10) / 10,
    name: root?.name ?? "",
    ...(typeof root?.annotations?.detailType === "string"
      ? { detailType: root.annotations.detailType }
      : {}),
    ...(typeof root?.annotations?.eventId === "string"
      ? { eventId: root.annotations.eventId }
      : {}),
    segments: trace.segments.size,
    errors,
    faults,
    keys: [...trace.keys],
  };
}
