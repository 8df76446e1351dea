/**
 * `buzzville up`: boots the local cloud, deploys the topology, starts the functions and the
 * traffic, shows a live status line, and at the end (duration over, or aborted) stops the
 * traffic, drains the queues (bounded), and accounts for every accepted event from the real
 * resources: event store, queues, DLQs.
 */

import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { EventBridgeClient } from "@aws-sdk/client-eventbridge";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { SHARED_IDS } from "../../infra/resources.ts";
import { topology } from "../../infra/topology.ts";
import { mountLocalApi } from "../api/serve.ts";
import { type LocalCloud, startLocalCloud } from "../cloud.ts";
import { type ConsoleOptions, consoleFeed, type RunningConsole } from "../console/index.ts";
import { LocalCrisisMonitor } from "../crisis/monitor.ts";
import { deployTopology } from "../deploy.ts";
import { startFunctions } from "../lambda/runtime.ts";
import type { DeployedQueue, ResourceMap } from "../resource-map.ts";
import { LOCAL_CREDENTIALS } from "../targets.ts";
import { AcceptedEvents, accountFor, DeliveryLedger } from "./accounting.ts";
import { LocalRunError } from "./errors.ts";
import { eventIdsInQueue, queueDepth, scanEventStore } from "./inspect.ts";
import { formatStatus, formatSummary, type UpSummary } from "./status.ts";
import { loadTrafficSource, type TrafficSource } from "./traffic.ts";
import { warmFunctions } from "./warm.ts";

export interface UpOptions {
  readonly host?: string;
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

const credentials = LOCAL_CREDENTIALS;
const isDlq = (q: DeployedQueue) => q.role === "dlq" || q.role === "target-dlq";

const abortable = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener("abort", () => {
      clearTimeout(timer);
      resolve();
    });
  });

/** The subscription that feeds the function writing the event store. */
export function eventStoreSubscription(resources: ResourceMap): string {
  const table = resources.tables[SHARED_IDS.eventsTable]?.name;
  const fn = Object.entries(resources.functions).find(([, f]) =>
    Object.values(f.resourceEnv).includes(table ?? "\u0000"),
  );
  const sub = resources.eventSources.find((es) => es.function === fn?.[0])?.subscriptionId;
  if (!sub) {
    throw new LocalRunError(
      `No deployed function with an event source writes the event store table ${JSON.stringify(table)}: cannot tell which queues and DLQs hold events on their way to it, so "lost" cannot be computed`,
    );
  }
  return sub;
}

/** Fails before anything boots when the simulator would refuse the scenario. */
async function checkScenario(scenario: string, traffic: TrafficSource): Promise<void> {
  if (traffic.kind !== "simulator" || !traffic.scenarios) return;
  if (traffic.scenarios.includes(scenario)) return;
  throw new LocalRunError(
    `--scenario ${JSON.stringify(scenario)} is not a simulator scenario; allowed: ${traffic.scenarios.join(", ")}`,
  );
}

