/**
 * The bookkeeping of one `CityEventPublisher` send across its attempts (events/publisher.ts):
 * which entries were published, which are retried, which failed for good, and the error that
 * reports them.
 */
import type { PutEventsRequestEntry } from "@aws-sdk/client-eventbridge";
import type { AnyCityEvent } from "./catalog.ts";
import { causeOfFailures, type FailedEntry, PublishFailedError } from "./errors.ts";

/** An event being sent: its place in the caller's list and its PutEvents entry. */
export interface SendItem {
  readonly event: AnyCityEvent;
  readonly index: number;
  readonly entry: PutEventsRequestEntry;
}

/** The state of a send across its attempts, by item index. */
export interface SendRound {
  readonly published: Set<number>;
  /** Failed for good (permanent errors, and after the last attempt, the last failures). */
  readonly failed: Map<number, FailedEntry>;
  /** This attempt's retryable failures: retried by the next attempt. */
  retry: SendItem[];
  lastFailure: Map<number, FailedEntry>;
}

export function recordFailure(
  round: SendRound,
  it: SendItem,
  code: string,
  message: string,
  permanent: boolean,
  cause?: unknown,
): void {
  const f: FailedEntry = {
    eventId: it.event.detail.meta.eventId,
    type: it.event.detailType,
    errorCode: code,
    errorMessage: message,
    ...(cause === undefined ? {} : { cause }),
  };
  if (permanent) round.failed.set(it.index, f);
  else {
    round.lastFailure.set(it.index, f);
    round.retry.push(it);
  }
}

export function publishFailure(
  items: readonly SendItem[],
  round: SendRound,
  attempts: number,
): PublishFailedError {
  const failed = [...round.failed.entries()].sort(([a], [b]) => a - b).map(([, f]) => f);
  const ok = items
    .filter((it) => round.published.has(it.index))
    .map((it) => it.event.detail.meta.eventId);
  const unpublished = items.filter((it) => round.failed.has(it.index)).map((it) => it.event);
  const cause = causeOfFailures(failed);
  return new PublishFailedError(failed, ok, attempts, {
    unpublished,
    ...(cause === undefined ? {} : { cause }),
  });
}
