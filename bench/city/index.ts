/**
 * `npm run bench`: the city end to end. Boots a whole local city in this process as `buzzville
 * up` does (local/up/city.ts), runs the ramp, the burst and the isolation phases against it, then
 * replays the measured request mix at bare emulators for their ceiling. Returns one result
 * object (printed by `--json`, rendered into docs/BENCHMARKS.md). See docs/BENCHMARKS.md.
 */
import { EventBridgeClient } from "@aws-sdk/client-eventbridge";
import { withoutSdkLogging } from "../../events/sdk-logging.ts";
import { SHARED_IDS } from "../../infra/resources.ts";
import { topology } from "../../infra/topology.ts";
import { LOCAL_CREDENTIALS } from "../../local/targets.ts";
import { type RunningCity, startLocalCity } from "../../local/up/city.ts";
import { queueDepths } from "../../local/up/inspect.ts";
import { BenchError } from "../errors.ts";
import type { MachineFacts } from "../machine.ts";
import { type CeilingMix, type CeilingResult, measureCeiling } from "./ceiling.ts";
import { CityMeter, type RequestsPerEvent } from "./meter.ts";
import {
  type BurstResult,
  FULL_RAMP,
  type IsolationResult,
  type PhaseEnv,
  QUICK_RAMP,
  runBurst,
  runIsolation,
  runRamp,
  type StepResult,
} from "./phases.ts";
import { sustainedRate } from "./saturation.ts";

export interface CityBenchResult {
  readonly date: string;
  readonly mode: "full" | "quick";
  readonly machine: MachineFacts;
  /** Highest stored rate of a sustained ramp step (docs/BENCHMARKS.md "Sustained rate"). */
  readonly sustainedEventsPerSecond: number;
  /** The offered rate of the step the headline figures come from. */
  readonly atOfferedPerSecond: number;
  readonly cpuMsPerEvent: number;
  readonly requestsPerEvent: RequestsPerEvent;
  readonly burst: BurstResult;
  readonly isolationRatio: number;
  readonly isolation: IsolationResult;
  /** RSS of the whole process at the end of the 200 events/s step. */
  readonly rssMB: number | null;
  /** sustained ÷ the emulators' ceiling for the same request mix. */
  readonly ceilingRatio: number;
  readonly ceiling: CeilingResult;
  readonly steps: readonly StepResult[];
  /** Error or warning lines from the cloud or the functions (first few). */
  readonly problems: readonly string[];
}

export interface CityBenchOptions {
  readonly quick: boolean;
  readonly machine: () => MachineFacts;
  readonly random: () => number;
  readonly progress: (message: string) => void;
}

/** The step the headline figures come from: the best sustained one, else the first. */
function headlineStep(steps: readonly StepResult[]): StepResult {
  const best = sustainedRate(steps);
  const step = steps.find((s) => s.sustained && s.storedPerSecond === best) ?? steps[0];
  if (!step) throw new BenchError("the ramp ran no step");
  return step;
}

function storeSubscriptionId(): string {
  const writer = topology.functions.find((f) => f.uses.includes("eventsTable"));
  const sub = topology.subscriptions.find((s) => s.functionId === writer?.id);
  if (!sub) throw new BenchError("the topology has no subscription feeding the event store");
  return sub.id;
}

function criticalSubscriptionId(): string {
  const sub = topology.subscriptions.find((s) => s.priority === "critical");
  if (!sub) throw new BenchError("the topology has no critical subscription");
  return sub.id;
}

const NO_CEILING: CeilingResult = {
  eventsPerSecond: 0,
  events: 0,
  seconds: 0,
  replayedPerEvent: 0,
  notReplayed: {},
  failedRequests: {},
};

/**
 * The ceiling, or zeros (with a problem line) when it fails or does not end within a minute: the
 * rest of the run's figures are kept either way.
 */
async function boundedCeiling(
  mix: CeilingMix,
  seconds: number,
  note: (line: string) => void,
): Promise<CeilingResult> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<CeilingResult>((resolve) => {
    timer = setTimeout(() => {
      note("[ceiling] did not finish within 60 s; not measured");
      resolve(NO_CEILING);
    }, 60_000);
  });
  const work = measureCeiling(mix, seconds).catch((error: unknown) => {
    note(`[ceiling] failed: ${String(error)}`);
    return NO_CEILING;
  });
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}

