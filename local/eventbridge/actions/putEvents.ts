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
import { parseDetail } from "./detail.ts";

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

/** Longest text of one field shown in an error: errors never echo payloads. */
const MAX_SHOWN = 64;

// Objects and arrays as JSON: a parsed object may carry its own "toString" key (String() throws).
const javaValue = (v: unknown): string => {
  const text =
    v === undefined || v === null
      ? "null"
      : typeof v === "object"
        ? (JSON.stringify(v) ?? "null")
        : String(v);
  return text.length > MAX_SHOWN ? `${text.slice(0, MAX_SHOWN)}…` : text;
};

/** AWS's rendering of the entries in a validation error, Details reduced to their size. */
function javaList(entries: PutEventsEntryInput[]): string {
  const one = (e: PutEventsEntryInput) =>
    `PutEventsRequestEntry(Time=${javaValue(e.Time)}, Source=${javaValue(e.Source)}, Resources=${javaValue(e.Resources)}, DetailType=${javaValue(e.DetailType)}, Detail=${e.Detail === undefined ? "null" : `<${bytes(e.Detail)} bytes>`}, EventBusName=${javaValue(e.EventBusName)}, TraceHeader=${javaValue(e.TraceHeader)})`;
  const shown = entries.slice(0, MAX_ENTRIES + 1).map((e) => one(e ?? {}));
  return `[${shown.join(", ")}${entries.length > shown.length ? ", …" : ""}]`;
}

const invalid = (field: string): PutEventsResultEntry => ({
  ErrorCode: "InvalidArgument",
  ErrorMessage: `Parameter ${field} is not valid. Reason: ${field} is a required argument.`,
});

const wrongType = (field: string, allowed: string): PutEventsResultEntry => ({
  ErrorCode: "InvalidArgument",
  ErrorMessage: `Parameter ${field} is not valid. Reason: ${field} must be ${allowed}.`,
});

/** Optional fields of the wrong JSON type (raw requests; the SDKs never send them). */
function badOptional(entry: PutEventsEntryInput): PutEventsResultEntry | undefined {
  const resources: unknown = entry.Resources;
  if (
    resources !== undefined &&
    resources !== null &&
    (!Array.isArray(resources) || resources.some((r) => typeof r !== "string"))
  ) {
    return wrongType("Resources", "a list of strings");
  }
  const bus: unknown = entry.EventBusName;
  if (bus !== undefined && bus !== null && typeof bus !== "string") {
    return wrongType("EventBusName", "a string");
  }
  const time: unknown = entry.Time;
  if (time !== undefined && time !== null) {
    const ms = time instanceof Date ? time.getTime() : toEpochMs(time);
    if (ms === undefined || Number.isNaN(new Date(ms).getTime())) {
      return wrongType("Time", "a valid timestamp (epoch seconds)");
    }
  }
  return undefined;
}

/** An entry ready to publish, or its failure: nothing is published before all are checked. */
type Checked =
  | {
      readonly ok: true;
      readonly busName: string;
      readonly event: EventEnvelope;
      readonly traceHeader?: string;
    }
  | { readonly ok: false; readonly result: PutEventsResultEntry };

function checkEntry(entry: PutEventsEntryInput, ctx: ActionContext, now: number): Checked {
  const failed = (result: PutEventsResultEntry): Checked => ({ ok: false, result });
  const present = (v: unknown): v is string => typeof v === "string" && v !== "";
  if (!present(entry.Source)) return failed(invalid("Source"));
  if (!present(entry.DetailType)) return failed(invalid("DetailType"));
  if (!present(entry.Detail)) return failed(invalid("Detail"));
  const wrong = badOptional(entry);
  if (wrong) return failed(wrong);
  const parsed = parseDetail(entry.Detail);
  if ("failure" in parsed) return failed(parsed.failure);
  if (entry.Source.startsWith("aws.")) {
    return failed({
      ErrorCode: "NotAuthorizedForSourceException",
      ErrorMessage: "Not authorized for the source.",
    });
  }
  const busName = EventBridgeStore.busNameOf(entry.EventBusName);
  if (!ctx.store.buses.has(busName)) {
    return failed({
      ErrorCode: "ResourceNotFoundException",
      ErrorMessage: `Event bus ${busName.slice(0, 256)} does not exist.`,
    });
  }
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
    detail: parsed.detail,
  };
  const traceHeader = typeof entry.TraceHeader === "string" ? entry.TraceHeader : undefined;
  return { ok: true, busName, event, ...(traceHeader ? { traceHeader } : {}) };
}

/** Publishes one checked entry; a failure stays this entry's own (AWS's InternalFailure). */
function publishEntry(checked: Checked, ctx: ActionContext, now: number): PutEventsResultEntry {
  if (!checked.ok) return checked.result;
  const { busName, event, traceHeader } = checked;
  try {
    ctx.engine.emit({ type: "accepted", busName, event });
    ctx.engine.publish(busName, event, {
      ingestedAt: now,
      ...(traceHeader ? { traceHeader } : {}),
    });
    return { EventId: event.id };
  } catch {
    return { ErrorCode: "InternalFailure", ErrorMessage: "The event could not be published." };
  }
}

/** An entry that is not a JSON object is treated as an empty one (each field then missing). */
const asEntry = (e: unknown): PutEventsEntryInput =>
  typeof e === "object" && e !== null && !Array.isArray(e) ? (e as PutEventsEntryInput) : {};

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
  const total = list.reduce((n, e) => n + entrySize(asEntry(e)), 0);
  if (total > ctx.maxRequestBytes) {
    throw new ValidationError("Total size of the entries in the request is over the limit.");
  }
  const now = ctx.clock.now();
  const checked = list.map((entry) => checkEntry(asEntry(entry), ctx, now));
  const results = checked.map((c) => publishEntry(c, ctx, now));
  return {
    FailedEntryCount: results.filter((r) => r.ErrorCode !== undefined).length,
    Entries: results,
  };
}

export const putEvents: ActionHandler = (input, ctx) => putEventsEntries(input.Entries, ctx);
