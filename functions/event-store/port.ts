/**
 * The event store's storage port (castore-style): the domain (store.ts) holds no AWS code; the
 * DynamoDB adapter and the in-memory adapter implement this interface.
 */

/** One event as stored in its stream. */
export interface StoredEvent {
  readonly eventId: string;
  readonly streamId: string;
  readonly version: number;
  readonly type: string;
  readonly source: string;
  readonly occurredAt: string;
  /** The event's `detail` (payload fields and `meta`). */
  readonly detail: Readonly<Record<string, unknown>>;
}

/**
 * A commit: one or more consecutive events of one stream, written in ONE conditional put keyed by
 * (streamId, firstVersion). Atomic everywhere, without transactions.
 */
export interface Commit {
  readonly streamId: string;
  readonly firstVersion: number;
  readonly lastVersion: number;
  readonly committedAt: string;
  readonly events: readonly StoredEvent[];
}

/**
 * Where an event id was (or is about to be) written: the idempotency marker, which is also the
 * append's claim on the event (written by a conditional put before the commit).
 */
export interface EventMarker {
  readonly eventId: string;
  readonly streamId: string;
  readonly version: number;
  /**
   * Who claimed it: the SQS message carrying the event (stable across redeliveries, so a
   * redelivered message may re-claim its own claim), else the append call.
   */
  readonly owner?: string;
  /** When it was claimed (ms since epoch); an uncommitted claim older than the lease is abandoned. */
  readonly claimedAt?: number;
}

export interface Snapshot<S = unknown> {
  readonly streamId: string;
  /** The state includes events 1..version. */
  readonly version: number;
  /** The latest occurredAt among events 1..version (a snapshot serves stateAt(asOf) only if <= asOf). */
  readonly maxOccurredAt: string;
  readonly takenAt: string;
  readonly state: S;
}

export interface EventStorageAdapter {
  /** Conditional put of a commit item; throws EventAlreadyExistsError when its key exists. */
  putCommit(commit: Commit): Promise<void>;
  /** The last version of the stream, 0 when empty (strongly consistent). */
  readHeadVersion(streamId: string): Promise<number>;
  /** The commit holding `version`, if any (strongly consistent). */
  readCommitHolding(streamId: string, version: number): Promise<Commit | undefined>;
  /** Commits whose versions intersect [fromVersion, toVersion], in version order. */
  readCommits(streamId: string, fromVersion: number, toVersion?: number): Promise<Commit[]>;
  /** Commits indexed in a time bucket (GSI), in index order. */
  readCommitsInBucket(bucket: string): Promise<Commit[]>;
  /**
   * Conditional put of a marker: written only when the event has none, or — with `replacing` —
   * when the marker there still has `replacing`'s version and owner. Returns undefined when
   * written, else the marker that is there (undefined fields when it vanished meanwhile).
   */
  claimMarker(marker: EventMarker, replacing?: EventMarker): Promise<EventMarker | undefined>;
  /**
   * Conditional delete of an uncommitted claim: removed only while the marker there still has
   * `marker`'s owner and version (another writer's claim is never touched). No error when not.
   */
  releaseMarker(marker: EventMarker): Promise<void>;
  /** Strongly consistent read of an event's marker. */
  getMarker(eventId: string): Promise<EventMarker | undefined>;
  putSnapshot(snapshot: Snapshot): Promise<void>;
  /** The newest snapshot with maxOccurredAt <= asOf (or the newest of all without asOf). */
  latestSnapshot(streamId: string, asOf?: string): Promise<Snapshot | undefined>;
}
