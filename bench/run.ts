/**
 * `npm run bench [-- --json] [-- --quick] [-- --only NAME[,NAME]] [-- --no-write | --write] [-- --out FILE]`
 *
 * By default measures the city end to end (bench/city/): prints progress on stderr, a summary
 * (or with `--json` one JSON object) on stdout, writes the figures into docs/BENCHMARKS.md and
 * bench/results/last.json (read by `buzzville cost`). `--only` runs micro-benchmarks instead.
 * Full runs write; a `--quick` smoke run writes only with `--write`. Never part of `npm test`.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { seededRandom } from "../events/random.ts";
import { parseRunArgs, usage } from "./args.ts";
import { BENCHMARKS, CITY } from "./benchmarks.ts";
import { runCityBench } from "./city/index.ts";
import { LAST_RUN_JSON, renderCitySection, withCitySection } from "./city/report.ts";
import { BenchError } from "./errors.ts";
import { cpuMeter, machineFacts } from "./machine.ts";
import { formatCount, formatDuration, renderDocument } from "./report.ts";
import type { BenchContext, RecordedResult } from "./types.ts";

/** A benchmark that runs longer than this is abandoned (the process exits at the end anyway). */
const WATCHDOG_MS = { full: 180_000, quick: 60_000 } as const;

function withWatchdog<T>(name: string, work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new BenchError(`${name} did not finish within ${ms / 1000} s; abandoned`)),
      ms,
    );
    timer.unref();
  });
  return Promise.race([work, expired]).finally(() => clearTimeout(timer));
}

function seedOf(name: string): number {
  let h = 2166136261;
  for (const c of name) h = Math.imul(h ^ c.charCodeAt(0), 16777619);
  return h >>> 0;
}

type Options = Exclude<ReturnType<typeof parseRunArgs>, "help">;
type Log = (message: string) => void;

async function runCity(options: Options, log: Log): Promise<number> {
  const machine = machineFacts();
  log(
    `city end to end on ${machine.facts.cpuModel}, ${machine.facts.cores} cores, Node ${machine.facts.node}, load ${machine.facts.loadStart.toFixed(2)}`,
  );
  const result = await runCityBench({
    quick: options.quick,
    machine: machine.finish,
    random: seededRandom(seedOf(CITY)),
    progress: (m) => log(`city: ${m}`),
  });
  if (options.json) process.stdout.write(`${JSON.stringify(result)}\n`);
  else {
    process.stdout.write(
      `city | sustained ${result.sustainedEventsPerSecond} events/s, ${result.cpuMsPerEvent} CPU ms/event, ${result.requestsPerEvent.total} requests/event, ceilingRatio ${result.ceilingRatio}, burst ${result.burst.stored}/${result.burst.events} in ${result.burst.drainSeconds ?? "–"} s, isolationRatio ${result.isolationRatio}, RSS ${result.rssMB} MB\n`,
    );
  }
  if (options.write) {
    const previous = existsSync(options.out) ? readFileSync(options.out, "utf8") : "# Benchmarks\n";
    writeFileSync(options.out, withCitySection(previous, renderCitySection(result)));
    mkdirSync("bench/results", { recursive: true });
    writeFileSync(LAST_RUN_JSON, `${JSON.stringify(result, null, 2)}\n`);
    log(`wrote ${options.out} and ${LAST_RUN_JSON}`);
  }
  return 0;
}

/** A progress logger on stderr, stamped with the seconds since `started`. */
function timedLog(started: number): Log {
  return (message) => {
    const t = ((performance.now() - started) / 1000).toFixed(1).padStart(6);
    process.stderr.write(`[bench ${t}s] ${message}\n`);
  };
}

type Benchmark = (typeof BENCHMARKS)[number];
type Measured = Awaited<ReturnType<Benchmark["run"]>>;

