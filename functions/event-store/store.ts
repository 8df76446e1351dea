/**
 * The event store (docs/RELIABILITY.md section 3): append-only streams per aggregate, one
 * conditional put per commit, idempotent by event id, snapshots every N events, state at any
 * instant by replay. Each environment keeps a view of its streams' heads and recent event ids
 * (`StreamViews`), so an append is one put; a stale view is detected by that put and re-read.
 * No AWS code here: storage is the EventStorageAdapter port.
 */
import type { Clock } from "../shared/clock.ts";
import { EventAlreadyExistsError, StreamMismatchError } from "./errors.ts";
import { bucketsBetween } from "./keys.ts";
import type { Commit, EventStorageAdapter, StoredEvent } from "./port.ts";
import type { Projection } from "./projections.ts";
import { type StreamView, type StreamViewLimits, StreamViews } from "./stream-views.ts";

/** An event to append: its identity, type and detail (with `meta.streamId`). */
export interface NewEvent {
  readonly eventId: string;
  readonly type: string;
  readonly source: string;
  readonly occurredAt: string;
  readonly streamId: string;
  readonly detail: Readonly<Record<string, unknown>>;
}

export interface AppendResult {
  readonly streamId: string;
  /** Events written by this call, with their versions. */
  readonly appended: readonly StoredEvent[];
  /** Event ids already in the store (or repeated in the call): acknowledged, not written again. */
  readonly duplicates: readonly string[];
  /** The stream's version after the call, as this call saw it. */
  readonly version: number;
}

export interface EventStoreOptions<S> {
  readonly storage: EventStorageAdapter;
  readonly clock: Clock;
  readonly projection: Projection<S>;
  /** Take a snapshot whenever the stream's version crosses a multiple of this. @default 50 */
  readonly snapshotEvery?: number;
  /** Re-reads of the stream after a lost race, when no expected version was given. @default 3 */
  readonly maxConflictRetries?: number;
  /**
   * How far before an event's `occurredAt` (or now, if earlier) a copy of it may have been
   * committed: the margin for clocks between producers and the store's environments. Duplicate
   * detection covers every commit made since that instant. @default 300000 (5 minutes)
   */
  readonly lookBackMs?: number;
  /** Bounds of the per-environment cache of stream heads and recent event ids. */
  readonly cache?: StreamViewLimits;
}

export class EventStore<S> {
  private readonly storage: EventStorageAdapter;
  private readonly clock: Clock;
  private readonly projection: Projection<S>;
  private readonly snapshotEvery: number;
  private readonly maxConflictRetries: number;
  private readonly lookBackMs: number;
  private readonly views: StreamViews;

  constructor(options: EventStoreOptions<S>) {
    const snapshotEvery = options.snapshotEvery ?? 50;
    if (!Number.isInteger(snapshotEvery) || snapshotEvery < 1) {
      throw new RangeError(`snapshotEvery must be an integer >= 1, got ${snapshotEvery}`);
    }
    const retries = options.maxConflictRetries ?? 3;
    if (!Number.isInteger(retries) || retries < 0) {
      throw new RangeError(`maxConflictRetries must be an integer >= 0, got ${retries}`);
    }
    const lookBackMs = options.lookBackMs ?? 300_000;
    if (!Number.isFinite(lookBackMs) || lookBackMs < 0) {
      throw new RangeError(`lookBackMs must be a number of ms >= 0, got ${lookBackMs}`);
    }
    this.storage = options.storage;
    this.clock = options.clock;
    this.projection = options.projection;
    this.snapshotEvery = snapshotEvery;
    this.maxConflictRetries = retries;
    this.lookBackMs = lookBackMs;
    // A hot stream's recent commits stay in the view for twice the look-back (stream-views.ts).
    this.views = new StreamViews({ keepMs: 2 * lookBackMs, ...options.cache });
  }

