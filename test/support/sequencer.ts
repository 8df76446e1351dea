/**
 * Vitest's order of test files, with the longest-running files first. Vitest sorts by the
 * durations of the previous run, or by file size when it has none (a fresh clone, as in CI): the
 * files that run a city for a minute or more would then start in the middle of the suite and
 * finish last, alone on the cores. Listed here, they start first and overlap the short files.
 */
import { BaseSequencer, type TestSpecification } from "vitest/node";

/** The files that run longest, longest first (measured: docs/RELIABILITY.md, "What was tried"). */
const LONGEST = [
  /resilience\/no-loss\.test\.ts$/,
  /simulator\/chaos-outcomes\.test\.ts$/,
  /simulator\/services-outcomes\.test\.ts$/,
  /resilience\/ordering\.test\.ts$/,
  /ops\/projections\.test\.ts$/,
  /local\/up-cli\.test\.ts$/,
];

export class LongestFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const rank = (f: TestSpecification) => {
      const i = LONGEST.findIndex((re) => re.test(f.moduleId));
      return i < 0 ? LONGEST.length : i;
    };
    return sorted
      .map((file, index) => ({ file, index }))
      .sort((a, b) => rank(a.file) - rank(b.file) || a.index - b.index)
      .map((x) => x.file);
  }
}