/** One summary line per row (or why it was not measured) on stdout. */
function printResult(name: string, result: Measured): void {
  if (result.status !== "measured") {
    process.stdout.write(`${name} | not measured: ${result.reason}\n`);
    return;
  }
  for (const row of result.rows) {
    process.stdout.write(
      `${name} | ${row.label.replaceAll("`", "")}: ${formatCount(row.throughput)} ${row.throughputUnit}, p50 ${formatDuration(row.latency.p50Ms)}, p99 ${formatDuration(row.latency.p99Ms)} (${row.latencyOf}, ${formatCount(row.iterations)} iterations)\n`,
    );
  }
  for (const note of result.notes) process.stdout.write(`${name} | note: ${note}\n`);
}

/**
 * Runs one micro-benchmark under its watchdog: its recorded result, or after a failure a
 * not-measured entry when the report has no earlier figures for it (else none: the report keeps
 * the last good numbers). `ok` is false after a failure.
 */
async function runMicro(
  bench: Benchmark,
  options: Options,
  log: Log,
  previous: string | undefined,
): Promise<{ ok: boolean; recorded?: RecordedResult }> {
  const mode = options.quick ? "quick" : "full";
  const ctx: BenchContext = {
    quick: options.quick,
    progress: (message) => log(`${bench.name}: ${message}`),
    budget: (fullMs, quickMs) => (options.quick ? quickMs : fullMs),
    random: seededRandom(seedOf(bench.name)),
  };
  log(`${bench.name}: start`);
  const meter = cpuMeter();
  try {
    const result = await withWatchdog(bench.name, bench.run(ctx), WATCHDOG_MS[mode]);
    const cpu = meter.stop();
    printResult(bench.name, result);
    log(`${bench.name}: done`);
    return { ok: true, recorded: { ...result, finishedAt: new Date().toISOString(), mode, cpu } };
  } catch (error) {
    log(`${bench.name}: FAILED: ${String(error)}`);
    if (error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
    if (previous?.includes(`<!-- bench:${bench.name}:start -->`)) return { ok: false };
    const recorded: RecordedResult = {
      status: "not-measured",
      name: bench.name,
      title: bench.title,
      method: "",
      reason: `The last run failed: ${String(error)}`,
      finishedAt: new Date().toISOString(),
      mode,
    };
    return { ok: false, recorded };
  }
}

/** The selected micro-benchmarks, one after the other, then the report; 1 if any failed. */
async function runMicros(options: Options): Promise<number> {
  const mode = options.quick ? "quick" : "full";
  const selected = BENCHMARKS.filter((b) => options.only.includes(b.name));
  const machine = machineFacts();
  const runStart = performance.now();
  const log = timedLog(runStart);
  log(
    `${mode} run of ${selected.map((b) => b.name).join(", ")} on ${machine.facts.cpuModel}, ${machine.facts.cores} cores, Node ${machine.facts.node}, load ${machine.facts.loadStart.toFixed(2)}`,
  );
  const previous = existsSync(options.out) ? readFileSync(options.out, "utf8") : undefined;
  const results: RecordedResult[] = [];
  let failed = 0;
  for (const bench of selected) {
    const { ok, recorded } = await runMicro(bench, options, log, previous);
    if (!ok) failed++;
    if (recorded) results.push(recorded);
  }
  if (options.write && results.length > 0) {
    const document = renderDocument(previous, {
      machine: machine.finish(),
      generatedAt: new Date().toISOString(),
      results,
      order: BENCHMARKS.map((b) => b.name),
    });
    writeFileSync(options.out, document);
    log(`wrote ${options.out}`);
  } else {
    log(
      options.write
        ? "nothing to write"
        : `not written (${options.quick ? "--quick without --write" : "--no-write"})`,
    );
  }
  log(`finished in ${((performance.now() - runStart) / 1000).toFixed(1)} s`);
  return failed > 0 ? 1 : 0;
}

async function main(argv: readonly string[]): Promise<number> {
  const names = [CITY, ...BENCHMARKS.map((b) => b.name)];
  const options = parseRunArgs(argv, names);
  if (options === "help") {
    process.stdout.write(usage(names));
    return 0;
  }
  if (options.only.length === 0 || options.only.includes(CITY)) {
    const code = await runCity(options, timedLog(performance.now()));
    if (options.only.length <= 1) return code;
  }
  return runMicros(options);
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`${error instanceof BenchError ? error.message : String(error)}\n`);
    process.exit(2);
  },
);
