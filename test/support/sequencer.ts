/**
 * Test files' order: vitest's own (projects in turn; within one, the longest first by the last
 * run's durations, else the largest file first), with the files known to run longest moved to the
 * front of their project. A fresh clone has no durations yet, so by size alone the 10,000-event
 * no-loss run (a small file) started about 50 s into the suite and ran on alone at its end
 * (docs/TESTING.md "How `npm test` keeps to its time").
 */
import { BaseSequencer, type TestSpecification } from "vitest/node";

/** Longest first, as measured in a whole suite on this 2-core machine (wall seconds, 3 December). */
const LONGEST = [
  "test/integration/resilience/no-loss.test.ts", // 113 s
  "test/integration/simulator/services-outcomes.test.ts", // 58 s
  "test/integration/local/up-cli.test.ts", // 36 s
  "test/integration/local/hardening-saga.test.ts", // 24 s
  "test/integration/console/console.test.ts", // 23 s
  "test/integration/local/lambda-runner.test.ts", // 22 s
  "test/integration/functions/local-cloud.test.ts", // 22 s
  "test/integration/local/up-builtin.test.ts", // 19 s
  "test/integration/local/aws-cli.test.ts", // 17 s
  "test/integration/functions/breaker-local-cloud.test.ts", // 14 s
  "test/integration/resilience/poison.test.ts", // 14 s
  "test/integration/ops/projections.test.ts", // 12 s
];

function rank(spec: TestSpecification): number {
  const at = LONGEST.findIndex((file) => spec.moduleId.endsWith(file));
  return at < 0 ? LONGEST.length : at;
}

export default class LongestFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const position = new Map(sorted.map((spec, i) => [spec, i]));
    const start = new Map<string, number>();
    for (const [spec, i] of position) {
      if (!start.has(spec.project.name)) start.set(spec.project.name, i);
    }
    // Stable within a project: its known-longest files first, then vitest's order.
    return [...sorted].sort((a, b) => {
      const byProject = (start.get(a.project.name) ?? 0) - (start.get(b.project.name) ?? 0);
      if (byProject !== 0) return byProject;
      return rank(a) - rank(b) || (position.get(a) ?? 0) - (position.get(b) ?? 0);
    });
  }
}
