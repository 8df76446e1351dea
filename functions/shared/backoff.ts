/**
 * Exponential backoff of failed records by visibility timeout: a record failing for the n-th
 * time stays invisible base * 2^(n-1) seconds (capped), with seeded jitter so retries spread.
 */
export interface BackoffPolicy {
  /** @default 2 */
  readonly baseSeconds?: number;
  /** @default 300 (SQS allows up to 43,200) */
  readonly maxSeconds?: number;
  /** Fraction of the delay randomised, 0..1. @default 0.2 */
  readonly jitter?: number;
}

/** Delay before the next receive after the `receiveCount`-th failed receive. */
export function backoffSeconds(
  receiveCount: number,
  policy: BackoffPolicy = {},
  random: () => number = Math.random,
): number {
  const base = policy.baseSeconds ?? 2;
  const max = policy.maxSeconds ?? 300;
  const jitter = policy.jitter ?? 0.2;
  if (!(base > 0) || !(max >= base) || !(jitter >= 0 && jitter <= 1)) {
    throw new RangeError(
      `Invalid backoff policy ${JSON.stringify(policy)}: baseSeconds > 0, maxSeconds >= baseSeconds and 0 <= jitter <= 1 are required`,
    );
  }
  const n = Math.max(1, Math.floor(receiveCount));
  const raw = Math.min(max, base * 2 ** (n - 1));
  const spread = raw * jitter * (random() * 2 - 1);
  return Math.max(0, Math.min(max, Math.round(raw + spread)));
}

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
