/**
 * Latency statistics: nearest-rank percentiles over a sample, and a bounded reservoir so that
 * millions of sub-microsecond operations can be timed without keeping every sample.
 */
import { BenchError } from "./errors.ts";

export interface LatencyStats {
  /** Samples the statistics were computed from (may be fewer than the iterations). */
  readonly samples: number;
  readonly minMs: number;
  readonly meanMs: number;
  readonly p50Ms: number;
  readonly p95Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
}

/**
 * The p-th percentile (0 < p <= 100) of an ascending sample by the nearest-rank method: the
 * smallest value with at least p % of the sample at or below it. p = 0 gives the minimum.
 */
export function percentile(sortedAsc: ArrayLike<number>, p: number): number {
  if (sortedAsc.length === 0) {
    throw new BenchError("percentile: the sample is empty; at least one value is needed");
  }
  if (!(p >= 0 && p <= 100)) {
    throw new BenchError(`percentile: p must be a number from 0 to 100, got ${p}`);
  }
  const rank = Math.max(1, Math.ceil((p / 100) * sortedAsc.length));
  return sortedAsc[rank - 1] as number;
}

/** min / mean / p50 / p95 / p99 / max of latencies in milliseconds (any order). */
export function summarize(samplesMs: ArrayLike<number>): LatencyStats {
  if (samplesMs.length === 0) {
    throw new BenchError("summarize: no latency samples were recorded; nothing to summarize");
  }
  const sorted = Float64Array.from(samplesMs).sort();
  let sum = 0;
  for (const value of sorted) sum += value;
  return {
    samples: sorted.length,
    minMs: sorted[0] as number,
    meanMs: sum / sorted.length,
    p50Ms: percentile(sorted, 50),
    p95Ms: percentile(sorted, 95),
    p99Ms: percentile(sorted, 99),
    maxMs: sorted[sorted.length - 1] as number,
  };
}

/**
 * Keeps a uniform random sample of at most `capacity` values out of any number added
 * (Vitter's algorithm R), with a seeded PRNG so runs are comparable.
 */
export class Reservoir {
  readonly #values: Float64Array;
  readonly #random: () => number;
  #seen = 0;

  constructor(capacity: number, random: () => number) {
    if (!Number.isSafeInteger(capacity) || capacity < 1) {
      throw new BenchError(`Reservoir: capacity must be an integer >= 1, got ${capacity}`);
    }
    this.#values = new Float64Array(capacity);
    this.#random = random;
  }

  add(value: number): void {
    const seen = this.#seen++;
    if (seen < this.#values.length) {
      this.#values[seen] = value;
      return;
    }
    const slot = Math.floor(this.#random() * (seen + 1));
    if (slot < this.#values.length) this.#values[slot] = value;
  }

  /** How many values were added (not how many are kept). */
  get seen(): number {
    return this.#seen;
  }

  /** The kept sample. */
  values(): Float64Array {
    return this.#values.subarray(0, Math.min(this.#seen, this.#values.length));
  }
}
