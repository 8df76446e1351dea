/**
 * Backoff, once: an exponential ceiling (`base × 2^(n-1)`, capped) and the jitter variants the
 * city uses, each named for the AWS behaviour it mirrors. `random` is injected (seeded in tests
 * and replays, events/random.ts). See docs/RELIABILITY.md.
 */

/** The n-th retry's ceiling (n = 1 for the first retry): `min(max, base × 2^(n-1))`. */
export function exponentialCeiling(retry: number, base: number, max: number): number {
  return Math.min(max, base * 2 ** Math.max(0, retry - 1));
}

/** Delays of a retry policy in milliseconds. */
export interface DelayBounds {
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
}

/**
 * Full jitter, as the AWS SDKs retry a call: uniform in `[0, ceiling)`, floored. The event
 * publisher's PutEvents retry (events/publisher.ts).
 */
export function fullJitterDelayMs(
  retry: number,
  policy: DelayBounds,
  random: () => number,
): number {
  return Math.floor(random() * exponentialCeiling(retry, policy.baseDelayMs, policy.maxDelayMs));
}

/**
 * Equal jitter, as EventBridge retries a failed target delivery: half the ceiling plus a uniform
 * half, rounded. The local EventBridge's target retry (local/eventbridge/delivery/engine.ts).
 */
export function equalJitterDelayMs(
  retry: number,
  policy: DelayBounds,
  random: () => number,
): number {
  const ceiling = exponentialCeiling(retry, policy.baseDelayMs, policy.maxDelayMs);
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

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

/**
 * Symmetric jitter (± `jitter` of the ceiling, rounded, within [0, max]), as a consumer's
 * ChangeMessageVisibility backoff: the delay before the next receive after the
 * `receiveCount`-th failed receive, in seconds.
 */
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
  const raw = exponentialCeiling(Math.max(1, Math.floor(receiveCount)), base, max);
  const spread = raw * jitter * (random() * 2 - 1);
  return Math.max(0, Math.min(max, Math.round(raw + spread)));
}
