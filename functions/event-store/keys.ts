/**
 * Key layout of the events table (coordinated with infra/): partition key `pk` (S), sort key
 * `sk` (S), global secondary index `gsi1` on `gsi1pk` (S) / `gsi1sk` (S).
 *
 * - commit:   pk = streamId,              sk = first version, zero-padded to 10 digits
 * - snapshot: pk = "snapshot#<streamId>", sk = version, zero-padded
 * Commits carry gsi1pk = "bucket#YYYY-MM-DDTHH" (hour of their first event) and
 * gsi1sk = "<occurredAt>#<eventId>" of their first event.
 */
import { EVENTS_TABLE_KEYS as TABLE } from "../../infra/tables.ts";

/** The table's key attribute names, flattened from the one definition in infra/tables.ts. */
export const EVENTS_TABLE_KEYS = {
  partitionKey: TABLE.partitionKey,
  sortKey: TABLE.sortKey,
  timeIndex: TABLE.timeIndex.name,
  timeIndexPartitionKey: TABLE.timeIndex.partitionKey,
  timeIndexSortKey: TABLE.timeIndex.sortKey,
} as const;

export const VERSION_WIDTH = 10;
export const MAX_VERSION = 10 ** VERSION_WIDTH - 1;

export function versionKey(version: number): string {
  if (!Number.isInteger(version) || version < 0 || version > MAX_VERSION) {
    throw new RangeError(
      `Stream version ${version} is out of range: an integer from 0 to ${MAX_VERSION} is allowed`,
    );
  }
  return String(version).padStart(VERSION_WIDTH, "0");
}

export const snapshotKey = (streamId: string) => `snapshot#${streamId}`;

/** The hour bucket of an ISO timestamp: "bucket#YYYY-MM-DDTHH". */
export function timeBucket(occurredAt: string): string {
  const d = new Date(occurredAt);
  if (Number.isNaN(d.getTime())) {
    throw new RangeError(`occurredAt ${JSON.stringify(occurredAt)} is not an ISO-8601 timestamp`);
  }
  return `bucket#${d.toISOString().slice(0, 13)}`;
}

/** Every hour bucket from `from` to `to` inclusive. */
export function bucketsBetween(from: string, to: string): string[] {
  const start = Date.parse(from);
  const end = Date.parse(to);
  const hour = 3_600_000;
  const out: string[] = [];
  for (let t = Math.floor(start / hour) * hour; t <= end; t += hour) {
    out.push(timeBucket(new Date(t).toISOString()));
  }
  return out;
}
