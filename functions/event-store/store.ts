/**
 * The event store (DESIGN.md section 3): append-only streams per aggregate, optimistic
 * concurrency on the commit's first version, idempotent by event id, snapshots every N events,
 * state at any instant by replay. No AWS code here: storage is the EventStorageAdapter port.
 */
import { randomUUID } from "node:crypto";
import type { Clock } from "../shared/clock.ts";
import { EventAlreadyExistsError, EventInFlightError, StreamMismatchError } from "./errors.ts";
import { bucketsBetween } from "./keys.ts";
import type { Commit, EventMarker, EventStorageAdapter, StoredEvent } from "./port.ts";
import type { Projection } from "./projections.ts";

/** An event to append: its identity, type and detail (with `meta.streamId`). */
export interface NewEvent {
  readonly eventId: string;
  readonly type: string;
  readonly source: string;
  readonly occurredAt: string;
  readonly streamId: string;
  readonly detail: Readonly<Record<string, unknown>>;
  /**
   * Who claims the event: the id of the SQS message carrying it, the same on every redelivery,
   * so a redelivered message re-claims its own earlier (uncommitted) claim at once instead of
   * waiting out the lease. Without it, the append call's own id (random).
   */
  readonly claimOwner?: string;
}

export interface AppendResult {
  readonly streamId: string;
  /** Events written by this call, with their versions. */
  readonly appended: readonly StoredEvent[];
  /** Event ids already in the store: acknowledged, not written again. */
  readonly duplicates: readonly string[];
  /** The stream's version after the call (0 if unknown because nothing was written). */
  readonly version: number;
}

export interface EventStoreOptions<S> {
  readonly storage: EventStorageAdapter;
  readonly clock: Clock;
  readonly projection: Projection<S>;
  /** Take a snapshot whenever the stream's version crosses a multiple of this. @default 50 */
  readonly snapshotEvery?: number;
  /** Re-reads of the head after a lost race, when no expected version was given. @default 3 */
  readonly maxConflictRetries?: number;
  /**
   * How long an uncommitted claim on an event holds off other writers; must exceed the
   * function's timeout (10 s), so a live writer is never overtaken. @default 60000
   */
  readonly claimLeaseMs?: number;
}

export class EventStore<S> {
  private readonly storage: EventStorageAdapter;
  private readonly clock: Clock;
  private readonly projection: Projection<S>;
  private readonly snapshotEvery: number;
  private readonly maxConflictRetries: number;
  private readonly claimLeaseMs: number;

  constructor(options: EventStoreOptions<S>) {
    const snapshotEvery = options.snapshotEvery ?? 50;
    if (!Number.isInteger(snapshotEvery) || snapshotEvery < 1) {
      throw new RangeError(`snapshotEvery must be an integer >= 1, got ${snapshotEvery}`);
    }
    const retries = options.maxConflictRetries ?? 3;
    if (!Number.isInteger(retries) || retries < 0) {
      throw new RangeError(`maxConflictRetries must be an integer >= 0, got ${retries}`);
    }
    this.storage = options.storage;
    this.clock = options.clock;
    this.projection = options.projection;
    this.snapshotEvery = snapshotEvery;
    this.maxConflictRetries = retries;
    this.claimLeaseMs = options.claimLeaseMs ?? 60_000;
  }

