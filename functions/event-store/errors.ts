import { ConflictError, FunctionError, RecordValidationError } from "../shared/errors.ts";
import type { CommitSummary } from "./port.ts";

/**
 * Optimistic concurrency: a commit was attempted at a version another writer already holds.
 * Carries the stream and the version that exists.
 */
export class EventAlreadyExistsError extends ConflictError {
  readonly streamId: string;
  readonly version: number;
  /**
   * The commit that holds the key, when the storage returned it with the failed put (DynamoDB's
   * `ReturnValuesOnConditionCheckFailure: ALL_OLD`): the writer can move past it without a read.
   */
  readonly existing: CommitSummary | undefined;
  constructor(
    streamId: string,
    version: number,
    options?: { cause?: unknown; existing?: CommitSummary },
  ) {
    super(
      `Event version ${version} already exists in stream "${streamId}": another writer appended first; re-read the stream and append at the version after its head`,
      options?.cause === undefined ? undefined : { cause: options.cause },
    );
    this.name = "EventAlreadyExistsError";
    this.streamId = streamId;
    this.version = version;
    this.existing = options?.existing;
  }
}

/** An event was appended to a stream other than its `meta.streamId`. */
export class StreamMismatchError extends RecordValidationError {
  constructor(streamId: string, eventId: string, eventStreamId: string) {
    super(
      `Event ${eventId} belongs to stream "${eventStreamId}" (meta.streamId) and cannot be appended to stream "${streamId}"; a commit holds events of one stream only`,
    );
    this.name = "StreamMismatchError";
  }
}

/** The storage (DynamoDB) failed for a reason other than a lost race. */
export class EventStoreStorageError extends FunctionError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, "downstream", options);
    this.name = "EventStoreStorageError";
  }
}
