/**
 * X-Ray trace headers and ids, as AWS writes them: `Root=1-<8 hex epoch s>-<24 hex>;
 * Parent=<16 hex>;Sampled=0|1` (the `X-Amzn-Trace-Id` HTTP header, PutEvents' `TraceHeader`,
 * SQS' `AWSTraceHeader` system attribute and Lambda's `_X_AMZN_TRACE_ID`). See docs/OPERATIONS.md
 * "Traces".
 */
import { randomBytes } from "node:crypto";

export interface TraceHeader {
  /** `1-<8 hex>-<24 hex>`. */
  readonly root: string;
  /** The id of the segment the work continues from, when there is one. */
  readonly parent?: string;
  /** The root's sampling decision: false means no segment of this trace is recorded. */
  readonly sampled: boolean;
}

const ROOT = /^1-[0-9a-f]{8}-[0-9a-f]{24}$/;
const SEGMENT_ID = /^[0-9a-f]{16}$/;

/** The header's fields, or undefined when it names no valid root (then it is ignored, as AWS does). */
export function parseTraceHeader(text: string | undefined): TraceHeader | undefined {
  if (text === undefined || text.length > 2000) return undefined;
  let root: string | undefined;
  let parent: string | undefined;
  let sampled = false;
  for (const part of text.split(";")) {
    const eq = part.indexOf("=");
    const key = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (key === "Root") root = value;
    else if (key === "Parent") parent = value;
    else if (key === "Sampled") sampled = value === "1";
  }
  if (!root || !ROOT.test(root)) return undefined;
  return { root, sampled, ...(parent && SEGMENT_ID.test(parent) ? { parent } : {}) };
}

export function formatTraceHeader(header: TraceHeader): string {
  const parent = header.parent ? `;Parent=${header.parent}` : "";
  return `Root=${header.root}${parent};Sampled=${header.sampled ? "1" : "0"}`;
}

/** A new trace id: the epoch second it starts, then 96 random bits. */
export function newTraceId(nowMs: number = Date.now()): string {
  const seconds = Math.floor(nowMs / 1000)
    .toString(16)
    .padStart(8, "0");
  return `1-${seconds}-${randomBytes(12).toString("hex")}`;
}

/** A new segment id: 64 random bits. */
export function newSegmentId(): string {
  return randomBytes(8).toString("hex");
}

/** True when `id` looks like a trace id (`1-…-…`), false for anything else (e.g. an event id). */
export function isTraceId(id: string): boolean {
  return ROOT.test(id);
}