  /**
   * Appends events of ONE stream as one commit, at the head this environment knows (no read when
   * it knows the stream). A stale head loses the conditional put; the stream is then re-read and,
   * without `expectedVersion`, the append retried. With `expectedVersion`, the commit goes right
   * after that version or fails with EventAlreadyExistsError. Events already stored (by event id,
   * see `lookBackMs`) or repeated in the call are skipped.
   */
  async append(
    streamId: string,
    events: readonly NewEvent[],
    options: { expectedVersion?: number } = {},
  ): Promise<AppendResult> {
    for (const e of events) {
      if (e.streamId !== streamId) throw new StreamMismatchError(streamId, e.eventId, e.streamId);
    }
    const since = this.lookBackStart(events);
    for (let attempt = 0; ; attempt++) {
      const view = await this.viewOf(streamId, since, options.expectedVersion);
      try {
        return await this.commitOn(view, streamId, events, options.expectedVersion);
      } catch (error) {
        // A first lost race: the view moves past the commit that won, when the storage returned
        // it (the next commit of the stream: the view stays complete) — enough when the stream
        // moved by one commit. Otherwise, or after an unknown outcome (the put may have landed),
        // the view is dropped and read again: one Query catches up however far behind it was.
        const winner = error instanceof EventAlreadyExistsError ? error.existing : undefined;
        if (winner && attempt === 0) this.views.recordCommit(streamId, view, winner);
        else this.views.drop(streamId, view);
        const retry =
          error instanceof EventAlreadyExistsError &&
          options.expectedVersion === undefined &&
          attempt < this.maxConflictRetries;
        if (!retry) throw error;
      }
    }
  }

  /**
   * The instant (ms) from which duplicate detection must know the stream's commits: a copy of an
   * event cannot have been committed before it occurred (less the clock margin).
   */
  private lookBackStart(events: readonly NewEvent[]): number {
    let since = this.clock.now();
    for (const e of events) {
      const occurred = Date.parse(e.occurredAt);
      since = Number.isNaN(occurred) ? Number.NEGATIVE_INFINITY : Math.min(since, occurred);
    }
    return since - this.lookBackMs;
  }

  /** The cached view when it covers `since` and may match `expectedVersion`, else a fresh one. */
  private async viewOf(
    streamId: string,
    since: number,
    expectedVersion: number | undefined,
  ): Promise<StreamView> {
    const cached = this.views.get(streamId);
    // A view never runs ahead of the stream: one already past expectedVersion proves a conflict.
    if (cached && cached.coveredSince <= since) {
      if (expectedVersion === undefined || cached.head >= expectedVersion) return cached;
    }
    const sinceIso = Number.isFinite(since) ? new Date(Math.max(0, since)).toISOString() : "";
    return this.views.load(
      streamId,
      await this.storage.readRecentCommits(streamId, sinceIso),
      since,
    );
  }

  private async commitOn(
    view: StreamView,
    streamId: string,
    events: readonly NewEvent[],
    expectedVersion: number | undefined,
  ): Promise<AppendResult> {
    const seen = new Set<string>();
    const fresh: NewEvent[] = [];
    const duplicates: string[] = [];
    for (const e of events) {
      if (seen.has(e.eventId) || view.ids.has(e.eventId)) duplicates.push(e.eventId);
      else fresh.push(e);
      seen.add(e.eventId);
    }
    const head = view.head;
    if (fresh.length === 0) return { streamId, appended: [], duplicates, version: head };
    if (expectedVersion !== undefined && head !== expectedVersion) {
      if (head > expectedVersion) throw new EventAlreadyExistsError(streamId, expectedVersion + 1);
      throw new RangeError(
        `Stream "${streamId}" is at version ${head}, before the expected version ${expectedVersion}: a commit goes right after the stream's head, never past it`,
      );
    }
    const stored: StoredEvent[] = fresh.map((e, i) => ({
      eventId: e.eventId,
      streamId,
      version: head + 1 + i,
      type: e.type,
      source: e.source,
      occurredAt: e.occurredAt,
      detail: e.detail,
    }));
    const last = head + stored.length;
    const commit: Commit = {
      streamId,
      firstVersion: head + 1,
      lastVersion: last,
      committedAt: new Date(this.clock.now()).toISOString(),
      events: stored,
    };
    await this.storage.putCommit(commit);
    this.views.recordCommit(streamId, view, { ...commit, eventIds: stored.map((e) => e.eventId) });
    if (Math.floor(last / this.snapshotEvery) > Math.floor(head / this.snapshotEvery)) {
      await this.snapshot(streamId, last);
    }
    return { streamId, appended: stored, duplicates, version: last };
  }

