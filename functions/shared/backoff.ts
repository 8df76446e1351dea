/** The consumers' visibility backoff (implemented once, with the other variants, in events/backoff.ts). */
export { type BackoffPolicy, backoffSeconds } from "../../events/backoff.ts";

/** A deterministic PRNG (mulberry32) for seeded jitter: the catalog's own. */
export { seededRandom } from "../../events/random.ts";

/** Port: make a received message invisible for a while (SQS ChangeMessageVisibility). */
export interface VisibilityPort {
  changeVisibility(
    changes: readonly { queueArn: string; receiptHandle: string; seconds: number }[],
  ): Promise<void>;
}

/** In-memory adapter: records the requested changes. */
export class InMemoryVisibility implements VisibilityPort {
  readonly changes: { queueArn: string; receiptHandle: string; seconds: number }[] = [];
  async changeVisibility(
    changes: readonly { queueArn: string; receiptHandle: string; seconds: number }[],
  ): Promise<void> {
    this.changes.push(...changes);
  }
}
