/**
 * The simulator runner: plays a scenario against an EventBridge bus in real time.
 *
 * Stable API (the local cloud's `buzzville up` and the CLI call it):
 *
 *   runScenario({
 *     scenario,          // "normal-day" | "rush-hour" | "storm" | "fire" | "crisis" | "chaos", or a Scenario
 *     rate?,             // base events per second (default 10); crisis adds 10x info readings on top
 *     durationSeconds?,  // default 60
 *     seed?,             // default 42: same seed → same city and same drafts (ids and times too on a virtual clock)
 *     busName,           // the bus name or ARN (e.g. from the local deployment / CDK output)
 *     client?,           // an EventBridgeClient; default new EventBridgeClient({}) (AWS_ENDPOINT_URL, AWS_REGION… apply)
 *     onProgress?,       // called about every progressIntervalMs and once at the end
 *     signal?,           // AbortSignal: stop early, the summary says aborted
 *     clock?,            // default the system clock; a VirtualClock replays instantly
 *     progressIntervalMs?, chaos?, retry?, concurrency?, runTag?, maxAcceptedIds?, city?,
 *     batchWindowMs?
 *   }): Promise<RunSummary>
 *
 * Each device publishes as producer `<device id>:<runTag>` (its own sequence and Lamport clock
 * per run). Steps are sent when their time comes (start + atMs), gathered per batch window
 * (`batchWindowMs`, 200): the window's steps are stamped per producer and sent together in
 * batched PutEvents calls (≤ 10 entries), in order within a producer; a producer with a
 * reordered pair in the window is sent on its own (at most `concurrency` such at once). Nothing
 * throws for a failed entry: failures are counted in the summary.
 */
import { EventBridgeClient } from "@aws-sdk/client-eventbridge";
import type { PutEventsPort } from "../events/publisher.ts";
import type { RetryPolicy } from "../events/publisher-policy.ts";
import { withoutSdkLogging } from "../events/sdk-logging.ts";
import { buildCity, type City } from "./city.ts";
import { iso, type PacingClock, realTimePacing } from "./clock.ts";
import { InfoBackpressure } from "./producers/backpressure.ts";
import { Rng, SimulatorArgumentError } from "./rng.ts";
import type { ChaosOptions } from "./scenarios/chaos.ts";
import type { ExpectedOutcome, Scenario } from "./scenarios/engine.ts";
import {
  chaosScenario,
  isScenarioName,
  SCENARIO_NAMES,
  SCENARIOS,
  type ScenarioName,
} from "./scenarios/index.ts";
import { newRecorder, type Progress, snapshot } from "./stats.ts";
import { StepSender } from "./step-sender.ts";
import type { ScenarioStep } from "./steps.ts";
import { SimulatorTransport } from "./transport.ts";

export type { Progress } from "./stats.ts";

export interface RunScenarioOptions {
  readonly scenario: ScenarioName | Scenario;
  /** @default 10 */
  readonly rate?: number;
  /** @default 60 */
  readonly durationSeconds?: number;
  /** @default 42 */
  readonly seed?: number;
  readonly busName: string;
  /** @default new EventBridgeClient({}) */
  readonly client?: PutEventsPort;
  readonly onProgress?: (p: Progress) => void;
  readonly signal?: AbortSignal;
  /** @default realTimePacing */
  readonly clock?: PacingClock;
  /** @default 1000 */
  readonly progressIntervalMs?: number;
  /** Counts for the chaos scenario (default: 5 % duplicates, 3 % out-of-order, 2 % malformed). */
  readonly chaos?: ChaosOptions;
  /** Publisher retry policy. @default the publisher's */
  readonly retry?: Partial<RetryPolicy>;
  /** Producers sent to concurrently. @default 16 */
  readonly concurrency?: number;
  /** @default buildCity(seed) */
  readonly city?: City;
  /**
   * Suffix of the wire producer ids (`<device>:<runTag>`), so every run is a new producer session
   * (sequences from 1) and never collides with an earlier run's numbers. "" = bare device ids.
   * @default "r" + the start time in base 36 (deterministic on a virtual clock)
   */
  readonly runTag?: string;
  /** Keep at most this many accepted event ids in the summary. @default 100000 */
  readonly maxAcceptedIds?: number;
  /**
   * Backpressure: while this returns true (the city is in crisis), info readings slow down to
   * one in ten (simulator/producers/backpressure.ts). @default never
   */
  readonly slowDown?: () => boolean;
  /**
   * Steps falling due within one window of this many ms go out together at its end, in batched
   * PutEvents calls (≤ 10 entries each) across producers; 0 sends each step at its exact time.
   * @default 200
   */
  readonly batchWindowMs?: number;
}

export interface RunSummary extends Progress {
  readonly scenario: string;
  readonly seed: number;
  readonly requestedRate: number;
  readonly durationSeconds: number;
  readonly startedAt: string;
  readonly endedAt: string;
  readonly aborted: boolean;
  /** Event ids the bus accepted (catalog events, reordered ones included; not duplicates). */
  readonly acceptedEventIds: readonly string[];
  /** True when more ids were accepted than `maxAcceptedIds` kept. */
  readonly acceptedEventIdsTruncated: boolean;
  readonly expected: ExpectedOutcome;
  /** Info readings held back under backpressure (not sent). */
  readonly heldBack: number;
}

