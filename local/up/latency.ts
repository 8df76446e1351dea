/**
 * Latency samples of a run in bounded memory: every sample exactly up to `maxExact` (the
 * summary of a `--duration` run is then exact), a log-linear histogram of every sample (bounded:
 * about 1,500 buckets up to a day, relative error under 1/64 above 1 s) used once the exact
 * list is full, and a ring of the last `windowSize` samples for the live status line (a sliding
 * window, so the live p50/p99 keep moving in a long run).
 */

/** p-th percentile (nearest rank) of a sorted list; 0 when empty. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] ?? 0;
}

/** Exact below 1024 ms; above, 64 sub-buckets per power of two. */
const SUB_BUCKETS = 64;
function bucketOf(ms: number): number {
  const v = Math.max(0, Math.round(ms));
  if (v < 1024) return v;
  const exp = Math.floor(Math.log2(v));
  const sub = Math.floor((v / 2 ** exp - 1) * SUB_BUCKETS);
  return 1024 + (exp - 10) * SUB_BUCKETS + sub;
}
/** The lower bound of a bucket (the value reported for it). */
function lowerBoundOf(bucket: number): number {
  if (bucket < 1024) return bucket;
  const exp = Math.floor((bucket - 1024) / SUB_BUCKETS) + 10;
  const sub = (bucket - 1024) % SUB_BUCKETS;
  return Math.round(2 ** exp * (1 + sub / SUB_BUCKETS));
}

export interface Percentiles {
  readonly p50: number;
  readonly p99: number;
}

/** Samples of one series (one consumer, or all). */
export class LatencySeries {
  private readonly exact: number[] = [];
  private overflowed = false;
  private readonly histogram = new Map<number, number>();
  private count = 0;

  constructor(private readonly maxExact: number) {}

  add(ms: number): void {
    this.count++;
    const b = bucketOf(ms);
    this.histogram.set(b, (this.histogram.get(b) ?? 0) + 1);
    if (this.exact.length < this.maxExact) this.exact.push(ms);
    else this.overflowed = true;
  }

  get size(): number {
    return this.count;
  }

  /** Whether `percentiles()` is exact (every sample kept) or from the histogram. */
  get isExact(): boolean {
    return !this.overflowed;
  }

  percentiles(): Percentiles {
    if (!this.overflowed) {
      const sorted = [...this.exact].sort((a, b) => a - b);
      return { p50: percentile(sorted, 50), p99: percentile(sorted, 99) };
    }
    const buckets = [...this.histogram.entries()].sort((a, b) => a[0] - b[0]);
    const at = (p: number) => {
      const rank = Math.max(1, Math.ceil((p / 100) * this.count));
      let seen = 0;
      for (const [bucket, n] of buckets) {
        seen += n;
        if (seen >= rank) return lowerBoundOf(bucket);
      }
      return lowerBoundOf(buckets.at(-1)?.[0] ?? 0);
    };
    return { p50: at(50), p99: at(99) };
  }
}

/** The last `size` samples, overwritten in place. */
export class SlidingWindow {
  private readonly ring: number[] = [];
  private next = 0;

  constructor(private readonly size: number) {}

  add(ms: number): void {
    if (this.ring.length < this.size) this.ring.push(ms);
    else this.ring[this.next] = ms;
    this.next = (this.next + 1) % this.size;
  }

  percentiles(): Percentiles {
    const sorted = [...this.ring].sort((a, b) => a - b);
    return { p50: percentile(sorted, 50), p99: percentile(sorted, 99) };
  }
}
