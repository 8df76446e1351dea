/**
 * When a ramp step counts as sustained (docs/BENCHMARKS.md, "Sustained rate"): over the step's
 * steady window the publisher kept up with the offered rate, and the backlog (events the bus
 * accepted that the event store has not yet stored) did not grow by more than a tenth of the
 * events published in the window. Pure arithmetic on two samples, so it is unit tested.
 */

/** Counters read at one instant of a step. */
export interface StepSample {
  /** Milliseconds on a monotonic clock. */
  readonly atMs: number;
  /** Events PutEvents accepted so far. */
  readonly accepted: number;
  /** Of those, events the event store has stored so far. */
  readonly stored: number;
}

export interface SaturationRule {
  /** The publisher must reach this share of the offered rate. @default 0.9 */
  readonly minPublishedShare: number;
  /** Backlog growth allowed over the window, as a share of the events published in it. @default 0.1 */
  readonly maxBacklogGrowthShare: number;
  /** Beyond this backlog growth share, stop climbing. @default 0.25 */
  readonly stopBacklogGrowthShare: number;
  /** Below this share of the offered rate published, stop climbing. @default 0.7 */
  readonly stopPublishedShare: number;
}

export const DEFAULT_RULE: SaturationRule = {
  minPublishedShare: 0.9,
  maxBacklogGrowthShare: 0.1,
  stopBacklogGrowthShare: 0.25,
  stopPublishedShare: 0.7,
};

export interface StepVerdict {
  /** Events per second the bus accepted over the window. */
  readonly publishedPerSecond: number;
  /** Events per second the event store stored over the window. */
  readonly storedPerSecond: number;
  /** Backlog at the end of the window − at its start (events). */
  readonly backlogGrowth: number;
  readonly sustained: boolean;
  /** Clearly saturated: a higher offered rate would only measure the same ceiling. */
  readonly stopClimbing: boolean;
  /** Why it is not sustained ("" when it is). */
  readonly reason: string;
}

export function judgeStep(
  offeredPerSecond: number,
  start: StepSample,
  end: StepSample,
  rule: SaturationRule = DEFAULT_RULE,
): StepVerdict {
  const seconds = (end.atMs - start.atMs) / 1000;
  if (!(seconds > 0)) throw new RangeError(`the window must last > 0 s, got ${seconds} s`);
  const published = end.accepted - start.accepted;
  const publishedPerSecond = published / seconds;
  const storedPerSecond = (end.stored - start.stored) / seconds;
  const backlogGrowth = end.accepted - end.stored - (start.accepted - start.stored);
  const share = publishedPerSecond / offeredPerSecond;
  const growthShare = published > 0 ? backlogGrowth / published : 0;
  const reasons: string[] = [];
  if (share < rule.minPublishedShare) {
    reasons.push(
      `published ${publishedPerSecond.toFixed(1)}/s, under ${Math.round(rule.minPublishedShare * 100)} % of the offered ${offeredPerSecond}/s`,
    );
  }
  if (growthShare > rule.maxBacklogGrowthShare) {
    reasons.push(
      `backlog grew by ${backlogGrowth} events (${Math.round(growthShare * 100)} % of the ${published} published)`,
    );
  }
  return {
    publishedPerSecond,
    storedPerSecond,
    backlogGrowth,
    sustained: reasons.length === 0,
    stopClimbing: growthShare > rule.stopBacklogGrowthShare || share < rule.stopPublishedShare,
    reason: reasons.join("; "),
  };
}

/** The highest stored rate of a sustained step; 0 when no step was sustained. */
export function sustainedRate(verdicts: readonly StepVerdict[]): number {
  let best = 0;
  for (const v of verdicts) if (v.sustained) best = Math.max(best, v.storedPerSecond);
  return best;
}