  /**
   * Appends events of ONE stream as one commit. With `expectedVersion`, the commit goes exactly
   * after that version or fails with EventAlreadyExistsError; without it, at the head, re-reading
   * the head after a lost race. Events already stored (by event id) are skipped.
   */
  async append(
    streamId: string,
    events: readonly NewEvent[],
    options: { expectedVersion?: number } = {},
  ): Promise<AppendResult> {
    for (const e of events) {
      if (e.streamId !== streamId) throw new StreamMismatchError(streamId, e.eventId, e.streamId);
    }
    const callOwner = randomUUID(); // events without a claim owner: this call's claims
    const held = new Map<string, EventMarker>(); // the claims this call holds, by event id
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.tryAppend(streamId, events, options.expectedVersion, callOwner, held);
      } catch (error) {
        const retry =
          error instanceof EventAlreadyExistsError &&
          options.expectedVersion === undefined &&
          attempt < this.maxConflictRetries;
        if (!retry) {
          await this.release(held);
          throw error;
        }
      }
    }
  }

  /**
   * Best effort: deletes the uncommitted claims of a failed append (conditional on owner and
   * version), so another writer of the same event need not wait for the lease. A claim whose
   * version's commit holds the event (a put that succeeded but reported an error) is kept: it is
   * the event's idempotency marker. Whatever stays behind expires with its lease.
   */
  private async release(held: ReadonlyMap<string, EventMarker>): Promise<void> {
    await Promise.allSettled(
      [...held.values()].map(async (m) => {
        const commit = await this.storage.readCommitHolding(m.streamId, m.version);
        if (commit?.events.some((x) => x.eventId === m.eventId)) return;
        await this.storage.releaseMarker(m);
      }),
    );
  }

  private async tryAppend(
    streamId: string,
    events: readonly NewEvent[],
    expectedVersion: number | undefined,
    callOwner: string,
    held: Map<string, EventMarker>,
  ): Promise<AppendResult> {
    const seen = new Set<string>();
    const unique: NewEvent[] = [];
    const duplicates: string[] = [];
    for (const e of events) {
      if (seen.has(e.eventId)) duplicates.push(e.eventId);
      else unique.push(e);
      seen.add(e.eventId);
    }
    const head = expectedVersion ?? (await this.storage.readHeadVersion(streamId));
    // Claim every event (conditional marker puts, in parallel): a marker that exists either
    // proves the event stored (its commit holds it), or is abandoned (its version was taken by
    // another commit, or its lease expired) and is re-claimed, or is another writer's fresh
    // claim (EventInFlightError: retried later). A crash between claim and commit leaves a
    // marker whose version does not hold the event, which isStored() treats as "not stored".
    // All claims settle before a failure is thrown, so `held` knows every claim written.
    const settled = await Promise.allSettled(
      unique.map(async (e, i) => {
        const mine = await this.claim(e, streamId, head + 1 + i, e.claimOwner ?? callOwner);
        if (mine) held.set(e.eventId, mine);
        return mine;
      }),
    );
    const claimed = settled.map((r) => {
      if (r.status === "rejected") throw r.reason;
      return r.value;
    });
    const fresh = unique.filter((e, i) => {
      const mine = claimed[i];
      if (!mine) duplicates.push(e.eventId);
      return mine !== undefined;
    });
    if (fresh.length === 0) return { streamId, appended: [], duplicates, version: 0 };
    const stored: StoredEvent[] = fresh.map((e, i) => ({
      eventId: e.eventId,
      streamId,
      version: head + 1 + i,
      type: e.type,
      source: e.source,
      occurredAt: e.occurredAt,
      detail: e.detail,
    }));
    // Duplicates among them shift the versions: move our own claims (rare, one more put).
    await Promise.all(
      stored.map(async (e) => {
        const mine = claimed[unique.findIndex((u) => u.eventId === e.eventId)];
        if (!mine || mine.version === e.version) return;
        const moved = { ...mine, version: e.version };
        if (await this.storage.claimMarker(moved, mine)) {
          throw new EventAlreadyExistsError(streamId, e.version);
        }
        held.set(e.eventId, moved);
      }),
    );
    const last = head + stored.length;
    const commit: Commit = {
      streamId,
      firstVersion: head + 1,
      lastVersion: last,
      committedAt: new Date(this.clock.now()).toISOString(),
      events: stored,
    };
    await this.storage.putCommit(commit);
    if (Math.floor(last / this.snapshotEvery) > Math.floor(head / this.snapshotEvery)) {
      await this.snapshot(streamId, last);
    }
    return { streamId, appended: stored, duplicates, version: last };
  }

  /**
   * Claims the event's marker at `version` for `owner`. Returns the marker written, or undefined
   * when the event is already stored. A marker of the same owner (this call's retry, or the same
   * SQS message redelivered) is re-claimed at once unless its commit holds the event; another
   * owner's is re-claimed only once its version was taken by another commit or its lease expired.
   */
  private async claim(
    e: NewEvent,
    streamId: string,
    version: number,
    owner: string,
  ): Promise<EventMarker | undefined> {
    const now = this.clock.now();
    const mine: EventMarker = { eventId: e.eventId, streamId, version, owner, claimedAt: now };
    let there = await this.storage.claimMarker(mine);
    for (let round = 0; there; round++) {
      if (round >= 3) throw new EventAlreadyExistsError(streamId, version);
      if (there.version === 0) {
        there = await this.storage.claimMarker(mine); // it vanished meanwhile (released)
        continue;
      }
      const commit = await this.storage.readCommitHolding(there.streamId, there.version);
      if (commit?.events.some((x) => x.eventId === e.eventId)) return undefined; // stored
      if (there.owner !== owner) {
        const versionTaken = commit !== undefined && commit.lastVersion >= there.version;
        const leaseOver =
          there.claimedAt === undefined || now - there.claimedAt > this.claimLeaseMs;
        if (!versionTaken && !leaseOver) {
          throw new EventInFlightError(e.eventId, there.streamId, there.version, this.claimLeaseMs);
        }
      }
      there = await this.storage.claimMarker(mine, there);
    }
    return mine;
  }

  /** True when the event id is in a commit (its marker alone is not proof). */
  async isStored(eventId: string): Promise<boolean> {
    const marker = await this.storage.getMarker(eventId);
    if (!marker) return false;
    const commit = await this.storage.readCommitHolding(marker.streamId, marker.version);
    return commit?.events.some((e) => e.eventId === eventId) ?? false;
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
