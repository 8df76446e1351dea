/**
 * `buzzville up`: boots a local city (local/up/city.ts), then runs it in phases: `publishTraffic`
 * (with the live status line and crisis mode) until the duration is over or the run is aborted,
 * `drain` (bounded), and `account` for every accepted event from the real resources: event
 * store, queues, DLQs.
 */

import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { EventBridgeClient } from "@aws-sdk/client-eventbridge";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { withoutSdkLogging } from "../../events/sdk-logging.ts";
import { isDlq, SHARED_IDS } from "../../infra/resources.ts";
import { topology } from "../../infra/topology.ts";
import type { ConsoleOptions } from "../console/index.ts";
import { LocalCrisisMonitor } from "../crisis/monitor.ts";
import { LOCAL_CREDENTIALS } from "../targets.ts";
import { AcceptedEvents, accountFor, DeliveryLedger } from "./accounting.ts";
import { type RunningCity, startLocalCity } from "./city.ts";
import { LocalRunError } from "./errors.ts";
import {
  dlqDepths,
  eventIdsInQueue,
  eventStoreSubscription,
  queueDepths,
  scanEventStore,
} from "./inspect.ts";
import { formatStatus, formatSummary, type UpSummary } from "./status.ts";
import { loadTrafficSource, type TrafficSource } from "./traffic.ts";
import { warmFunctions } from "./warm.ts";

export { eventStoreSubscription } from "./inspect.ts";

export interface UpOptions {
  readonly host?: string;
  /** @default 4566 */
  readonly port?: number;
  readonly dataDir?: string;
  /** Stop after this many seconds of traffic; run until `signal` aborts when omitted. */
  readonly durationSeconds?: number;
  readonly json?: boolean;
  /** @default "normal-day" */
  readonly scenario?: string;
  /** Events per second. @default 10 */
  readonly rate?: number;
  /** @default 42 */
  readonly seed?: number;
  /** Bound of the final drain, seconds. @default 60 */
  readonly drainTimeoutSeconds?: number;
  /** @default 2 */
  readonly maxInstancesPerFunction?: number;
  /** Print the functions' own log lines to `err`. @default false */
  readonly verbose?: boolean;
  /** Aborts the run (Ctrl-C): traffic stops, queues drain, the summary is printed. */
  readonly signal?: AbortSignal;
  readonly out?: (text: string) => void;
  readonly err?: (text: string) => void;
  /** Status line redrawn in place (TTY) or printed every few seconds. */
  readonly tty?: boolean;
  /** Override the traffic (tests). */
  readonly traffic?: TrafficSource;
  /** Handler entries by function id (tests). */
  readonly entries?: Readonly<Record<string, string>>;
  /** The operators' console (local/console); `false`: none. @default on, beside the cloud */
  readonly console?: ConsoleOptions | false;
}

/** Where a run writes: the summary (`out`), problems (`err`), progress (`status`), log lines. */
interface RunOutput {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  /** Progress lines: to `err` with `--json` (stdout is the summary), else to `out`. */
  readonly status: (text: string) => void;
  /** A runner or function log line: kept (the last 200), printed when verbose. */
  readonly note: (line: string) => void;
  readonly recentLogs: readonly string[];
}

/** A booted run: the city, the clients the run itself uses, what it counts. */
interface Run {
  readonly city: RunningCity;
  readonly queues: readonly RunningCity["resources"]["queues"][string][];
  readonly ddb: DynamoDBClient;
  readonly events: EventBridgeClient;
  readonly crisis: LocalCrisisMonitor;
  readonly ledger: DeliveryLedger;
  readonly accepted: AcceptedEvents;
  readonly io: RunOutput;
}

/** How the traffic phase and the drain ended. */
interface RunEnding {
  readonly heldBack: number;
  readonly drained: boolean;
  readonly durationSeconds: number;
  readonly trafficSource: TrafficSource["kind"];
  readonly scenario: string;
}

const abortable = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener("abort", () => {
      clearTimeout(timer);
      resolve();
    });
  });

