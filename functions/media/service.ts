/**
 * The media service: public-safe events become posts on the media topic. Events are first
 * queued per zone (a read model, so nothing is lost between batches); a zone posts at most once
 * per `minIntervalMs` (rate limit, state shared in the read-models table), and everything queued
 * when it may post is merged into that one post. Each post emits MediaPostPublished.
 * Per batch each zone's queue is written once (`add` then `commitQueued`); idempotency is the
 * queue's own: an event id queued or recently posted (`posted`) is not queued again, and the
 * post is claimed by a conditional write on the queue before it goes out.
 */
import type { AnyCityEvent } from "../../events/catalog.ts";
import type { CommitFailure } from "../shared/batch.ts";
import type { CircuitBreaker } from "../shared/breaker.ts";
import type { Clock } from "../shared/clock.ts";
import type { DerivedEventSink } from "../shared/derived.ts";
import { type DocumentStore, update } from "../shared/documents.ts";
import { PendingIndex } from "../shared/pending-index.ts";
import type { MediaChannel } from "./channel.ts";
import { mergePost, type PendingItem, pendingItemOf } from "./posts.ts";

export interface MediaDeps {
  readonly docs: DocumentStore;
  readonly channel: MediaChannel;
  readonly breaker: CircuitBreaker;
  readonly bus: DerivedEventSink;
  readonly clock: Clock;
  /** Least time between two posts of one zone. @default 60000 */
  readonly minIntervalMs?: number;
}

interface ZoneQueue {
  readonly pending: readonly PendingItem[];
  readonly lastPostAt: number;
  readonly posts: number;
  /** Ids of the latest events posted (at most POSTED_IDS): a redelivery is not posted again. */
  readonly posted?: readonly string[];
}

const POSTED_IDS = 500;

const queueKey = (zone: string) => ({ pk: `media#${zone}`, sk: "queue" });
const EMPTY: ZoneQueue = { pending: [], lastPostAt: 0, posts: 0 };

export class MediaService {
  private readonly pending: PendingIndex;
  /** This batch's public-safe events per zone, with their records. */
  private readonly buffered = new Map<string, { item: PendingItem; messageId: string }[]>();

  constructor(private readonly deps: MediaDeps) {
    this.pending = new PendingIndex(deps.docs, "media#pending");
  }

  /** Buffers a public-safe event for its zone's queue (written by `commitQueued`). */
  add(event: AnyCityEvent, messageId = event.detail.meta.eventId): string | undefined {
    const item = pendingItemOf(event);
    if (!item) return undefined;
    const list = this.buffered.get(item.zone) ?? [];
    list.push({ item, messageId });
    this.buffered.set(item.zone, list);
    return item.zone;
  }

  /**
   * Writes the buffered events into their zones' queues: one read-modify-write per zone,
   * idempotent by event id (an event queued or posted already is not queued again). Returns the
   * records whose zone could not be written.
   */
  async commitQueued(): Promise<CommitFailure[]> {
    const work = [...this.buffered.entries()];
    this.buffered.clear();
    const failures: CommitFailure[] = [];
    for (const [zone, entries] of work) {
      const key = queueKey(zone);
      try {
        await update<ZoneQueue>(
          this.deps.docs,
          key.pk,
          key.sk,
          () => EMPTY,
          (q) => {
            const known = new Set([...q.pending.map((p) => p.eventId), ...(q.posted ?? [])]);
            const fresh: PendingItem[] = [];
            for (const { item } of entries) {
              if (known.has(item.eventId)) continue;
              known.add(item.eventId);
              fresh.push(item);
            }
            return fresh.length === 0 ? q : { ...q, pending: [...q.pending, ...fresh] };
          },
        );
      } catch (error) {
        for (const e of entries) failures.push({ messageId: e.messageId, error });
      }
    }
    return failures;
  }

  /** Drops what was buffered and not committed (after a failed batch). */
  reset(): void {
    this.buffered.clear();
  }

  /** Queues one public-safe event for its zone (idempotent by event id). Returns the zone. */
  async enqueue(event: AnyCityEvent): Promise<string | undefined> {
    const zone = this.add(event);
    const [failure] = await this.commitQueued();
    if (failure) throw failure.error;
    return zone;
  }

  /**
   * After each batch: flushes the batch's zones, records which zones still wait for their rate
   * limit and until when, and flushes every zone that is due — also quiet zones that got no event
   * since — at most `limit` per call. Returns the zones whose flush failed (items stay queued).
   */
  async flushPending(
    touched: Iterable<string>,
    limit = 20,
  ): Promise<{ zone: string; error: unknown }[]> {
    const failed: { zone: string; error: unknown }[] = [];
    await this.pending.sweep(
      touched,
      limit,
      () => this.deps.clock.now(),
      async (zone) => {
        try {
          return (await this.flushZone(zone)).nextDueAt;
        } catch (error) {
          failed.push({ zone, error });
          return this.deps.clock.now(); // retried by the next sweep
        }
      },
    );
    return failed;
  }

  /** Posts the zone's queue as one merged post, if the rate limit allows. */
  async flush(zone: string): Promise<boolean> {
    return (await this.flushZone(zone)).posted;
  }

  private async flushZone(zone: string): Promise<{ posted: boolean; nextDueAt?: number }> {
    const key = queueKey(zone);
    const current = await this.deps.docs.get<ZoneQueue>(key.pk, key.sk);
    const q = current?.value ?? EMPTY;
    const now = this.deps.clock.now();
    const first = q.pending[0];
    const interval = this.deps.minIntervalMs ?? 60_000;
    if (!first) return { posted: false };
    if (now - q.lastPostAt < interval) return { posted: false, nextDueAt: q.lastPostAt + interval };
    // Claim the slot first (conditional write): only one instance posts this queue.
    const taken = q.pending;
    await this.deps.docs.put<ZoneQueue>(
      key.pk,
      key.sk,
      {
        pending: [],
        lastPostAt: now,
        posts: q.posts + 1,
        posted: [...(q.posted ?? []), ...taken.map((t) => t.eventId)].slice(-POSTED_IDS),
      },
      current?.version ?? 0,
    );
    const post = mergePost(zone, taken);
    const postId = `post-${zone}-${first.eventId}`;
    try {
      await this.deps.breaker.call("media.publish", (signal) =>
        this.deps.channel.publish(
          { postId, zone, ...post, sourceEventIds: taken.map((t) => t.eventId) },
          signal,
        ),
      );
    } catch (error) {
      // Put the items back so the next flush posts them; nothing is lost.
      await update<ZoneQueue>(
        this.deps.docs,
        key.pk,
        key.sk,
        () => EMPTY,
        (cur) => ({
          ...cur,
          pending: [...taken, ...cur.pending],
          lastPostAt: q.lastPostAt,
          posted: q.posted ?? [],
        }),
      );
      throw error;
    }
    await this.deps.bus.publishDerived(
      {
        detail: {
          meta: {
            eventId: first.eventId,
            correlationId: first.correlationId,
            lamport: first.lamport,
          },
        },
      },
      [
        {
          type: "MediaPostPublished",
          step: "post",
          payload: {
            postId,
            sourceEventId: first.eventId,
            sourceType: first.type,
            zone,
            channel: "press-feed",
            headline: post.headline,
            body: post.body,
          },
        },
      ],
    );
    return { posted: true };
  }
}
