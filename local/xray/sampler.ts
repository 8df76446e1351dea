/**
 * X-Ray's default sampling rule, decided where a trace starts: the first request of each second
 * (the reservoir) and 5 % of the others (the fixed rate). Unsampled traces still carry their
 * header (`Sampled=0`), so every hop downstream makes the same decision and records nothing.
 * See docs/OPERATIONS.md "Traces" (sampling).
 */

export interface SamplingRule {
  /** Requests sampled each second before the fixed rate applies. @default 1 */
  readonly reservoirPerSecond: number;
  /** Share of the other requests sampled, 0..1. @default 0.05 */
  readonly fixedRate: number;
}

export const DEFAULT_SAMPLING_RULE: SamplingRule = { reservoirPerSecond: 1, fixedRate: 0.05 };

/** Every trace sampled (tests, debugging one flow): costs a segment per hop for every event. */
export const SAMPLE_ALL: SamplingRule = { reservoirPerSecond: 0, fixedRate: 1 };

export class Sampler {
  private second = -1;
  private taken = 0;

  constructor(
    private readonly rule: SamplingRule = DEFAULT_SAMPLING_RULE,
    private readonly now: () => number = Date.now,
    private readonly random: () => number = Math.random,
  ) {}

  /** The decision for a trace starting now. */
  sample(): boolean {
    const second = Math.floor(this.now() / 1000);
    if (second !== this.second) {
      this.second = second;
      this.taken = 0;
    }
    if (this.taken < this.rule.reservoirPerSecond) {
      this.taken++;
      return true;
    }
    return this.random() < this.rule.fixedRate;
  }
}
