/**
 * The event store's batch logic (no AWS here): each record's event is buffered, then the batch
 * commits ONE conditional put per stream holding all its events of the batch, in order. A stream
 * whose commit fails fails all its records (they share a FIFO group); other streams are kept.
 * A redelivered event, or one repeated in the batch, is acknowledged without a new version
 * (docs/RELIABILITY.md section 3).
 */
import {
  type BatchCommit,
  type CommitFailure,
  forEachConcurrently,
  type RecordHandler,
} from "../shared/batch.ts";
import type { AnyCityEvent } from "../shared/envelope.ts";
import type { BatchMetrics } from "../shared/observability.ts";
import type { EventStore, NewEvent } from "./store.ts";

export function toNewEvent(event: AnyCityEvent): NewEvent {
  const meta = event.detail.meta;
  return {
    eventId: meta.eventId,
    type: event.detailType,
    source: event.source,
    occurredAt: meta.occurredAt,
    streamId: meta.streamId,
    detail: event.detail as Readonly<Record<string, unknown>>,
  };
}

export class StreamBatcher<S> {
  private readonly buffer = new Map<string, { messageId: string; event: NewEvent }[]>();
  private metrics: BatchMetrics | undefined;

  constructor(
    private readonly store: EventStore<S>,
    /**
     * Streams committed at the same time. A FIFO batch holds at most 10 messages, so at most 10
     * streams: all of them in one round trip.
     */
    private readonly concurrency = 10,
  ) {}

  /** Buffers the record's event under its stream. */
  readonly handleRecord: RecordHandler = async (event, ctx) => {
    const e = toNewEvent(event);
    const list = this.buffer.get(e.streamId) ?? [];
    list.push({ messageId: ctx.record.messageId, event: e });
    this.buffer.set(e.streamId, list);
    this.metrics = ctx.metrics;
    return undefined;
  };

  /**
   * One commit per stream, different streams in parallel (at most `concurrency` at a time);
   * returns the records of the streams that failed.
   */
  readonly commit: BatchCommit = async () => {
    const failures: CommitFailure[] = [];
    const streams = [...this.buffer.entries()];
    this.buffer.clear();
    await forEachConcurrently(streams, this.concurrency, async ([streamId, items]) => {
      try {
        const result = await this.store.append(
          streamId,
          items.map((i) => i.event),
        );
        for (const stored of result.appended) this.metrics?.storedOne(stored.type);
      } catch (error) {
        for (const i of items) failures.push({ messageId: i.messageId, error });
      }
    });
    return failures;
  };

  /** Drops whatever a failed invocation left buffered. */
  reset(): void {
    this.buffer.clear();
  }
}
