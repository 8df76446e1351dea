import type { CityEvent } from "./envelope.ts";

/**
 * Errors of the events area. Every error says what went wrong, why, and what is allowed,
 * with the offending value.
 */

/** Base class of every error thrown by `events/`. */
export class CityEventError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "CityEventError";
  }
}

/** One broken rule of one event. */
export interface EventProblem {
  /** Position in the batch, when the event was one of several drafts. */
  readonly index?: number;
  /** The detail-type, as given (may be unknown). */
  readonly eventType: string;
  /** Dotted field path, e.g. `location.zone` or `zones[1]`; `""` for the whole payload. */
  readonly path: string;
  /** The broken rule and what is allowed, with the value received. */
  readonly rule: string;
}

/** `WeatherAlertIssued.level: expected one of yellow|orange|red, got "purple"`. */
export function formatProblem(p: EventProblem): string {
  const where = p.path === "" ? p.eventType : `${p.eventType}.${p.path}`;
  const prefix = p.index === undefined ? "" : `draft #${p.index} `;
  return `${prefix}${where}: ${p.rule}`;
}

/** An event failed validation (unknown type, missing field, broken rule…). */
export class InvalidEventError extends CityEventError {
  readonly problems: readonly EventProblem[];
  /** The (first) event type concerned. */
  readonly eventType: string;

  constructor(problems: readonly EventProblem[], options?: { cause?: unknown; header?: string }) {
    const first = problems[0];
    const lines = problems.map(formatProblem);
    const message =
      options?.header === undefined && lines.length === 1
        ? (lines[0] ?? "invalid event")
        : `${options?.header ?? `${problems.length} problems`}:\n  - ${lines.join("\n  - ")}`;
    super(message, options);
    this.name = "InvalidEventError";
    this.problems = problems;
    this.eventType = first?.eventType ?? "unknown";
  }
}

/** The detail-type is not in the catalog. */
export class UnknownEventTypeError extends InvalidEventError {
  constructor(detailType: unknown, allowed: readonly string[], index?: number) {
    const shown = typeof detailType === "string" ? detailType : String(detailType);
    super([
      {
        ...(index === undefined ? {} : { index }),
        eventType: shown,
        path: "",
        rule: `unknown detail-type ${JSON.stringify(detailType) ?? "undefined"}; expected one of ${allowed.join("|")}`,
      },
    ]);
    this.name = "UnknownEventTypeError";
  }
}

/** One entry that PutEvents still refused after every retry. */
export interface FailedEntry {
  readonly eventId: string;
  readonly type: string;
  /** AWS's ErrorCode, e.g. `ThrottlingException`, `InternalFailure`, or the exception name of a failed call. */
  readonly errorCode: string;
  readonly errorMessage: string;
  /**
   * The error thrown by the last failed PutEvents call that carried this entry (the SDK's
   * exception, with its `$metadata`, `$fault`…). Absent when the last failure was a per-entry
   * `ErrorCode` in a successful response.
   */
  readonly cause?: unknown;
}

/**
 * The `cause` of a PublishFailedError: the distinct call errors of the failed entries; one error
 * as is, several as an AggregateError, none (only per-entry error codes) as undefined.
 */
export function causeOfFailures(failed: readonly FailedEntry[]): unknown {
  const causes = [...new Set(failed.filter((f) => f.cause !== undefined).map((f) => f.cause))];
  if (causes.length === 0) return undefined;
  if (causes.length === 1) return causes[0];
  return new AggregateError(
    causes,
    `${causes.length} PutEvents calls failed: ${causes
      .map((c) => (c instanceof Error ? `${c.name}: ${c.message}` : String(c)))
      .join("; ")}`,
  );
}

/**
 * Some events could not be published; the others were. Nothing is dropped silently. `cause` is
 * the SDK error of the failed call(s) (see `causeOfFailures`); each entry keeps its own in
 * `failed[i].cause`.
 */
export class PublishFailedError extends CityEventError {
  readonly failed: readonly FailedEntry[];
  /** Event ids that were published (so a caller can retry only the rest). */
  readonly publishedEventIds: readonly string[];
  /** The stamped events not published, unchanged: `publisher.resend(error.unpublished)` keeps their ids and sequences. */
  readonly unpublished: readonly CityEvent[];

  constructor(
    failed: readonly FailedEntry[],
    publishedEventIds: readonly string[],
    attempts: number,
    options?: { cause?: unknown; unpublished?: readonly CityEvent[] },
  ) {
    const lines = failed.map(
      (f) =>
        `${f.eventId} ${f.type}: ${f.errorCode}${f.errorMessage ? ` (${f.errorMessage})` : ""}`,
    );
    super(
      `${failed.length} of ${failed.length + publishedEventIds.length} events were not published after ${attempts} attempts:\n  - ${lines.join("\n  - ")}`,
      options,
    );
    this.name = "PublishFailedError";
    this.failed = failed;
    this.publishedEventIds = publishedEventIds;
    this.unpublished = options?.unpublished ?? [];
  }
}
