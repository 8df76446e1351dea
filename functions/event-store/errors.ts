import { ConflictError, FunctionError, RecordValidationError } from "../shared/errors.ts";

/**
 * Optimistic concurrency: a commit was attempted at a version another writer already holds.
 * Carries the stream and the version that exists.
 */
export class EventAlreadyExistsError extends ConflictError {
  readonly streamId: string;
  readonly version: number;
  constructor(streamId: string, version: number, options?: { cause?: unknown }) {
    super(
      `Event version ${version} already exists in stream "${streamId}": another writer appended first; re-read the stream and append at the version after its head`,
      options,
    );
    this.name = "EventAlreadyExistsError";
    this.streamId = streamId;
    this.version = version;
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
