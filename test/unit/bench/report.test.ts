/**
 * The benchmark runner's pure parts: percentiles, the markdown report and its merge into
 * docs/BENCHMARKS.md. Behaviour only; nothing here is timed.
 */
import { describe, expect, it } from "vitest";
import { BenchError } from "../../../bench/errors.ts";
import type { MachineFacts } from "../../../bench/machine.ts";
import {
  formatDuration,
  GENERATED_END,
  GENERATED_START,
  renderDocument,
  renderTable,
} from "../../../bench/report.ts";
import { percentile, Reservoir, summarize } from "../../../bench/stats.ts";
import type { BenchRow, RecordedResult } from "../../../bench/types.ts";

const oneToHundred = Array.from({ length: 100 }, (_, i) => i + 1);

describe("stats", () => {
  it("computes nearest-rank percentiles", () => {
    expect(percentile(oneToHundred, 50)).toBe(50);
    expect(percentile(oneToHundred, 95)).toBe(95);
    expect(percentile(oneToHundred, 99)).toBe(99);
    expect(percentile(oneToHundred, 100)).toBe(100);
    expect(percentile(oneToHundred, 0)).toBe(1);
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 95)).toBe(10);
    expect(percentile([7], 99)).toBe(7);
  });

  it("rejects an empty sample and a p outside 0..100, naming the value", () => {
    expect(() => percentile([], 50)).toThrow(BenchError);
    expect(() => percentile([1], 101)).toThrow(/from 0 to 100, got 101/);
  });

  it("summarizes an unsorted sample", () => {
    const shuffled = [...oneToHundred].reverse();
    expect(summarize(shuffled)).toEqual({
      samples: 100,
      minMs: 1,
      meanMs: 50.5,
      p50Ms: 50,
      p95Ms: 95,
      p99Ms: 99,
      maxMs: 100,
    });
  });

  it("keeps every value under capacity and at most `capacity` beyond it", () => {
    const small = new Reservoir(5, () => 0.5);
    for (const v of [3, 1, 2]) small.add(v);
    expect([...small.values()]).toEqual([3, 1, 2]);
    const full = new Reservoir(10, () => 0.99);
    for (const v of oneToHundred) full.add(v);
    expect(full.seen).toBe(100);
    expect(full.values()).toHaveLength(10);
  });
});

const row = (label: string, p50Ms: number): BenchRow => ({
  label,
  iterations: 12_345,
  throughput: 4_567.8,
  throughputUnit: "events/s",
  latencyOf: "per event",
  latency: { samples: 10, minMs: 0.1, meanMs: 1, p50Ms, p95Ms: 2.5, p99Ms: 1500, maxMs: 2000 },
});

describe("report", () => {
  it("renders one table row per measurement with units and escaped pipes", () => {
    const lines = renderTable([row("a | b", 0.00412)]).split("\n");
    expect(lines).toHaveLength(3);
    expect(lines[0]).toBe(
      "| Measurement | Iterations | Throughput | p50 | p95 | p99 | Latency of |",
    );
    expect(lines[2]).toBe(
      "| a \\| b | 12,345 | 4,568 events/s | 4.12 µs | 2.50 ms | 1.50 s | per event |",
    );
    expect(formatDuration(0.5)).toBe("500.00 µs");
    expect(formatDuration(0)).toBe("0 ms");
  });

  const machine: MachineFacts = {
    cpuModel: "Test CPU",
    cores: 2,
    cpuQuota: "none",
    memoryBytes: 8 * 1024 ** 3,
    freeMemoryBytes: 4 * 1024 ** 3,
    node: "v24.0.0",
    os: "Linux test x64",
    loadStart: 0.1,
    loadEnd: 0.2,
  };
  const recorded = (name: string, label: string): RecordedResult => ({
    status: "measured",
    name,
    title: `Title ${name}`,
    method: `- how ${name}`,
    rows: [row(label, 1)],
    notes: [],
    finishedAt: "2026-11-23T16:00:00.000Z",
    mode: "full",
  });

  it("replaces only the generated section and keeps other benchmarks' previous blocks", () => {
    const first = renderDocument("# Benchmarks\n\nHand-written intro.\n", {
      machine,
      generatedAt: "2026-11-23T16:00:00.000Z",
      results: [recorded("alpha", "old alpha"), recorded("beta", "old beta")],
      order: ["alpha", "beta"],
    });
    expect(first.startsWith("# Benchmarks\n\nHand-written intro.\n")).toBe(true);
    expect(first).toContain(GENERATED_START);
    expect(first).toContain("| CPU | Test CPU |");

    const second = renderDocument(`${first}\nTrailing text.\n`, {
      machine,
      generatedAt: "2026-11-23T17:00:00.000Z",
      results: [recorded("beta", "new beta")],
      order: ["alpha", "beta"],
    });
    expect(second).toContain("old alpha");
    expect(second).toContain("new beta");
    expect(second).not.toContain("old beta");
    expect(second.indexOf("old alpha")).toBeLessThan(second.indexOf("new beta"));
    expect(second.split(GENERATED_START)).toHaveLength(2);
    expect(second.endsWith("Trailing text.\n")).toBe(true);
    expect(second.indexOf(GENERATED_END)).toBeLessThan(second.indexOf("Trailing text."));
  });

  it("says a benchmark was not measured, with the reason", () => {
    const doc = renderDocument(undefined, {
      machine,
      generatedAt: "2026-11-23T16:00:00.000Z",
      results: [
        {
          status: "not-measured",
          name: "e2e",
          title: "End to end",
          method: "- how",
          reason: "the local cloud is not there yet",
          finishedAt: "2026-11-23T16:00:00.000Z",
          mode: "full",
        },
      ],
      order: ["e2e"],
    });
    expect(doc).toContain("**Not yet measured.** the local cloud is not there yet");
    expect(doc).not.toContain("| Measurement |");
  });
});
