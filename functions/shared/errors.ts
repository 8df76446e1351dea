/**
 * Errors of the city's functions. Every error has a base class per area, a `name`, keeps its
 * `cause`, and says what failed, why, and what is allowed. `reason` feeds the `EventFailures`
 * metric's `Reason` dimension (docs/ARCHITECTURE.md "Operations").
 */
export type FailureReason = "validation" | "downstream" | "timeout" | "conflict" | "unknown";

export class FunctionError extends Error {
  readonly reason: FailureReason;
  constructor(message: string, reason: FailureReason, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "FunctionError";
    this.reason = reason;
  }
}

/** A configuration value (environment variable) is missing or invalid. */
export class ConfigError extends FunctionError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, "unknown", options);
    this.name = "ConfigError";
  }
}

/** A record is not a valid city event; it fails alone and reaches the DLQ with this message. */
export class RecordValidationError extends FunctionError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, "validation", options);
    this.name = "RecordValidationError";
  }
}

/** A downstream (AWS service, dispatch API, SMS provider) failed. */
export class DownstreamError extends FunctionError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, "downstream", options);
    this.name = "DownstreamError";
  }
}

/** An outbound call did not answer within its time budget. */
export class DownstreamTimeoutError extends FunctionError {
  readonly operation: string;
  readonly timeoutMs: number;
  constructor(operation: string, timeoutMs: number) {
    super(
      `${operation} did not complete within ${timeoutMs} ms; the call was abandoned and the record will be retried after its backoff`,
      "timeout",
    );
    this.name = "DownstreamTimeoutError";
    this.operation = operation;
    this.timeoutMs = timeoutMs;
  }
}

/** A write lost an optimistic-concurrency race. */
export class ConflictError extends FunctionError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, "conflict", options);
    this.name = "ConflictError";
  }
}

/** The reason of any thrown value, for metrics. */
export function reasonOf(error: unknown): FailureReason {
  if (error instanceof FunctionError) return error.reason;
  if (error instanceof Error && error.name === "TimeoutError") return "timeout";
  if (error instanceof Error && error.name === "ConditionalCheckFailedException") return "conflict";
  return "unknown";
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
