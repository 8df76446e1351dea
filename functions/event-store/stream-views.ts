/**
 * What one execution environment knows of the streams it appends to (docs/RELIABILITY.md
 * section 3): each stream's head and the event ids of its recent commits, so that an append needs
 * no read before its conditional put. A view may be stale — another environment appended since —
 * and that is safe: a view's head is always a commit boundary, so a put after a stale head hits
 * an existing commit key and fails; the store then drops the view and reads a fresh one.
 */
import type { CommitSummary, RecentCommits } from "./port.ts";

/** One stream as this environment last saw it. Never mutated once replaced in the cache. */
export interface StreamView {
  /** The stream's last version when seen: the last version of a commit, or 0. */
  readonly head: number;
  /**
   * Every commit up to `head` committed at or after this instant (ms) has its event ids in
   * `ids`; -Infinity when every commit of the stream does.
   */
  readonly coveredSince: number;
  readonly ids: ReadonlySet<string>;
}

interface MutableView {
  head: number;
  coveredSince: number;
  readonly ids: Set<string>;
  /** The commits whose ids are in `ids`, oldest first (for pruning). */
  readonly commits: { committedAt: number; eventIds: readonly string[] }[];
}

export interface StreamViewLimits {
  /** Streams kept (least recently used dropped first). @default 2000 */
  readonly maxStreams?: number;
  /**
   * Event ids kept per stream once it grows by appends (oldest commits dropped first), except
   * the commits made within `keepMs`. @default 500
   */
  readonly maxIdsPerStream?: number;
  /**
   * Commits this recent (ms before the newest) stay in the view past `maxIdsPerStream`, so that
   * the appends of a hot stream stay covered by the duplicate look-back without a re-read: with
   * only 500 ids, a stream committing 2 events/s outgrew its 5-minute look-back and every append
   * re-read the stream. The EventStore sets twice its look-back (events up to one look-back late
   * stay covered). @default 0
   */
  readonly keepMs?: number;
  /** Event ids a stream's view holds at most, however recent. @default 20000 */
  readonly maxRecentIdsPerStream?: number;
}

export class StreamViews {
  private readonly views = new Map<string, MutableView>();
  private readonly maxStreams: number;
  private readonly maxIdsPerStream: number;
  private readonly keepMs: number;
  private readonly maxRecentIdsPerStream: number;

  constructor(limits: StreamViewLimits = {}) {
    this.maxStreams = limits.maxStreams ?? 2000;
    this.maxIdsPerStream = limits.maxIdsPerStream ?? 500;
    this.maxRecentIdsPerStream = limits.maxRecentIdsPerStream ?? 20_000;
    this.keepMs = limits.keepMs ?? 0;
    for (const [name, value] of Object.entries({
      maxStreams: this.maxStreams,
      maxIdsPerStream: this.maxIdsPerStream,
      maxRecentIdsPerStream: this.maxRecentIdsPerStream,
    })) {
      if (!Number.isInteger(value) || value < 1) {
        throw new RangeError(`${name} must be an integer >= 1, got ${value}`);
      }
    }
    if (!Number.isFinite(this.keepMs) || this.keepMs < 0) {
      throw new RangeError(`keepMs must be a number of ms >= 0, got ${this.keepMs}`);
    }
  }

  /** The stream's view, if this environment has one (marks it recently used). */
  get(streamId: string): StreamView | undefined {
    const view = this.views.get(streamId);
    if (view) {
      this.views.delete(streamId);
      this.views.set(streamId, view);
    }
    return view;
  }

  /**
   * Replaces the stream's view by one built from a fresh read of its newest commits, made to cover
   * everything committed since `since` (ms). Not pruned: it must cover `since` for the append
   * that asked for it.
   */
  load(streamId: string, recent: RecentCommits, since: number): StreamView {
    const commits = [...recent.commits].reverse().map((c) => ({
      committedAt: Date.parse(c.committedAt),
      eventIds: c.eventIds,
    }));
    const view: MutableView = {
      head: recent.commits[0]?.lastVersion ?? 0,
      coveredSince: recent.complete ? Number.NEGATIVE_INFINITY : since,
      ids: new Set(commits.flatMap((c) => c.eventIds)),
      commits,
    };
    this.views.delete(streamId);
    this.views.set(streamId, view);
    for (const oldest of this.views.keys()) {
      if (this.views.size <= this.maxStreams) break;
      this.views.delete(oldest);
    }
    return view;
  }

  /**
   * Records a commit this environment wrote right after `view`'s head. If the cache moved on
   * meanwhile (another append of this environment replaced the view), the stream is dropped
   * instead: the next append reads it afresh.
   */
  recordCommit(streamId: string, view: StreamView, commit: CommitSummary): void {
    const current = this.views.get(streamId);
    if (current !== view || current.head !== commit.firstVersion - 1) {
      this.drop(streamId, view);
      return;
    }
    current.head = commit.lastVersion;
    for (const id of commit.eventIds) current.ids.add(id);
    current.commits.push({
      committedAt: Date.parse(commit.committedAt),
      eventIds: commit.eventIds,
    });
    this.prune(current, Date.parse(commit.committedAt) - this.keepMs);
  }

  /**
   * Drops the oldest commits while the view holds more than `maxIdsPerStream` ids and they were
   * committed before `keepFrom`, or more than `maxRecentIdsPerStream` whatever their age.
   */
  private prune(view: MutableView, keepFrom: number): void {
    while (view.commits.length > 1) {
      const oldest = view.commits[0];
      if (!oldest) break;
      const over = view.ids.size > this.maxIdsPerStream && !(oldest.committedAt >= keepFrom);
      if (!over && view.ids.size <= this.maxRecentIdsPerStream) break;
      view.commits.shift();
      for (const id of oldest.eventIds) view.ids.delete(id);
      view.coveredSince = Math.max(view.coveredSince, oldest.committedAt + 1);
    }
  }

  /** Forgets the stream (a lost race or an unknown outcome), unless a newer view replaced `view`. */
  drop(streamId: string, view: StreamView): void {
    if (this.views.get(streamId) === view) this.views.delete(streamId);
  }
}
