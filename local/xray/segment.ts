/**
 * X-Ray segment documents, as the daemon receives them and `PutTraceSegments` takes them
 * (the fields the local trace store reads; everything else is kept as sent).
 */

export interface SegmentCause {
  readonly exceptions?: readonly { readonly message?: string; readonly type?: string }[];
}

export interface SegmentDocument {
  readonly id: string;
  readonly trace_id?: string;
  readonly parent_id?: string;
  /** "subsegment" for a subsegment sent on its own (it then has trace_id and parent_id). */
  readonly type?: string;
  readonly name: string;
  /** Epoch seconds. */
  readonly start_time: number;
  readonly end_time?: number;
  readonly in_progress?: boolean;
  /** e.g. AWS::Lambda::Function, AWS::SQS::Queue. */
  readonly origin?: string;
  /** "aws" for AWS calls, "remote" for other downstream calls. */
  readonly namespace?: string;
  readonly error?: boolean;
  readonly fault?: boolean;
  readonly throttle?: boolean;
  readonly cause?: SegmentCause | string;
  readonly annotations?: Readonly<Record<string, string | number | boolean>>;
  readonly metadata?: Readonly<Record<string, unknown>>;
  readonly aws?: Readonly<Record<string, unknown>>;
  readonly http?: Readonly<Record<string, unknown>>;
  readonly subsegments?: readonly SegmentDocument[];
}

/** A document kept in the store: flat (no nested subsegments), with its trace and parent. */
export interface StoredSegment extends Omit<SegmentDocument, "subsegments" | "trace_id"> {
  readonly trace_id: string;
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/** A parsed document if it has what a segment must have (id, name, start_time), else undefined. */
export function asSegmentDocument(value: unknown): SegmentDocument | undefined {
  if (!isObject(value)) return undefined;
  if (typeof value.id !== "string" || typeof value.name !== "string") return undefined;
  if (typeof value.start_time !== "number" || !Number.isFinite(value.start_time)) return undefined;
  return value as unknown as SegmentDocument;
}

/**
 * The document and its nested subsegments as flat stored segments: each nested one gets its
 * container as parent and the trace of the document. Undefined when the trace is unknown.
 */
export function flattenSegment(doc: SegmentDocument, traceId?: string): StoredSegment[] {
  const trace = doc.trace_id ?? traceId;
  if (!trace) return [];
  const { subsegments, ...own } = doc;
  const out: StoredSegment[] = [{ ...own, trace_id: trace }];
  for (const child of subsegments ?? []) {
    const sub = asSegmentDocument(child);
    if (sub) out.push(...flattenSegment({ ...sub, parent_id: doc.id }, trace));
  }
  return out;
}