/** Fails before anything boots when the simulator would refuse the scenario. */
async function checkScenario(scenario: string, traffic: TrafficSource): Promise<void> {
  if (traffic.kind !== "simulator" || !traffic.scenarios) return;
  if (traffic.scenarios.includes(scenario)) return;
  throw new LocalRunError(
    `--scenario ${JSON.stringify(scenario)} is not a simulator scenario; allowed: ${traffic.scenarios.join(", ")}`,
  );
}

export async function runUp(options: UpOptions = {}): Promise<UpSummary> {
  const io = runOutput(options);
  const traffic = options.traffic ?? (await loadTrafficSource());
  const scenario = options.scenario ?? "normal-day";
  await checkScenario(scenario, traffic);
  const run = await boot(options, io);
  const stopStatus = statusLoop(run, options.tty === true);
  try {
    announce(run);
    run.crisis.start();
    const started = Date.now();
    const heldBack = await publishTraffic(run, traffic, scenario, options);
    const durationSeconds = Math.round((Date.now() - started) / 1000);
    const drained = await drain(run, options);
    stopStatus();
    await run.crisis.stop();
    const summary = await account(run, {
      heldBack,
      drained,
      durationSeconds,
      trafficSource: traffic.kind,
      scenario,
    });
    report(summary, run.io, options.json === true);
    return summary;
  } finally {
    stopStatus();
    await run.crisis.stop();
    await run.city.stop();
    run.ddb.destroy();
    run.events.destroy();
  }
}

function runOutput(options: UpOptions): RunOutput {
  const out = options.out ?? ((t: string) => process.stdout.write(t));
  const err = options.err ?? ((t: string) => process.stderr.write(t));
  const recentLogs: string[] = [];
  const note = (line: string) => {
    recentLogs.push(line);
    if (recentLogs.length > 200) recentLogs.shift();
    if (options.verbose) err(`${line}\n`);
  };
  return { out, err, status: options.json ? err : out, note, recentLogs };
}

/** The city booted (cloud, deploy, functions warmed, console) and the run's own parts. */
async function boot(options: UpOptions, io: RunOutput): Promise<Run> {
  // A FIFO consumer queue is exactly a subscription with ordering (infra/resources.ts).
  const ledger = new DeliveryLedger(
    new Set(topology.subscriptions.filter((s) => s.ordering).map((s) => s.id)),
  );
  for (const sub of topology.subscriptions) ledger.delivered[sub.id] = 0;
  const city = await startLocalCity({
    ...(options.host ? { host: options.host } : {}),
    port: options.port ?? 4566,
    ...(options.dataDir ? { dataDir: options.dataDir } : {}),
    onError: (where, error) => io.note(`[${where}] ${String(error)}`),
    api: true,
    functions: {
      ...(options.maxInstancesPerFunction
        ? { maxInstancesPerFunction: options.maxInstancesPerFunction }
        : {}),
      ...(options.entries ? { entries: options.entries } : {}),
      onLog: (fn, line) => io.note(`[${fn}] ${line}`),
      // stdout is mostly EMF metric lines: only split and kept when they are printed.
      logStdout: options.verbose === true,
      onDelivered: (sub, record, now) => ledger.record(sub, record, now),
      onWarning: (mapping, message) => io.note(`[${mapping}] ${message}`),
      onInvokeFailure: (mapping, outcome) =>
        io.note(
          `[${mapping}] invocation ${outcome.kind}${"error" in outcome ? `: ${outcome.error}` : ""}`,
        ),
    },
    warmUp: async (functions) => {
      // Prints the warm-up and each function that failed to load.
      await warmFunctions(functions, io.status, io.err);
      return undefined;
    },
    ...(options.console !== false ? { console: options.console ?? true } : {}),
  });
  const { endpoint, region } = city.cloud;
  const config = { endpoint, region, credentials: LOCAL_CREDENTIALS };
  const ddb = withoutSdkLogging(new DynamoDBClient(config));
  const events = withoutSdkLogging(new EventBridgeClient(config));
  // Crisis mode: the same controller as the stack's alarm-driven Lambda (docs/OPERATIONS.md).
  const crisis = new LocalCrisisMonitor({
    resources: city.resources,
    // The status line and the crisis monitor read depths in process (the functions use HTTP).
    clients: { sqs: city.cloud.sqs, events, documents: DynamoDBDocumentClient.from(ddb) },
    onError: (error) => io.note(`[crisis] ${String(error)}`),
  });
  const queues = Object.values(city.resources.queues);
  return { city, queues, ddb, events, crisis, ledger, accepted: new AcceptedEvents(), io };
}