function resolveScenario(s: ScenarioName | Scenario, chaos: ChaosOptions | undefined): Scenario {
  if (typeof s !== "string") return s;
  if (!isScenarioName(s)) {
    throw new SimulatorArgumentError(
      `unknown scenario ${JSON.stringify(s)}; allowed: ${SCENARIO_NAMES.join(", ")}`,
    );
  }
  return s === "chaos" && chaos ? chaosScenario(chaos) : SCENARIOS[s];
}

/** The run's numbers, checked: every bad option is named with what is allowed. */
function checkedSettings(options: RunScenarioOptions) {
  const seed = options.seed ?? 42;
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
    throw new SimulatorArgumentError(`seed must be an integer in 0..4294967295, got ${seed}`);
  }
  if (typeof options.busName !== "string" || options.busName.length === 0) {
    throw new SimulatorArgumentError(
      `busName must name the event bus (a name or ARN), got ${JSON.stringify(options.busName)}`,
    );
  }
  const concurrency = options.concurrency ?? 16;
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new SimulatorArgumentError(`concurrency must be an integer >= 1, got ${concurrency}`);
  }
  if (options.runTag !== undefined && !/^[A-Za-z0-9._-]{0,40}$/.test(options.runTag)) {
    throw new SimulatorArgumentError(
      `runTag must be 0-40 letters, digits or . _ -, got ${JSON.stringify(options.runTag)}`,
    );
  }
  const window = options.batchWindowMs ?? 200;
  if (!Number.isInteger(window) || window < 0) {
    throw new SimulatorArgumentError(`batchWindowMs must be an integer >= 0, got ${window}`);
  }
  const rate = options.rate ?? 10;
  const durationSeconds = options.durationSeconds ?? 60;
  return { seed, concurrency, window, rate, durationSeconds };
}

export async function runScenario(options: RunScenarioOptions): Promise<RunSummary> {
  const { seed, concurrency, window, rate, durationSeconds } = checkedSettings(options);
  const scenario = resolveScenario(options.scenario, options.chaos);
  const clock = options.clock ?? realTimePacing;
  const rng = new Rng(seed);
  const startMs = clock.now();
  const run = scenario.build({
    city: options.city ?? buildCity(seed),
    rng: rng.fork("scenario"),
    rate,
    durationSeconds,
    startMs,
  });
  const transport = new SimulatorTransport({
    client: options.client ?? withoutSdkLogging(new EventBridgeClient({})),
    busName: options.busName,
    random: rng.fork("publisher").asPrng(),
    sleep: (ms) => clock.sleep(ms, options.signal),
    now: () => clock.now(),
    ...(options.retry ? { retry: options.retry } : {}),
    runTag: options.runTag ?? `r${startMs.toString(36)}`,
  });
  const rec = newRecorder(options.maxAcceptedIds ?? 100_000);
  const sender = new StepSender(transport, rec, options.busName, concurrency);
  const backpressure = new InfoBackpressure(options.slowDown ?? (() => false));
  const aborted = await playSteps(run.steps, {
    options,
    clock,
    startMs,
    lastMs: durationSeconds * 1000,
    window,
    send: (due) => sender.flush(due),
    admit: (step) => step.kind !== "event" || backpressure.admit(step.draft),
    report: () => options.onProgress?.(snapshot(rec, clock.now() - startMs)),
  });
  const endOfRun = startMs + durationSeconds * 1000 - clock.now();
  if (!aborted && endOfRun > 0) await clock.sleep(endOfRun, options.signal);
  const endMs = clock.now();
  const final = snapshot(rec, endMs - startMs);
  options.onProgress?.(final);
  return {
    ...final,
    scenario: scenario.name,
    seed,
    requestedRate: rate,
    durationSeconds,
    startedAt: iso(startMs),
    endedAt: iso(endMs),
    aborted,
    acceptedEventIds: rec.acceptedEventIds,
    acceptedEventIdsTruncated: rec.acceptedEventIdsTruncated,
    expected: run.expected,
    heldBack: backpressure.heldBack,
  };
}

/**
 * Sends each step at the end of its batch window (never before its time, never after the run),
 * the steps due together in one go; resolves with whether the run was aborted.
 */
async function playSteps(
  steps: Iterable<ScenarioStep>,
  p: {
    readonly options: RunScenarioOptions;
    readonly clock: PacingClock;
    readonly startMs: number;
    readonly lastMs: number;
    readonly window: number;
    readonly send: (due: ScenarioStep[]) => Promise<void>;
    readonly admit: (step: ScenarioStep) => boolean;
    readonly report: () => void;
  },
): Promise<boolean> {
  const { clock, window, lastMs, options } = p;
  const progressEvery = options.progressIntervalMs ?? 1000;
  let lastProgress = p.startMs;
  const sendAt = (atMs: number) =>
    p.startMs +
    (window > 0 ? Math.max(atMs, Math.min(lastMs, Math.ceil(atMs / window) * window)) : atMs);
  let due: ScenarioStep[] = [];
  let aborted = false;
  for (const step of steps) {
    if (options.signal?.aborted) {
      aborted = true;
      break;
    }
    if (sendAt(step.atMs) > clock.now()) {
      if (due.length > 0) {
        await p.send(due);
        due = [];
      }
      if (clock.now() - lastProgress >= progressEvery) {
        lastProgress = clock.now();
        p.report();
      }
      const still = sendAt(step.atMs) - clock.now();
      if (still > 0) await clock.sleep(still, options.signal);
      if (options.signal?.aborted) {
        aborted = true;
        break;
      }
    }
    if (p.admit(step)) due.push(step);
  }
  if (due.length > 0) await p.send(due); // their time had come before any abort
  return aborted;
}