export async function runUp(options: UpOptions = {}): Promise<UpSummary> {
  const out = options.out ?? ((t: string) => process.stdout.write(t));
  const err = options.err ?? ((t: string) => process.stderr.write(t));
  const status = options.json ? err : out;
  const recentLogs: string[] = [];
  const note = (line: string) => {
    recentLogs.push(line);
    if (recentLogs.length > 200) recentLogs.shift();
    if (options.verbose) err(`${line}\n`);
  };

  const traffic = options.traffic ?? (await loadTrafficSource());
  const scenario = options.scenario ?? "normal-day";
  await checkScenario(scenario, traffic);
  const cloud: LocalCloud = await startLocalCloud({
    ...(options.host ? { host: options.host } : {}),
    port: options.port ?? 4566,
    ...(options.dataDir ? { dataDir: options.dataDir } : {}),
    onError: (where, error) => note(`[${where}] ${String(error)}`),
  });
  const config = { endpoint: cloud.endpoint, region: cloud.region, credentials };
  // The runner's pollers and the status line: served in process (the functions use HTTP).
  const sqs = cloud.sqs;
  const ddb = new DynamoDBClient(config);
  const events = new EventBridgeClient(config);
  let functions: ReturnType<typeof startFunctions> | undefined;
  let ticker: NodeJS.Timeout | undefined;
  let stopCrisis: (() => Promise<void>) | undefined;
  let operatorsConsole: RunningConsole | undefined;
  try {
    const resources = await deployTopology({
      endpoint: cloud.endpoint,
      region: cloud.region,
      topology,
    });
    mountLocalApi(cloud.gateway, resources, (e) => note(`[api] ${String(e)}`));
    const queues = Object.values(resources.queues);
    const ordered = new Set(
      queues.filter((q) => q.fifo && q.role === "consumer").map((q) => q.subscriptionId),
    );
    const ledger = new DeliveryLedger(ordered);
    for (const sub of topology.subscriptions) ledger.delivered[sub.id] = 0;
    const feed = consoleFeed(eventStoreSubscription(resources));
    functions = startFunctions({
      resources,
      sqs,
      queues: cloud.queues,
      dynamodbEndpoint: cloud.gateway.dynamodbEndpoint,
      ...(options.maxInstancesPerFunction
        ? { maxInstancesPerFunction: options.maxInstancesPerFunction }
        : {}),
      ...(options.entries ? { entries: options.entries } : {}),
      onLog: (fn, line) => note(`[${fn}] ${line}`),
      // stdout is mostly EMF metric lines: only split and kept when they are printed.
      logStdout: options.verbose === true,
      onDelivered: (sub, record, now) => {
        ledger.record(sub, record, now);
        feed.delivered(sub, record, now);
      },
      onWarning: (mapping, message) => note(`[${mapping}] ${message}`),
      onInvokeFailure: (mapping, outcome) =>
        note(
          `[${mapping}] invocation ${outcome.kind}${"error" in outcome ? `: ${outcome.error}` : ""}`,
        ),
    });
    cloud.attachLambda(functions.invoke);
    await warmFunctions(functions, status, err);

    status(
      `Buzz Ville local cloud on ${cloud.endpoint} (region ${cloud.region}); deployed ${queues.length} queues, ${Object.keys(resources.rules).length} rules, ${Object.keys(resources.pipes).length} pipes, ${Object.keys(resources.functions).length} functions\n`,
    );
    if (options.console !== false) {
      operatorsConsole = await feed.start({
        cloud,
        resources,
        functions,
        ...(options.console ? { options: options.console } : {}),
        onError: (e) => note(`[console] ${String(e)}`),
      });
      status(`Operators' console: ${operatorsConsole.url}\n`);
    }
    const accepted = new AcceptedEvents();
    const stopTraffic = new AbortController();
    options.signal?.addEventListener("abort", () => stopTraffic.abort());
    const started = Date.now();

    // All queues at once (one request each, in parallel), only when a line is printed.
    const depths = async () => {
      let inQueues = 0;
      let inDlqs = 0;
      const byQueue: Record<string, number> = {};
      const all = await Promise.all(queues.map((q) => queueDepth(sqs, q)));
      queues.forEach((q, i) => {
        const total = all[i]?.total ?? 0;
        byQueue[q.logicalId] = total;
        if (isDlq(q)) inDlqs += total;
        else inQueues += total;
      });
      return { inQueues, inDlqs, byQueue };
    };
    let lastPlain = 0;
    const draw = async () => {
      // A TTY line is redrawn every second; a plain one printed every 5 s: compute nothing between.
      if (!options.tty && Date.now() - lastPlain < 5000) return;
      lastPlain = Date.now();
      const d = await depths();
      const line = formatStatus({
        elapsedSeconds: Math.round((Date.now() - started) / 1000),
        published: accepted.accepted,
        delivered: ledger.delivered,
        inQueues: d.inQueues,
        inDlqs: d.inDlqs,
        // The last few thousand deliveries (a sliding window): moves during a long run.
        latency: ledger.liveLatency(),
      });
      status(options.tty ? `\r\u001b[2K${line}` : `${line}\n`);
    };
    let drawing = false;
    ticker = setInterval(() => {
      if (drawing) return;
      drawing = true;
      draw()
        .catch((error) => note(`[status] ${String(error)}`))
        .finally(() => {
          drawing = false;
        });
    }, 1000);

    // Traffic first; it ends with the duration or when aborted.
    // Crisis mode: the same controller as the stack's alarm-driven Lambda (docs/OPERATIONS.md).
    const crisis = new LocalCrisisMonitor({
      resources,
      clients: { sqs, events, documents: DynamoDBDocumentClient.from(ddb) },
      onError: (error) => note(`[crisis] ${String(error)}`),
    });
    crisis.start();
    stopCrisis = () => crisis.stop();
    const runTraffic = traffic.run({
      busName: resources.bus.name,
      client: accepted.wrap(events),
      ...(options.durationSeconds !== undefined
        ? { durationSeconds: options.durationSeconds }
        : {}),
      signal: stopTraffic.signal,
      seed: options.seed ?? 42,
      rate: options.rate ?? 10,
      scenario,
      onError: (error) => note(`[traffic] ${String(error)}`),
      slowDown: () => crisis.mode === "crisis",
    });
    const outcome = await runTraffic.catch((error: unknown) => {
      note(`[traffic] stopped: ${String(error)}`);
      return { heldBack: 0 };
    });
    const durationSeconds = Math.round((Date.now() - started) / 1000);

    // Drain: wait until the working queues are empty twice in a row, or the bound.
    if (options.tty) status("\n");
    status("traffic stopped; draining queues...\n");
    const drainEnds = Date.now() + (options.drainTimeoutSeconds ?? 60) * 1000;
    let drained = false;
    let emptyChecks = 0;
    const busIdle = () =>
      Promise.race([cloud.eventBridge.idle().then(() => true), abortable(500).then(() => false)]);
    while (Date.now() < drainEnds) {
      // Empty working queues and no EventBridge delivery (or retry) in flight.
      const empty = (await depths()).inQueues === 0 && (await busIdle());
      emptyChecks = empty ? emptyChecks + 1 : 0;
      if (emptyChecks >= 2) {
        drained = true;
        break;
      }
      await abortable(500);
    }
    clearInterval(ticker);
    ticker = undefined;
    await stopCrisis();
    stopCrisis = undefined;

    // Account for every accepted event from the real resources.
    const final = await depths();
    const store = await scanEventStore(ddb, resources.tables[SHARED_IDS.eventsTable]?.name);
    const storeSub = eventStoreSubscription(resources);
    // Only the event store's path: its intake, working queue and their DLQs (EventStoreTargetDlq,
    // EventStoreIntakeDlq, EventStoreDlq). An id in another consumer's DLQ is not stored.
    const storePath = queues.filter((q) => q.subscriptionId === storeSub);
    const inQueue = await Promise.all(storePath.map((q) => eventIdsInQueue(cloud.endpoint, q)));
    const pathArns = new Set(storePath.map((q) => q.arn));
    const owed = cloud.eventBridge.pending(1_000_000).deliveries;
    const { lost, undrained } = accountFor(accepted.ids, {
      stored: store.ids,
      deadLettered: storePath.flatMap((q, i) => (isDlq(q) ? (inQueue[i] ?? []) : [])),
      inTransit: [
        ...storePath.flatMap((q, i) => (isDlq(q) ? [] : (inQueue[i] ?? []))),
        ...owed.filter((d) => pathArns.has(d.targetArn)).map((d) => d.eventId),
      ],
    });
    const summary: UpSummary = {
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
      dlqByQueue: Object.fromEntries(
        queues.filter(isDlq).map((q) => [q.logicalId, final.byQueue[q.logicalId] ?? 0]),
      ),
      functions: Object.fromEntries(
        [...functions.hosts].map(([id, h]) => [
          id,
          {
            invocations: h.stats.invocations,
            meanMs: Math.round(h.stats.busyMs / Math.max(1, h.stats.invocations)),
            errors: h.stats.errors,
            timeouts: h.stats.timeouts,
            crashes: h.stats.crashes,
          },
        ]),
      ),
      failedPublishes: accepted.failedEntries,
      durationSeconds,
      drained,
      trafficSource: traffic.kind,
      scenario,
      endpoint: cloud.endpoint,
      crisis: crisis.report(outcome.heldBack),
    };
    if (options.json) out(`${JSON.stringify(summary)}\n`);
    else out(`${formatSummary(summary)}\n`);
    if (summary.lost > 0 || summary.dlq > 0) {
      err(`last function/runner log lines:\n${recentLogs.slice(-20).join("\n")}\n`);
    }
    return summary;
  } finally {
    if (ticker) clearInterval(ticker);
    await stopCrisis?.();
    await operatorsConsole?.stop();
    await functions?.stop();
    ddb.destroy();
    events.destroy();
    await cloud.stop();
  }
}
