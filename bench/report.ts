/**
 * Renders results as markdown and writes them into docs/BENCHMARKS.md between markers, keeping
 * the hand-written text around them and, with `--only`, the other benchmarks' last results.
 */
import { type CpuShare, type MachineFacts, wasBusy } from "./machine.ts";
import type { BenchRow, RecordedResult } from "./types.ts";

export const GENERATED_START = "<!-- bench:generated:start -->";
export const GENERATED_END = "<!-- bench:generated:end -->";
const blockStart = (name: string) => `<!-- bench:${name}:start -->`;
const blockEnd = (name: string) => `<!-- bench:${name}:end -->`;

/** 0.000412 ms → "0.41 µs"; 3.456 → "3.46 ms"; 1234 → "1.23 s"; 0 → "0 ms". */
export function formatDuration(ms: number): string {
  if (ms === 0) return "0 ms";
  if (ms < 1) return `${(ms * 1000).toFixed(2)} µs`;
  if (ms < 1000) return `${ms.toFixed(2)} ms`;
  return `${(ms / 1000).toFixed(2)} s`;
}

/** 1234567.8 → "1,234,568"; 12.34 → "12.3"; whole numbers stay whole (40 → "40"). */
export function formatCount(n: number): string {
  if (n < 100 && !Number.isInteger(n)) return n.toFixed(1);
  return Math.round(n).toLocaleString("en-US");
}

const cell = (text: string) => text.replaceAll("|", "\\|").replaceAll("\n", " ");

/** One markdown table for a benchmark's rows. */
export function renderTable(rows: readonly BenchRow[]): string {
  const lines = [
    "| Measurement | Iterations | Throughput | p50 | p95 | p99 | Latency of |",
    "| --- | ---: | ---: | ---: | ---: | ---: | --- |",
  ];
  for (const row of rows) {
    lines.push(
      `| ${[
        cell(row.label),
        formatCount(row.iterations),
        `${formatCount(row.throughput)} ${cell(row.throughputUnit)}`,
        formatDuration(row.latency.p50Ms),
        formatDuration(row.latency.p95Ms),
        formatDuration(row.latency.p99Ms),
        cell(row.latencyOf),
      ].join(" | ")} |`,
    );
  }
  return lines.join("\n");
}

function cpuLine(cpu: CpuShare | undefined, cores: number): string | undefined {
  if (!cpu) return undefined;
  const others =
    cpu.others === undefined ? "unknown" : `${cpu.others.toFixed(2)} of ${cores} cores`;
  return `CPU while it ran: this benchmark ${cpu.ours.toFixed(2)} cores, other processes ${others}.`;
}

/** The block of one benchmark, markers included. */
export function renderResult(result: RecordedResult, cores: number): string {
  const parts = [
    blockStart(result.name),
    `### ${result.title}`,
    "",
    `Measured ${result.finishedAt} (${result.mode} mode). \`--only ${result.name}\` reruns it.`,
    "",
    ...(result.method ? [result.method, ""] : []),
  ];
  if (result.status === "measured") {
    parts.push(renderTable(result.rows), "");
    const cpu = cpuLine(result.cpu, cores);
    for (const note of [...result.notes, ...(cpu ? [cpu] : [])]) parts.push(`- ${note}`);
    if (result.notes.length > 0 || cpu) parts.push("");
  } else {
    parts.push(`**Not yet measured.** ${result.reason}`, "");
  }
  parts.push(blockEnd(result.name));
  return parts.join("\n");
}

const GiB = 1024 ** 3;

/**
 * The machine table and, when other processes used the CPUs during the run (`othersMaxCores`,
 * the most any benchmark saw), a warning: strong when the machine was busy.
 */
export function renderMachine(
  machine: MachineFacts,
  generatedAt: string,
  busy: boolean,
  othersMaxCores?: number,
): string {
  const lines = [
    "| Machine | |",
    "| --- | --- |",
    `| CPU | ${cell(machine.cpuModel)} |`,
    `| Cores available | ${machine.cores} (cgroup CPU quota: ${machine.cpuQuota}) |`,
    `| Memory | ${(machine.memoryBytes / GiB).toFixed(1)} GiB (${(machine.freeMemoryBytes / GiB).toFixed(1)} GiB free at start) |`,
    `| Node | ${machine.node} |`,
    `| OS | ${cell(machine.os)} |`,
    `| Load average (1 min) | ${machine.loadStart.toFixed(2)} at start, ${machine.loadEnd.toFixed(2)} at end |`,
  ];
  const head = [`Last run: ${generatedAt}, \`npm run bench\`.`, "", ...lines, ""];
  if (busy) {
    head.push(
      "> **Shared, busy machine.** Other processes (other engineers' test runs) competed for the same cores while these numbers were taken; see each benchmark's CPU line. Treat them as conservative and noisy, not as the capacity of an idle machine.",
      "",
    );
  } else if (othersMaxCores !== undefined && othersMaxCores >= 0.05) {
    head.push(
      `> **Shared machine.** Other processes used up to ${othersMaxCores.toFixed(2)} of ${machine.cores} cores while these numbers were taken (see each benchmark's CPU line); on an idle machine they would be somewhat better.`,
      "",
    );
  }
  return head.join("\n");
}

export interface DocumentRun {
  readonly machine: MachineFacts;
  readonly generatedAt: string;
  /** Results of this run. */
  readonly results: readonly RecordedResult[];
  /** Every benchmark's name, in the order the document lists them. */
  readonly order: readonly string[];
  /** Whether other processes competed for the CPUs. @default computed from the results */
  readonly busy?: boolean;
}

/** The block of `name` in an earlier document, if any. */
function previousBlock(previous: string, name: string): string | undefined {
  const start = previous.indexOf(blockStart(name));
  const end = previous.indexOf(blockEnd(name), start);
  if (start < 0 || end < 0) return undefined;
  return previous.slice(start, end + blockEnd(name).length);
}

const DEFAULT_HEAD = "# Benchmarks\n\nGenerated by `npm run bench` (see `bench/`).\n\n";

/**
 * The document with its generated section replaced: the machine table, then each benchmark in
 * `order`, this run's block when it ran, else the previous document's block, else nothing.
 */
export function renderDocument(previous: string | undefined, run: DocumentRun): string {
  const old = previous ?? "";
  const busy =
    run.busy ?? run.results.some((r) => r.cpu !== undefined && wasBusy(run.machine, r.cpu));
  const others = run.results.flatMap((r) => (r.cpu?.others === undefined ? [] : [r.cpu.others]));
  const othersMax = others.length > 0 ? Math.max(...others) : undefined;
  const blocks = run.order.flatMap((name) => {
    const fresh = run.results.find((r) => r.name === name);
    if (fresh) return [renderResult(fresh, run.machine.cores)];
    const kept = previousBlock(old, name);
    return kept ? [kept] : [];
  });
  const section = [
    GENERATED_START,
    "## Latest results",
    "",
    renderMachine(run.machine, run.generatedAt, busy, othersMax),
    blocks.join("\n\n"),
    GENERATED_END,
  ].join("\n");
  const start = old.indexOf(GENERATED_START);
  const end = old.indexOf(GENERATED_END, start);
  if (start >= 0 && end >= 0) {
    return `${old.slice(0, start)}${section}${old.slice(end + GENERATED_END.length)}`;
  }
  const head = old.trim().length > 0 ? `${old.trimEnd()}\n\n` : DEFAULT_HEAD;
  return `${head}${section}\n`;
}
