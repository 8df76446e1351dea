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
 * (streamId, firstVersion). Atomic everywhere, without transactions. A stream's commits tile its
 * versions 1..head without gap or overlap (docs/RELIABILITY.md section 3).
 */
export interface Commit {
  readonly streamId: string;
  readonly firstVersion: number;
  readonly lastVersion: number;
  readonly committedAt: string;
  readonly events: readonly StoredEvent[];
}

/** What the store needs of a commit to know its stream's head and recent event ids. */
export interface CommitSummary {
  readonly firstVersion: number;
  readonly lastVersion: number;
  readonly committedAt: string;
  readonly eventIds: readonly string[];
}

/** The newest commits of a stream, newest first (see `readRecentCommits`). */
export interface RecentCommits {
  readonly commits: readonly CommitSummary[];
  /** True when the stream holds no commit older than the last one returned. */
  readonly complete: boolean;
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
  /**
   * Conditional put of a commit item; throws EventAlreadyExistsError when its key exists, carrying
   * the commit there (`existing`) when the storage returns it.
   */
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
  /**
   * The stream's newest commits (without their events' bodies), newest first, down to and
   * including the first one committed before `since` (ISO; "" reads them all). Strongly
   * consistent.
   */
  readRecentCommits(streamId: string, since: string): Promise<RecentCommits>;
  putSnapshot(snapshot: Snapshot): Promise<void>;
  /** The newest snapshot with maxOccurredAt <= asOf (or the newest of all without asOf). */
  latestSnapshot(streamId: string, asOf?: string): Promise<Snapshot | undefined>;
}
