/**
 * Delivery failures and their classification. AWS retries a target only on retriable errors;
 * errors that come from a missing target or missing permissions are not retried: the event
 * goes straight to the target's dead-letter queue (or is dropped without one).
 *
 * The dispatcher contract (README "Dispatcher errors"): a rejection is permanent when
 *  1. the error (or an error in its `cause` chain) has `retryable: false` — that wins; or
 *  2. its `code`/`name`/`Code`/`__type` is one of PERMANENT_ERROR_NAMES — the AWS SDK v3 names
 *     for "does not exist", "access denied" and "invalid parameter".
 * `retryable: true` or the SDK's `$retryable` forces a retry; anything else is retried.
 */
import { EventBridgeError } from "../errors.ts";

/** A delivery that failed inside the emulator (no dispatcher, unsupported target, bus loop). */
export class DeliveryError extends EventBridgeError {
  /** false when retrying cannot help (the target, not the moment, is wrong). */
  readonly retryable: boolean;

  constructor(code: string, message: string, options?: { cause?: unknown; retryable?: boolean }) {
    super(code, message, 500, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = "DeliveryError";
    this.retryable = options?.retryable ?? true;
  }
}

/** AWS SDK v3 error names (and SQS query codes) that mean "retrying will not help". */
export const PERMANENT_ERROR_NAMES: ReadonlySet<string> = new Set([
  // does not exist
  "QueueDoesNotExist",
  "AWS.SimpleQueueService.NonExistentQueue",
  "NonExistentQueue",
  "ResourceNotFoundException",
  "ResourceNotFound",
  "NotFound",
  "NotFoundException",
  // access denied
  "AccessDenied",
  "AccessDeniedException",
  "AuthorizationError",
  "AuthorizationErrorException",
  "KMSAccessDeniedException",
  // invalid parameter
  "InvalidParameter",
  "InvalidParameterException",
  "InvalidParameterValue",
  "InvalidParameterValueException",
  "InvalidArn",
]);

const MAX_CAUSE_DEPTH = 5;

const namesOf = (error: Record<string, unknown>): string[] =>
  [error.code, error.Code, error.__type, error.name].filter(
    (v): v is string => typeof v === "string",
  );

/** Walks the error and its `cause` chain (bounded, so a cyclic chain cannot hang). */
function* chain(error: unknown): Generator<Record<string, unknown>> {
  let current = error;
  for (let depth = 0; depth < MAX_CAUSE_DEPTH; depth++) {
    if (typeof current !== "object" || current === null) return;
    const record = current as Record<string, unknown>;
    yield record;
    current = record.cause;
  }
}

/** Whether a failed delivery should be retried under the target's RetryPolicy. */
export function isRetriable(error: unknown): boolean {
  for (const link of chain(error)) {
    if (typeof link.retryable === "boolean") return link.retryable;
    if (link.$retryable) return true;
    if (namesOf(link).some((name) => PERMANENT_ERROR_NAMES.has(name))) return false;
  }
  return true;
}

/** AWS-style error code for the DLQ's ERROR_CODE attribute. */
export function errorCodeOf(error: unknown): string {
  for (const link of chain(error)) {
    const permanent = namesOf(link).find((name) => PERMANENT_ERROR_NAMES.has(name));
    if (permanent) return permanent;
  }
  if (typeof error === "object" && error !== null) {
    const named = namesOf(error as Record<string, unknown>).find((name) => name !== "Error");
    if (named) return named;
  }
  return "SDK_CLIENT_ERROR";
}

export const errorMessageOf = (error: unknown): string =>
  error instanceof Error ? error.message : String(error);
