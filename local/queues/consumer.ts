/**
 * What the local cloud's queue consumers share (the pipe runner, local/pipes/runner.ts, and the
 * Lambda runner's event source mappings, local/lambda/mapping.ts): the poll loops with their
 * start/stop, and the retry of the entries a batch call reports as Failed.
 */
import { setTimeout as sleep } from "node:timers/promises";
import type { BatchResult } from "./port.ts";

export interface PollLoopsOptions {
  /** A poll failed as a whole (e.g. the queue was deleted); the loop goes on after `backoffMs`. */
  readonly onError: (error: unknown) => void;
  /** Pause after a failed poll, so a broken queue is not hammered. @default 200 */
  readonly backoffMs?: number;
}

/** `count` loops calling `poll` until stopped; `signal` aborts their long polls on stop. */
export class PollLoops {
  private active = false;
  private abort = new AbortController();
  private readonly loops: Promise<void>[] = [];

  constructor(private readonly options: PollLoopsOptions) {}

  get running(): boolean {
    return this.active;
  }

  /** Aborted by `stop()`: pass it to the port's long polls. */
  get signal(): AbortSignal {
    return this.abort.signal;
  }

  start(count: number, poll: () => Promise<void>): void {
    if (this.active) return;
    this.active = true;
    this.abort = new AbortController();
    for (let i = 0; i < Math.max(1, count); i++) this.loops.push(this.loop(poll));
  }

  /** Ends the loops (a poll in progress finishes its batch) and waits for them. */
  async stop(): Promise<void> {
    this.active = false;
    this.abort.abort();
    await Promise.all(this.loops.splice(0));
  }

  private async loop(poll: () => Promise<void>): Promise<void> {
    while (this.active) {
      try {
        await poll();
      } catch (error) {
        if (!this.active) return;
        this.options.onError(error);
        await sleep(this.options.backoffMs ?? 200, undefined, { signal: this.signal }).catch(
          () => undefined,
        );
      }
    }
  }
}

export interface BatchRetryOptions<E extends { readonly id: string }> {
  readonly entries: readonly E[];
  /** Calls at most, the first included (at least 1). */
  readonly attempts: number;
  /** One batch call (SendMessageBatch, DeleteMessageBatch) for the entries still pending. */
  readonly call: (batch: readonly E[]) => Promise<BatchResult>;
  /** Entries an attempt succeeded for, as soon as it did. */
  readonly onSucceeded?: (done: readonly E[]) => void;
  /** Entries still failing and why, before attempt `next`. */
  readonly onRetry?: (pending: readonly E[], failure: string, next: number) => void;
}

export interface BatchRetryOutcome<E> {
  readonly succeeded: readonly E[];
  /** Entries that still failed after every attempt. */
  readonly failed: readonly E[];
  /** The last failure seen: the entries' codes and messages, or the call's error. */
  readonly failure: string;
}

/**
 * Runs a batch call, calling again for the entries it reported as Failed (or for all of them
 * when the call itself failed), as an AWS consumer must: a batch call's `Failed` is never
 * ignored. Resolves with what succeeded and what still failed.
 */
export async function retryFailedEntries<E extends { readonly id: string }>(
  options: BatchRetryOptions<E>,
): Promise<BatchRetryOutcome<E>> {
  const attempts = Math.max(1, options.attempts);
  const succeeded: E[] = [];
  let pending: readonly E[] = options.entries;
  let failure = "";
  for (let attempt = 1; attempt <= attempts && pending.length > 0; attempt++) {
    try {
      const result = await options.call(pending);
      const ok = new Set(result.successful);
      const done = pending.filter((e) => ok.has(e.id));
      succeeded.push(...done);
      if (done.length > 0) options.onSucceeded?.(done);
      pending = pending.filter((e) => !ok.has(e.id));
      failure = result.failed.map((f) => `${f.id}: ${f.code} ${f.message}`).join("; ");
    } catch (error) {
      failure = String(error);
    }
    if (pending.length > 0 && attempt < attempts) options.onRetry?.(pending, failure, attempt + 1);
  }
  return { succeeded, failed: pending, failure };
}