function announce({ city, queues, io }: Run): void {
  const { cloud, resources } = city;
  io.status(
    `Buzz Ville local cloud on ${cloud.endpoint} (region ${cloud.region}); deployed ${queues.length} queues, ${Object.keys(resources.rules).length} rules, ${Object.keys(resources.pipes).length} pipes, ${Object.keys(resources.functions).length} functions\n`,
  );
  if (city.console) io.status(`Operators' console: ${city.console.url}\n`);
}

/**
 * The traffic, until its duration is over or the run is aborted (producers slow down while
 * crisis mode is on); resolves with the events the producers held back.
 */
async function publishTraffic(
  run: Run,
  traffic: TrafficSource,
  scenario: string,
  options: UpOptions,
): Promise<number> {
  const stopTraffic = new AbortController();
  options.signal?.addEventListener("abort", () => stopTraffic.abort());
  try {
    const outcome = await traffic.run({
      busName: run.city.resources.bus.name,
      client: run.accepted.wrap(run.events),
      ...(options.durationSeconds !== undefined
        ? { durationSeconds: options.durationSeconds }
        : {}),
      signal: stopTraffic.signal,
      seed: options.seed ?? 42,
      rate: options.rate ?? 10,
      scenario,
      onError: (error) => run.io.note(`[traffic] ${String(error)}`),
      slowDown: () => run.crisis.mode === "crisis",
    });
    return outcome.heldBack;
  } catch (error) {
    run.io.note(`[traffic] stopped: ${String(error)}`);
    return 0;
  }
}

/**
 * The live status line: redrawn every second on a TTY, printed every 5 s otherwise (nothing is
 * computed between); depths are read only when a line is printed. Returns its stop.
 */
function statusLoop(run: Run, tty: boolean): () => void {
  const started = Date.now();
  let lastPlain = 0;
  const draw = async () => {
    if (!tty && Date.now() - lastPlain < 5000) return;
    lastPlain = Date.now();
    const d = await queueDepths(run.city.cloud.sqs, run.queues);
    const line = formatStatus({
      elapsedSeconds: Math.round((Date.now() - started) / 1000),
      published: run.accepted.accepted,
      delivered: run.ledger.delivered,
      inQueues: d.inQueues,
      inDlqs: d.inDlqs,
      // The last few thousand deliveries (a sliding window): moves during a long run.
      latency: run.ledger.liveLatency(),
    });
    run.io.status(tty ? `\r\u001b[2K${line}` : `${line}\n`);
  };
  let drawing = false;
  const ticker = setInterval(() => {
    if (drawing) return;
    drawing = true;
    draw()
      .catch((error) => run.io.note(`[status] ${String(error)}`))
      .finally(() => {
        drawing = false;
      });
  }, 1000);
  return () => clearInterval(ticker);
}

/**
 * Waits until the working queues are empty and no EventBridge delivery (or retry) is in flight,
 * twice in a row, or the bound. Resolves with whether the city drained.
 */