  /** True when the event id is in one of the stream's commits (reads them all: for tools). */
  async isStored(streamId: string, eventId: string): Promise<boolean> {
    const { commits } = await this.storage.readRecentCommits(streamId, "");
    return commits.some((c) => c.eventIds.includes(eventId));
  }

  /** Events of a stream from `fromVersion` (1-based) to `toVersion`, in version order. */
  async readStream(streamId: string, fromVersion = 1, toVersion?: number): Promise<StoredEvent[]> {
    const commits = await this.storage.readCommits(streamId, fromVersion, toVersion);
    return commits
      .flatMap((c) => c.events)
      .filter(
        (e) => e.version >= fromVersion && (toVersion === undefined || e.version <= toVersion),
      );
  }

  /** Events that occurred in [from, to], across streams, via the time-bucket index. */
  async readTimeRange(from: string, to: string): Promise<StoredEvent[]> {
    // A commit is indexed at its first event's hour, so look one hour back for commits
    // whose later events fall in range.
    const lookBack = new Date(Date.parse(from) - 3_600_000).toISOString();
    const out: StoredEvent[] = [];
    for (const bucket of bucketsBetween(lookBack, to)) {
      for (const c of await this.storage.readCommitsInBucket(bucket)) {
        out.push(...c.events.filter((e) => e.occurredAt >= from && e.occurredAt <= to));
      }
    }
    return out.sort((a, b) => a.occurredAt.localeCompare(b.occurredAt));
  }

  /** The stream's state at its head, or at version `version`. */
  async state(streamId: string, version?: number): Promise<{ version: number; state: S }> {
    const { state, version: at } = await this.fold(streamId, version);
    return { version: at, state };
  }

  private async fold(
    streamId: string,
    version?: number,
  ): Promise<{ version: number; state: S; maxOccurredAt: string }> {
    const snap = await this.storage.latestSnapshot(streamId);
    const usable = snap && (version === undefined || snap.version <= version) ? snap : undefined;
    let state = usable ? (usable.state as S) : this.projection.initial(streamId);
    let at = usable?.version ?? 0;
    let maxOccurredAt = usable?.maxOccurredAt ?? "";
    for (const e of await this.readStream(streamId, at + 1, version)) {
      state = this.projection.apply(state, e);
      at = e.version;
      if (e.occurredAt > maxOccurredAt) maxOccurredAt = e.occurredAt;
    }
    return { version: at, state, maxOccurredAt };
  }

  /** The stream's state at instant `asOf`: replay of its events that occurred at or before it. */
  async stateAt(streamId: string, asOf: string | Date): Promise<{ version: number; state: S }> {
    const iso = typeof asOf === "string" ? new Date(asOf).toISOString() : asOf.toISOString();
    const snap = await this.storage.latestSnapshot(streamId, iso);
    let state = snap ? (snap.state as S) : this.projection.initial(streamId);
    let at = snap?.version ?? 0;
    for (const e of await this.readStream(streamId, at + 1)) {
      if (e.occurredAt > iso) continue;
      state = this.projection.apply(state, e);
      at = e.version;
    }
    return { version: at, state };
  }

  private async snapshot(streamId: string, version: number): Promise<void> {
    const { state, maxOccurredAt } = await this.fold(streamId, version);
    await this.storage.putSnapshot({
      streamId,
      version,
      maxOccurredAt,
      takenAt: new Date(this.clock.now()).toISOString(),
      state,
    });
  }
}
