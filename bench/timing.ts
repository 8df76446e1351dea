/**
 * Measuring loops: run an operation for a time budget after a warm-up, timing every operation
 * with `performance.now()`. Throughput is operations over the wall time of the measured phase
 * (the per-operation timer calls, about 0.05 µs each, are inside it).
 */
import { performance } from "node:perf_hooks";
import { BenchError } from "./errors.ts";
import { Reservoir, summarize } from "./stats.ts";
import type { BenchRow } from "./types.ts";

/** Latency samples kept per row (uniform sample when there are more operations). */
const RESERVOIR_CAPACITY = 500_000;

export interface SyncLoopOptions {
  readonly label: string;
  readonly warmupMs: number;
  readonly durationMs: number;
  /** Items one operation handles (e.g. 10 events per PutEvents call). @default 1 */
  readonly itemsPerOp?: number;
  readonly throughputUnit: string;
  readonly latencyOf: string;
  readonly random: () => number;
}

/** Times `op(i)` (i = 0, 1, 2…) repeatedly; `op` must be synchronous. */
export function measureSync(op: (i: number) => unknown, options: SyncLoopOptions): BenchRow {
  let i = 0;
  const warmEnd = performance.now() + options.warmupMs;
  while (performance.now() < warmEnd) op(i++);
  const reservoir = new Reservoir(RESERVOIR_CAPACITY, options.random);
  const start = performance.now();
  const end = start + options.durationMs;
  let now = start;
  while (now < end) {
    const before = now;
    op(i++);
    now = performance.now();
    reservoir.add(now - before);
  }
  return rowOf(options, reservoir, now - start);
}

export interface AsyncLoopOptions extends Omit<SyncLoopOptions, "warmupMs"> {
  readonly warmupMs: number;
  /** Operations in flight at once (each worker awaits its own). @default 1 */
  readonly concurrency?: number;
  /** Called once, between the warm-up and the measured phase. */
  readonly onMeasureStart?: () => void;
}

/** Runs `op(worker, i)` back to back in `concurrency` workers; each operation is timed. */
export async function measureAsync(
  op: (worker: number, i: number) => Promise<unknown>,
  options: AsyncLoopOptions,
): Promise<BenchRow> {
  const concurrency = options.concurrency ?? 1;
  if (!Number.isSafeInteger(concurrency) || concurrency < 1) {
    throw new BenchError(`measureAsync: concurrency must be an integer >= 1, got ${concurrency}`);
  }
  let next = 0;
  const loop = async (worker: number, until: number, record?: Reservoir): Promise<void> => {
    while (performance.now() < until) {
      const before = performance.now();
      await op(worker, next++);
      record?.add(performance.now() - before);
    }
  };
  const workers = (until: number, record?: Reservoir) =>
    Promise.all(Array.from({ length: concurrency }, (_, w) => loop(w, until, record)));
  await workers(performance.now() + options.warmupMs);
  options.onMeasureStart?.();
  const reservoir = new Reservoir(RESERVOIR_CAPACITY, options.random);
  const start = performance.now();
  await workers(start + options.durationMs, reservoir);
  return rowOf(options, reservoir, performance.now() - start);
}

function rowOf(options: SyncLoopOptions, reservoir: Reservoir, elapsedMs: number): BenchRow {
  if (reservoir.seen === 0) {
    throw new BenchError(
      `${options.label}: no operation completed within ${options.durationMs} ms; raise the budget`,
    );
  }
  const items = reservoir.seen * (options.itemsPerOp ?? 1);
  return {
    label: options.label,
    iterations: reservoir.seen,
    throughput: items / (elapsedMs / 1000),
    throughputUnit: options.throughputUnit,
    latencyOf: options.latencyOf,
    latency: summarize(reservoir.values()),
  };
}

/** A row from latency samples collected elsewhere (e.g. around an inner call of the operation). */
export function rowFromSamples(
  samplesMs: readonly number[],
  row: Omit<BenchRow, "latency">,
): BenchRow {
  if (samplesMs.length === 0) {
    throw new BenchError(`${row.label}: no latency sample was recorded`);
  }
  return { ...row, latency: summarize(samplesMs) };
}
