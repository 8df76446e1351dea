/**
 * PutEvents limits and the publisher's retry policy, as pure functions (no AWS calls).
 */

/** At most 10 entries per PutEvents request. */
export const MAX_PUTEVENTS_ENTRIES = 10;
/** At most 256 KiB per PutEvents request (entry sizes added up as AWS computes them). */
export const MAX_PUTEVENTS_BYTES = 256 * 1024;

/** The fields of a PutEvents entry that count towards the size limit. */
export interface SizedEntry {
  readonly Time?: Date | undefined;
  readonly Source?: string | undefined;
  readonly DetailType?: string | undefined;
  readonly Detail?: string | undefined;
  readonly Resources?: readonly string[] | undefined;
}

const utf8 = (s: string | undefined): number =>
  s === undefined ? 0 : Buffer.byteLength(s, "utf8");

/**
 * An entry's size as AWS computes it ("Calculating PutEvents event entry size"): 14 bytes for
 * Time when present, plus the UTF-8 bytes of Source, DetailType, Detail and each Resource.
 */
export function putEventsEntrySize(entry: SizedEntry): number {
  let size = entry.Time === undefined ? 0 : 14;
  size += utf8(entry.Source) + utf8(entry.DetailType) + utf8(entry.Detail);
  for (const r of entry.Resources ?? []) size += utf8(r);
  return size;
}

/**
 * Splits items, in order, into requests of at most `maxEntries` entries whose sizes add up to at
 * most `maxBytes`. An item larger than `maxBytes` on its own gets a request of its own (the
 * caller rejects such items before sending).
 */
export function batchEntries<T>(
  items: readonly T[],
  entryOf: (item: T) => SizedEntry,
  maxEntries = MAX_PUTEVENTS_ENTRIES,
  maxBytes = MAX_PUTEVENTS_BYTES,
): T[][] {
  const batches: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const item of items) {
    const size = putEventsEntrySize(entryOf(item));
    if (current.length > 0 && (current.length >= maxEntries || bytes + size > maxBytes)) {
      batches.push(current);
      current = [];
      bytes = 0;
    }
    current.push(item);
    bytes += size;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}

export interface RetryPolicy {
  /** Attempts in all, the first included. */
  readonly maxAttempts: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
}

/**
 * Exponential backoff with full jitter before retry number `retry` (1 for the first retry):
 * `random() × min(maxDelayMs, baseDelayMs × 2^(retry-1))` (events/backoff.ts).
 */
export { fullJitterDelayMs as backoffDelayMs } from "./backoff.ts";

/** Per-entry error codes that a retry cannot fix. Others (InternalFailure, ThrottlingException…) are retried. */
export const PERMANENT_ENTRY_ERRORS: ReadonlySet<string> = new Set([
  "MalformedDetail",
  "InvalidArgument",
  "ValidationException",
  "AccessDeniedException",
  "NotAuthorizedForSourceException",
  "NotAuthorizedForDetailTypeException",
  "ResourceNotFoundException",
]);

export function isPermanentEntryError(code: string): boolean {
  return PERMANENT_ENTRY_ERRORS.has(code);
}

const RETRYABLE_CALL_ERRORS: ReadonlySet<string> = new Set([
  "ThrottlingException",
  "Throttling",
  "TooManyRequestsException",
  "LimitExceededException",
  "RequestLimitExceeded",
  "InternalException",
  "InternalFailure",
  "InternalServerError",
  "ServiceUnavailable",
  "ServiceUnavailableException",
  "RequestTimeout",
  "RequestTimeoutException",
  "TimeoutError",
]);

interface SdkErrorShape {
  readonly name?: unknown;
  readonly code?: unknown;
  readonly $retryable?: unknown;
  readonly $metadata?: { readonly httpStatusCode?: number };
}

/** The error's AWS code (its name for SDK exceptions). */
export function errorCodeOf(error: unknown): string {
  const e = (typeof error === "object" && error !== null ? error : {}) as SdkErrorShape;
  if (typeof e.name === "string" && e.name !== "Error") return e.name;
  if (typeof e.code === "string") return e.code;
  return "UnknownError";
}

/**
 * Should a failed PutEvents call be retried as a whole? Throttling, 429 and 5xx, errors the SDK
 * marks retryable, and network errors (no HTTP response). Other 4xx (validation, access, bus
 * not found) are not.
 */
export function isRetryableCallError(error: unknown): boolean {
  const e = (typeof error === "object" && error !== null ? error : {}) as SdkErrorShape;
  if (e.$retryable) return true;
  if (RETRYABLE_CALL_ERRORS.has(errorCodeOf(error))) return true;
  const status = e.$metadata?.httpStatusCode;
  if (status !== undefined) return status === 429 || status >= 500;
  // no HTTP status: the request never got an answer (connection refused, reset, DNS…)
  return true;
}
