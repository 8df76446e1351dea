/** In-memory storage adapter: the same semantics as DynamoDB's conditional put, for unit tests. */
import { EventAlreadyExistsError } from "./errors.ts";
import { timeBucket } from "./keys.ts";
import type {
  Commit,
  CommitSummary,
  EventStorageAdapter,
  RecentCommits,
  Snapshot,
} from "./port.ts";

export class InMemoryEventStorage implements EventStorageAdapter {
  private readonly streams = new Map<string, Commit[]>();
  private readonly snapshots = new Map<string, Snapshot[]>();
  /**
   * @param returnsCollidingCommit a failed put carries the commit holding the key, as DynamoDB
   * does (dynalite does not). @default true
   */
  constructor(private readonly returnsCollidingCommit = true) {}

  /** Count of conditional puts attempted, so tests can see the store wrote once. */
  putCommitCalls = 0;

  async putCommit(commit: Commit): Promise<void> {
    this.putCommitCalls += 1;
    await Promise.resolve(); // a network hop
    const commits = this.streams.get(commit.streamId) ?? [];
    const there = commits.find((c) => c.firstVersion === commit.firstVersion);
    if (there) {
      // As DynamoDB with ReturnValuesOnConditionCheckFailure: the commit holding the key.
      const existing = this.returnsCollidingCommit ? summaryOf(there) : undefined;
      throw new EventAlreadyExistsError(commit.streamId, commit.firstVersion, {
        ...(existing ? { existing } : {}),
      });
    }
    commits.push(structuredClone(commit));
    commits.sort((a, b) => a.firstVersion - b.firstVersion);
    this.streams.set(commit.streamId, commits);
  }

  async readHeadVersion(streamId: string): Promise<number> {
    return this.streams.get(streamId)?.at(-1)?.lastVersion ?? 0;
  }

  async readCommitHolding(streamId: string, version: number): Promise<Commit | undefined> {
    return [...(this.streams.get(streamId) ?? [])].reverse().find((c) => c.firstVersion <= version);
  }

  async readCommits(streamId: string, fromVersion: number, toVersion?: number): Promise<Commit[]> {
    return (this.streams.get(streamId) ?? []).filter(
      (c) =>
        c.lastVersion >= fromVersion && (toVersion === undefined || c.firstVersion <= toVersion),
    );
  }

  async readCommitsInBucket(bucket: string): Promise<Commit[]> {
    const all = [...this.streams.values()].flat();
    return all
      .filter((c) => c.events[0] !== undefined && timeBucket(c.events[0].occurredAt) === bucket)
      .sort((a, b) => sortKey(a).localeCompare(sortKey(b)));
  }

  async readRecentCommits(streamId: string, since: string): Promise<RecentCommits> {
    await Promise.resolve(); // a network hop: lets concurrent appends interleave as on DynamoDB
    const all = [...(this.streams.get(streamId) ?? [])].reverse();
    const stop = all.findIndex((c) => c.committedAt < since);
    const commits = (stop < 0 ? all : all.slice(0, stop + 1)).map(summaryOf);
    return { commits, complete: commits.length === all.length };
  }

  async putSnapshot(snapshot: Snapshot): Promise<void> {
    const list = (this.snapshots.get(snapshot.streamId) ?? []).filter(
      (s) => s.version !== snapshot.version,
    );
    list.push(structuredClone(snapshot));
    list.sort((a, b) => a.version - b.version);
    this.snapshots.set(snapshot.streamId, list);
  }

  async latestSnapshot(streamId: string, asOf?: string): Promise<Snapshot | undefined> {
    const list = this.snapshots.get(streamId) ?? [];
    return [...list].reverse().find((s) => asOf === undefined || s.maxOccurredAt <= asOf);
  }

  /** Every stored event id (test helper). */
  storedEventIds(): string[] {
    return [...this.streams.values()].flat().flatMap((c) => c.events.map((e) => e.eventId));
  }
}

function summaryOf(c: Commit): CommitSummary {
  return {
    firstVersion: c.firstVersion,
    lastVersion: c.lastVersion,
    committedAt: c.committedAt,
    eventIds: c.events.map((e) => e.eventId),
  };
}

function sortKey(c: Commit): string {
  const first = c.events[0];
  return first ? `${first.occurredAt}#${first.eventId}` : "";
}
