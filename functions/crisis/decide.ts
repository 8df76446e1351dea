/**
 * The crisis decision (docs/OPERATIONS.md, "Crisis mode"), one pure function for both clouds: the
 * AWS controller Lambda feeds it the critical-backlog alarm's readings, the local monitor the
 * critical queues' attributes. Enter at once when critical work backs up; leave only after
 * `calmChecks` consecutive calm readings (hysteresis), so the info rules do not flap.
 */
import type { CrisisSpec } from "../../infra/topology.ts";

export type CrisisMode = "normal" | "crisis";

/** What the critical queues look like now. */
export interface CriticalBacklog {
  /** Messages waiting in every critical queue, in total. */
  readonly depth: number;
  /** Age of the oldest waiting critical message, seconds (0 when unknown or empty). */
  readonly oldestSeconds: number;
}

/** The controller's memory between checks. */
export interface CrisisState {
  readonly mode: CrisisMode;
  /** Consecutive calm readings while in crisis. */
  readonly calm: number;
  /** Who set the mode: an operator's `crisis on|off` pins it until the next operator command. */
  readonly pinnedBy?: "operator";
}

export const NORMAL: CrisisState = { mode: "normal", calm: 0 };

export interface CrisisDecision {
  readonly next: CrisisState;
  /** Set when the mode changes: why, in words (goes into the CrisisModeChanged event). */
  readonly transition?: {
    readonly from: CrisisMode;
    readonly to: CrisisMode;
    readonly reason: string;
  };
}

/** One observation: breached the enter thresholds, below the exit ones, or in between. */
export interface Reading {
  readonly backedUp: boolean;
  readonly calm: boolean;
  /** In words, for the transition's reason. */
  readonly text: string;
  /** The measured backlog, when there is one (the local monitor's readings). */
  readonly backlog?: CriticalBacklog;
}

/** A measured backlog against the thresholds (the local monitor). */
export function readingOf(spec: CrisisSpec, b: CriticalBacklog): Reading {
  return {
    backedUp: b.oldestSeconds > spec.enterOldestSeconds || b.depth > spec.enterDepth,
    calm: b.oldestSeconds <= spec.exitOldestSeconds && b.depth <= spec.exitDepth,
    text: `critical depth ${b.depth}, oldest ${Math.round(b.oldestSeconds)} s`,
    backlog: b,
  };
}

/**
 * The AWS critical-backlog alarm's state (infra/constructs/crisis-shedding.ts): ALARM = breached;
 * OK = calm (CloudWatch reports OK only after `spec.calmChecks` calm periods, so pass
 * `calmWeight = spec.calmChecks` to decide()); INSUFFICIENT_DATA = neither.
 */
export function readingOfAlarm(alarmName: string, state: string): Reading {
  return {
    backedUp: state === "ALARM",
    calm: state === "OK",
    text: `alarm ${alarmName} is ${state}`,
  };
}

/**
 * The next state after one reading. An operator-pinned mode is kept whatever the reading.
 * `calmWeight`: how many consecutive calm checks a calm reading stands for (see readingOfAlarm).
 */
export function decide(
  spec: CrisisSpec,
  state: CrisisState,
  r: Reading,
  calmWeight = 1,
): CrisisDecision {
  if (state.pinnedBy === "operator") return { next: state };
  if (state.mode === "normal") {
    if (!r.backedUp) return { next: state };
    return {
      next: { mode: "crisis", calm: 0 },
      transition: {
        from: "normal",
        to: "crisis",
        reason: `${r.text} (enter above depth ${spec.enterDepth} or ${spec.enterOldestSeconds} s)`,
      },
    };
  }
  if (!r.calm) return { next: { mode: "crisis", calm: 0 } };
  const calm = state.calm + calmWeight;
  if (calm < spec.calmChecks) return { next: { mode: "crisis", calm } };
  return {
    next: NORMAL,
    transition: {
      from: "crisis",
      to: "normal",
      reason: `${r.text}, calm for ${calm} checks (leave at most depth ${spec.exitDepth} and ${spec.exitOldestSeconds} s)`,
    },
  };
}

/** An operator's command: pins the mode (`on`/`off`), or hands it back to the monitor (`auto`). */
export function operatorCommand(
  state: CrisisState,
  command: "on" | "off" | "auto",
): CrisisDecision {
  if (command === "auto") return { next: { mode: state.mode, calm: 0 } };
  const mode: CrisisMode = command === "on" ? "crisis" : "normal";
  const next: CrisisState = { mode, calm: 0, pinnedBy: "operator" };
  if (mode === state.mode) return { next };
  return {
    next,
    transition: { from: state.mode, to: mode, reason: `operator: crisis ${command}` },
  };
}
