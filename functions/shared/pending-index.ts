/**
 * Pending time bounds, swept after every batch and by the scheduled sweep. Some work is due at
 * a time rather than on an event (a traffic gap's hold expiring, a media post's rate-limit
 * interval ending, an analytics window's close); waiting for the next event of the same key would
 * leave a quiet key pending forever. Services record here, per key, when it is next due (one
 * read-model document per service), and after each batch sweep every due key — at most `limit`
 * per invocation, oldest first, so the work stays bounded. On a quiet system the scheduled sweep
 * bounds the wait: `sweepEveryMinutes` in infra/topology.ts renders a rate rule invoking the
 * function with `{"Records": []}` (the local cloud invokes the same at the same rate), and the kit
 * runs the commit step and `afterBatch` for that empty event. A key is forgotten by its service
 * only once its due time was written here, so a failed write is retried by the next sweep.
 */
import { type DocumentStore, update } from "./documents.ts";

/** key -> epoch ms when it is next due. */
export type DueTimes = Readonly<Record<string, number>>;

export class PendingIndex {
  constructor(
    private readonly docs: DocumentStore,
    private readonly pk: string,
  ) {}

  /** Sets (number) or clears (undefined) keys' due times in one read-modify-write. */
  async merge(changes: ReadonlyMap<string, number | undefined>): Promise<DueTimes> {
    if (changes.size === 0) return this.read();
    return update<DueTimes>(
      this.docs,
      this.pk,
      "due",
      () => ({}),
      (cur) => {
        const next: Record<string, number> = { ...cur };
        for (const [key, at] of changes) {
          if (at === undefined) delete next[key];
          else next[key] = at;
        }
        return next;
      },
    );
  }

  /**
   * The sweep after a batch: visits the batch's keys and records their next due times, then
   * visits every other key due by then (at most `limit`, earliest first) and records theirs.
   * `visit` returns the key's next due time, or undefined when nothing is pending for it.
   */
  async sweep(
    touched: Iterable<string>,
    limit: number,
    now: () => number,
    visit: (key: string) => Promise<number | undefined>,
  ): Promise<void> {
    const visitAll = async (keys: Iterable<string>) => {
      const changes = new Map<string, number | undefined>();
      for (const key of keys) changes.set(key, await visit(key));
      return this.merge(changes);
    };
    const seen = new Set(touched);
    const index = await visitAll(seen);
    await visitAll(PendingIndex.due(index, now(), limit).filter((key) => !seen.has(key)));
  }

  async read(): Promise<DueTimes> {
    return (await this.docs.get<DueTimes>(this.pk, "due"))?.value ?? {};
  }

  /** Keys due at `now`, earliest first, at most `limit`. */
  static due(index: DueTimes, now: number, limit: number): string[] {
    return Object.entries(index)
      .filter(([, at]) => at <= now)
      .sort((a, b) => a[1] - b[1])
      .slice(0, limit)
      .map(([key]) => key);
  }
}
