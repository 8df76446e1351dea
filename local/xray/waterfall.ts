/**
 * A trace as a waterfall: its segments and subsegments in tree order (each under its parent,
 * siblings by start time), with offsets from the trace's start, for the console's Traces tab and
 * `buzzville trace` (docs/OPERATIONS.md "Traces"). Works on the local store's segments and on
 * X-Ray's BatchGetTraces documents alike.
 */
import type { SegmentCause, StoredSegment } from "./segment.ts";

export interface WaterfallRow {
  readonly id: string;
  readonly parentId?: string;
  readonly depth: number;
  /** e.g. "DynamoDB PutItem", "record ### FireAlarm", "city-bus". */
  readonly name: string;
  /** AWS::Events, AWS::SQS::Queue, AWS::Pipes::Pipe, AWS::Lambda::Function, or "aws"/"remote" for calls. */
  readonly origin: string;
  /** Offset from the trace's start, ms. */
  readonly startMs: number;
  readonly durationMs: number;
  readonly error: boolean;
  readonly fault: boolean;
  readonly throttle: boolean;
  readonly timedOut: boolean;
  readonly inProgress: boolean;
  readonly cause?: string;
  readonly annotations?: Readonly<Record<string, string | number | boolean>>;
}

export interface TraceView {
  readonly traceId: string;
  /** Epoch ms. */
  readonly start: number;
  readonly durationMs: number;
  readonly rows: readonly WaterfallRow[];
  readonly errors: number;
  readonly faults: number;
}

const round = (ms: number) => Math.round(ms * 10) / 10;

function causeOf(cause: SegmentCause | string | undefined): string | undefined {
  if (cause === undefined) return undefined;
  if (typeof cause === "string") return `exception ${cause}`;
  const first = cause.exceptions?.[0];
  return first ? [first.type, first.message].filter(Boolean).join(": ") : undefined;
}

function nameOf(s: StoredSegment): string {
  const operation = s.aws?.operation;
  return typeof operation === "string" && !s.name.includes(operation)
    ? `${s.name} ${operation}`
    : s.name;
}

export function waterfall(traceId: string, segments: readonly StoredSegment[]): TraceView {
  const byId = new Map(segments.map((s) => [s.id, s]));
  const children = new Map<string | undefined, StoredSegment[]>();
  for (const s of segments) {
    const parent = s.parent_id !== undefined && byId.has(s.parent_id) ? s.parent_id : undefined;
    const list = children.get(parent) ?? [];
    list.push(s);
    children.set(parent, list);
  }
  for (const list of children.values()) list.sort((a, b) => a.start_time - b.start_time);
  const start = Math.min(...segments.map((s) => s.start_time));
  const end = Math.max(...segments.map((s) => s.end_time ?? s.start_time));
  const rows: WaterfallRow[] = [];
  const visit = (s: StoredSegment, depth: number) => {
    const cause = causeOf(s.cause);
    rows.push({
      id: s.id,
      ...(s.parent_id !== undefined ? { parentId: s.parent_id } : {}),
      depth,
      name: nameOf(s),
      origin: s.origin ?? s.namespace ?? (s.type === "subsegment" ? "subsegment" : "segment"),
      startMs: round((s.start_time - start) * 1000),
      durationMs: round(((s.end_time ?? s.start_time) - s.start_time) * 1000),
      error: s.error === true,
      fault: s.fault === true,
      throttle: s.throttle === true,
      timedOut: s.annotations?.timedOut === true || /timed? ?out/i.test(cause ?? ""),
      inProgress: s.in_progress === true,
      ...(cause ? { cause } : {}),
      ...(s.annotations ? { annotations: s.annotations } : {}),
    });
    for (const child of children.get(s.id) ?? []) visit(child, depth + 1);
  };
  for (const root of children.get(undefined) ?? []) visit(root, 0);
  return {
    traceId,
    start: Math.round(start * 1000),
    durationMs: round((end - start) * 1000),
    rows,
    errors: rows.filter((r) => r.error).length,
    faults: rows.filter((r) => r.fault).length,
  };
}

/** The waterfall as terminal lines: offset, a bar on a `width`-column time axis, the tree. */
export function renderWaterfall(view: TraceView, width = 32): string {
  const scale = view.durationMs > 0 ? width / view.durationMs : 0;
  const lines = [
    `trace ${view.traceId}  ${new Date(view.start).toISOString()}  ${view.durationMs} ms  ${view.rows.length} spans${view.faults + view.errors > 0 ? `  (${view.faults} faults, ${view.errors} errors)` : ""}`,
  ];
  for (const r of view.rows) {
    const from = Math.min(width - 1, Math.floor(r.startMs * scale));
    const len = Math.max(1, Math.min(width - from, Math.round(r.durationMs * scale)));
    const bar = `${" ".repeat(from)}${(r.fault || r.error ? "!" : "#").repeat(len)}`.padEnd(width);
    const mark = r.timedOut
      ? "  TIMED OUT"
      : r.fault || r.error
        ? `  ${r.fault ? "FAULT" : "ERROR"}${r.cause ? `: ${r.cause}` : ""}`
        : r.inProgress
          ? "  (in progress)"
          : "";
    const offset = `${r.startMs.toFixed(1)}`.padStart(8);
    const took = `${r.durationMs.toFixed(1)} ms`.padStart(10);
    lines.push(`${offset} |${bar}| ${took}  ${"  ".repeat(r.depth)}${r.name} (${r.origin})${mark}`);
  }
  return `${lines.join("\n")}\n`;
}
