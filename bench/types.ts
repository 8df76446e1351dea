/** The shapes shared by the runner, the benchmarks and the report writer. */
import type { CpuShare } from "./machine.ts";
import type { LatencyStats } from "./stats.ts";

/** One measured line of a benchmark's table. */
export interface BenchRow {
  /** What this row measured, e.g. "all 7 rule patterns per event". */
  readonly label: string;
  /** Operations completed in the measured phase (warm-up excluded). */
  readonly iterations: number;
  /** Items per second over the measured phase (wall clock). */
  readonly throughput: number;
  /** Unit of the throughput, e.g. "events/s". */
  readonly throughputUnit: string;
  /** What one latency sample is, e.g. "per event", "per PutEvents call". */
  readonly latencyOf: string;
  readonly latency: LatencyStats;
}

export interface MeasuredResult {
  readonly status: "measured";
  readonly name: string;
  readonly title: string;
  /** Exactly what was measured and how (markdown, one paragraph or bullet list). */
  readonly method: string;
  readonly rows: readonly BenchRow[];
  /** Extra facts worth keeping next to the table (markdown lines). */
  readonly notes: readonly string[];
}

export interface NotMeasuredResult {
  readonly status: "not-measured";
  readonly name: string;
  readonly title: string;
  readonly method: string;
  /** Why there are no numbers. */
  readonly reason: string;
}

export type BenchResult = MeasuredResult | NotMeasuredResult;

/** A finished benchmark with when and how it ran. */
export type RecordedResult = BenchResult & {
  /** ISO UTC time the benchmark finished. */
  readonly finishedAt: string;
  readonly mode: "full" | "quick";
  /** How the CPUs were shared while it ran. */
  readonly cpu?: CpuShare;
};

export interface BenchContext {
  readonly quick: boolean;
  /** Prints a progress line (stderr). */
  progress(message: string): void;
  /** The measuring time of a phase: `fullMs`, or `quickMs` with `--quick`. */
  budget(fullMs: number, quickMs: number): number;
  /** Seeded PRNG in [0, 1) for fixtures and sampling. */
  random(): number;
}

export interface Benchmark {
  /** Short id used by `--only`, e.g. "pattern-matching". */
  readonly name: string;
  readonly title: string;
  run(ctx: BenchContext): Promise<BenchResult>;
}