/** The first few error or warning lines of the cloud and the functions, and how to add one. */
function problemLog(): { problems: string[]; note: (line: string) => void } {
  const problems: string[] = [];
  const note = (line: string) => {
    // Powertools' warning when a sweep (an empty batch) publishes no metric: not a problem.
    if (line.includes("No application metrics to publish")) return;
    if (problems.length < 20) problems.push(line.slice(0, 300));
  };
  return { problems, note };
}

/** Boots the city as `buzzville up` does; deliveries go to the meter once it is set. */
function bootCity(
  note: (line: string) => void,
  metered: { meter?: CityMeter },
): Promise<RunningCity> {
  return startLocalCity({
    host: "127.0.0.1",
    prefix: "bench",
    onError: (where, error) => note(`[${where}] ${String(error)}`),
    functions: {
      logLevel: "ERROR",
      logStdout: false,
      onLog: (fn, line) => note(`[${fn}] ${line}`),
      onDelivered: (sub, record, now) => metered.meter?.onDelivered(sub, record, now),
    },
  });
}

/** Every function loaded and the events table deployed, or a BenchError saying what is missing. */
function checkCity(city: RunningCity): void {
  if (city.failedToLoad.length > 0) {
    throw new BenchError(
      `functions failed to load: ${city.failedToLoad.map((f) => `${f.name}: ${f.error}`).join("; ")}`,
    );
  }
  if (!city.resources.tables[SHARED_IDS.eventsTable]) {
    throw new BenchError("the deployment has no events table");
  }
}

/** The ramp, the burst, the isolation phase and the ceiling, then the result object. */
async function measureCity(
  env: PhaseEnv,
  options: CityBenchOptions,
  log: { problems: string[]; note: (line: string) => void },
): Promise<CityBenchResult> {
  const steps = await runRamp(env, options.quick ? QUICK_RAMP : FULL_RAMP);
  const burst = await runBurst(env, options.quick ? 500 : 5000, options.quick ? 20_000 : 90_000, {
    tags: steps.map((s) => `bench-r${s.offeredPerSecond}`),
    settleMs: options.quick ? 20_000 : 120_000,
  });
  const isolation = await runIsolation(env, [
    ...steps.map((s) => `bench-r${s.offeredPerSecond}`),
    "bench-burst",
  ]);
  const head = headlineStep(steps);
  const sustained = sustainedRate(steps);
  options.progress("ceiling: replaying the measured request mix at bare emulators");
  const ceiling = await boundedCeiling(
    { all: head.requestsPerEvent, cloud: head.cloudRequestsPerEvent },
    options.quick ? 3 : 8,
    log.note,
  );
  return {
    date: new Date().toISOString(),
    mode: options.quick ? "quick" : "full",
    machine: options.machine(),
    sustainedEventsPerSecond: Math.round(sustained * 10) / 10,
    atOfferedPerSecond: head.offeredPerSecond,
    cpuMsPerEvent: Math.round(head.cpuMsPerEvent * 100) / 100,
    requestsPerEvent: head.requestsPerEvent,
    burst,
    isolationRatio: isolation.isolationRatio,
    isolation,
    rssMB: steps.find((s) => s.offeredPerSecond === 200)?.rssMB ?? null,
    ceilingRatio:
      ceiling.eventsPerSecond > 0
        ? Math.round((sustained / ceiling.eventsPerSecond) * 1000) / 1000
        : 0,
    ceiling,
    steps,
    problems: log.problems,
  };
}

export async function runCityBench(options: CityBenchOptions): Promise<CityBenchResult> {
  const log = problemLog();
  const ordered = new Set(topology.subscriptions.filter((s) => s.ordering).map((s) => s.id));
  const metered: { meter?: CityMeter } = {};
  options.progress("booting the city (local cloud, topology, functions)");
  const city = await bootCity(log.note, metered);
  // As the functions' clients (functions/shared/aws.ts): no SDK logger middleware.
  const events = withoutSdkLogging(
    new EventBridgeClient({
      endpoint: city.cloud.endpoint,
      region: city.cloud.region,
      credentials: LOCAL_CREDENTIALS,
    }),
  );
  try {
    checkCity(city);
    metered.meter = new CityMeter(city.cloud, storeSubscriptionId(), ordered);
    return await measureCity(
      {
        meter: metered.meter,
        events,
        busName: city.resources.bus.name,
        criticalSubscription: criticalSubscriptionId(),
        queued: async () =>
          (await queueDepths(city.cloud.sqs, Object.values(city.resources.queues))).inQueues,
        random: options.random,
        progress: options.progress,
      },
      options,
      log,
    );
  } finally {
    events.destroy();
    await city.stop();
  }
}
