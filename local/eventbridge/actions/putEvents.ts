/**
 * PutEvents, validated like AWS: 1..10 entries, 256 KiB total, and per entry
 * InvalidArgument / MalformedDetail / unknown bus errors, while valid neighbours are accepted.
 */
import type { ActionContext, ActionHandler } from "../context.ts";
import { ValidationError } from "../errors.ts";
import { EventBridgeStore } from "../store.ts";
import type {
  EventEnvelope,
  PutEventsEntryInput,
  PutEventsResult,
  PutEventsResultEntry,
} from "../types.ts";
import { isoSeconds, toEpochMs } from "../validate.ts";

export const MAX_ENTRIES = 10;
export const MAX_REQUEST_BYTES = 256 * 1024;

const bytes = (s: unknown): number => (typeof s === "string" ? Buffer.byteLength(s, "utf8") : 0);

/** AWS's entry size: 14 bytes for Time, plus the UTF-8 sizes of Source, DetailType, Detail, Resources. */
export function entrySize(entry: PutEventsEntryInput): number {
  const resources = Array.isArray(entry.Resources)
    ? entry.Resources.reduce((n, r) => n + bytes(r), 0)
    : 0;
  return (
    (entry.Time === undefined ? 0 : 14) +
    bytes(entry.Source) +
    bytes(entry.DetailType) +
    bytes(entry.Detail) +
    resources
  );
}

const javaValue = (v: unknown): string =>
  v === undefined || v === null ? "null" : Array.isArray(v) ? `[${v.join(", ")}]` : String(v);

function javaList(entries: PutEventsEntryInput[]): string {
  const one = (e: PutEventsEntryInput) =>
    `PutEventsRequestEntry(Time=${javaValue(e.Time)}, Source=${javaValue(e.Source)}, Resources=${javaValue(e.Resources)}, DetailType=${javaValue(e.DetailType)}, Detail=${javaValue(e.Detail)}, EventBusName=${javaValue(e.EventBusName)}, TraceHeader=${javaValue(e.TraceHeader)})`;
  return `[${entries.map(one).join(", ")}]`;
}

const invalid = (field: string): PutEventsResultEntry => ({
  ErrorCode: "InvalidArgument",
  ErrorMessage: `Parameter ${field} is not valid. Reason: ${field} is a required argument.`,
});

function isJsonObjectText(text: string): boolean {
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === "object" && parsed !== null && !Array.isArray(parsed);
  } catch {
    return false;
  }
}

function acceptEntry(entry: PutEventsEntryInput, ctx: ActionContext): PutEventsResultEntry {
  const present = (v: unknown): v is string => typeof v === "string" && v !== "";
  if (!present(entry.Source)) return invalid("Source");
  if (!present(entry.DetailType)) return invalid("DetailType");
  if (!present(entry.Detail)) return invalid("Detail");
  if (!isJsonObjectText(entry.Detail))
    return { ErrorCode: "MalformedDetail", ErrorMessage: "Detail is malformed." };
  if (entry.Source.startsWith("aws.")) {
    return {
      ErrorCode: "NotAuthorizedForSourceException",
      ErrorMessage: "Not authorized for the source.",
    };
  }
  const busName = EventBridgeStore.busNameOf(entry.EventBusName);
  if (!ctx.store.buses.has(busName)) {
    return {
      ErrorCode: "ResourceNotFoundException",
      ErrorMessage: `Event bus ${busName} does not exist.`,
    };
  }
  const now = ctx.clock.now();
  const time = entry.Time instanceof Date ? entry.Time.getTime() : toEpochMs(entry.Time);
  const event: EventEnvelope = {
    version: "0",
    id: ctx.newId(),
    "detail-type": entry.DetailType,
    source: entry.Source,
    account: ctx.store.accountId,
    time: isoSeconds(time ?? now),
    region: ctx.store.region,
    resources: Array.isArray(entry.Resources) ? [...entry.Resources] : [],
    detail: JSON.parse(entry.Detail) as Record<string, unknown>,
  };
  ctx.engine.emit({ type: "accepted", busName, event });
  ctx.engine.publish(busName, event, { ingestedAt: now });
  return { EventId: event.id };
}

/** Shared by the API action and the in-process `putEvents`. */
export function putEventsEntries(entries: unknown, ctx: ActionContext): PutEventsResult {
  if (!Array.isArray(entries)) {
    throw new ValidationError(
      "1 validation error detected: Value null at 'entries' failed to satisfy constraint: Member must not be null",
    );
  }
  const list = entries as PutEventsEntryInput[];
  if (list.length < 1 || list.length > MAX_ENTRIES) {
    const constraint =
      list.length < 1
        ? "Member must have length greater than or equal to 1"
        : `Member must have length less than or equal to ${MAX_ENTRIES}`;
    throw new ValidationError(
      `1 validation error detected: Value '${javaList(list)}' at 'entries' failed to satisfy constraint: ${constraint}`,
    );
  }
  const total = list.reduce((n, e) => n + entrySize(e ?? {}), 0);
  if (total > ctx.maxRequestBytes) {
    throw new ValidationError("Total size of the entries in the request is over the limit.");
  }
  const results = list.map((entry) => acceptEntry(entry ?? {}, ctx));
  return {
    FailedEntryCount: results.filter((r) => r.ErrorCode !== undefined).length,
    Entries: results,
  };
}

export const putEvents: ActionHandler = (input, ctx) => putEventsEntries(input.Entries, ctx);