async function drain(run: Run, options: UpOptions): Promise<boolean> {
  if (options.tty) run.io.status("\n");
  run.io.status("traffic stopped; draining queues...\n");
  const drainEnds = Date.now() + (options.drainTimeoutSeconds ?? 60) * 1000;
  const busIdle = () =>
    Promise.race([
      run.city.cloud.eventBridge.idle().then(() => true),
      abortable(500).then(() => false),
    ]);
  let drained = false;
  let emptyChecks = 0;
  while (Date.now() < drainEnds) {
    const empty =
      (await queueDepths(run.city.cloud.sqs, run.queues)).inQueues === 0 && (await busIdle());
    emptyChecks = empty ? emptyChecks + 1 : 0;
    if (emptyChecks >= 2) {
      drained = true;
      break;
    }
    await abortable(500);
  }
  return drained;
}

/** Every accepted event stored, dead-lettered, in transit on the event store's path, or lost. */
async function account(run: Run, ending: RunEnding): Promise<UpSummary> {
  const { city, ledger, accepted } = run;
  const final = await queueDepths(city.cloud.sqs, run.queues);
  const store = await scanEventStore(run.ddb, city.resources.tables[SHARED_IDS.eventsTable]?.name);
  const { lost, undrained } = await locateAccepted(run, store.ids);
  return {
    published: accepted.accepted,
    stored: store.ids.size,
    deliveredByConsumer: { ...ledger.delivered },
    inFlight: final.inQueues,
    dlq: final.inDlqs,
    lost,
    undrained,
    orderViolations: store.sequenceViolations,
    arrivalsOutOfSequence: { ...ledger.arrivalsOutOfSequence },
    latencyMs: ledger.latency(),
    latencyMsByConsumer: ledger.latencyByConsumer(),
    latencyExact: ledger.latencyExact,
    unchecked: accepted.untracked,
    dlqByQueue: dlqDepths(run.queues, final),
    functions: functionFigures(city),
    failedPublishes: accepted.failedEntries,
    durationSeconds: ending.durationSeconds,
    drained: ending.drained,
    trafficSource: ending.trafficSource,
    scenario: ending.scenario,
    endpoint: city.cloud.endpoint,
    crisis: run.crisis.report(ending.heldBack),
  };
}

/**
 * Where each accepted event is on the event store's path: its intake, working queue and their
 * DLQs (EventStoreTargetDlq, EventStoreIntakeDlq, EventStoreDlq), or owed by the bus. An id in
 * another consumer's DLQ is not stored.
 */
async function locateAccepted(
  run: Run,
  stored: ReadonlySet<string>,
): Promise<{ lost: number; undrained: number }> {
  const { cloud, resources } = run.city;
  const storeSub = eventStoreSubscription(resources);
  const storePath = run.queues.filter((q) => q.subscriptionId === storeSub);
  const inQueue = await Promise.all(storePath.map((q) => eventIdsInQueue(cloud.endpoint, q)));
  const pathArns = new Set(storePath.map((q) => q.arn));
  const owed = cloud.eventBridge.pending(1_000_000).deliveries;
  return accountFor(run.accepted.ids, {
    stored,
    deadLettered: storePath.flatMap((q, i) => (isDlq(q) ? (inQueue[i] ?? []) : [])),
    inTransit: [
      ...storePath.flatMap((q, i) => (isDlq(q) ? [] : (inQueue[i] ?? []))),
      ...owed.filter((d) => pathArns.has(d.targetArn)).map((d) => d.eventId),
    ],
  });
}

function functionFigures(city: RunningCity): UpSummary["functions"] {
  return Object.fromEntries(
    [...city.functions.hosts].map(([id, h]) => [
      id,
      {
        invocations: h.stats.invocations,
        meanMs: Math.round(h.stats.busyMs / Math.max(1, h.stats.invocations)),
        errors: h.stats.errors,
        timeouts: h.stats.timeouts,
        crashes: h.stats.crashes,
      },
    ]),
  );
}

function report(summary: UpSummary, io: RunOutput, json: boolean): void {
  if (json) io.out(`${JSON.stringify(summary)}\n`);
  else io.out(`${formatSummary(summary)}\n`);
  if (summary.lost > 0 || summary.dlq > 0) {
    io.err(`last function/runner log lines:\n${io.recentLogs.slice(-20).join("\n")}\n`);
  }
}
