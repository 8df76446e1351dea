/**
 * `buzzville up`: boots the local cloud, deploys the topology, starts the functions and the
 * traffic, shows a live status line, and at the end (duration over, or aborted) stops the
 * traffic, drains the queues (bounded), and accounts for every accepted event from the real
 * resources: event store, queues, DLQs.
 */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { EventBridgeClient } from "@aws-sdk/client-eventbridge";
import { SQSClient } from "@aws-sdk/client-sqs";
import { SHARED_IDS } from "../../infra/resources.ts";
import { topology } from "../../infra/topology.ts";
import { type LocalCloud, startLocalCloud } from "../cloud.ts";
import { deployTopology } from "../deploy.ts";
import { startFunctions } from "../lambda/runtime.ts";
import type { DeployedQueue, ResourceMap } from "../resource-map.ts";
import { AcceptedEvents, DeliveryLedger } from "./accounting.ts";
import { eventIdsInQueue, queueDepth, storedEventIds } from "./inspect.ts";
import { formatStatus, formatSummary, type UpSummary } from "./status.ts";
import { loadTrafficSource, type TrafficSource } from "./traffic.ts";

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
}

const credentials = { accessKeyId: "local", secretAccessKey: "local" };
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
function eventStoreSubscription(resources: ResourceMap): string | undefined {
  const table = resources.tables[SHARED_IDS.eventsTable]?.name;
  const fn = Object.entries(resources.functions).find(([, f]) =>
    Object.values(f.resourceEnv).includes(table ?? "\u0000"),
  );
  return resources.eventSources.find((es) => es.function === fn?.[0])?.subscriptionId;
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

  const cloud: LocalCloud = await startLocalCloud({
    ...(options.host ? { host: options.host } : {}),
    port: options.port ?? 4566,
    ...(options.dataDir ? { dataDir: options.dataDir } : {}),
    onError: (where, error) => note(`[${where}] ${String(error)}`),
  });
  const config = { endpoint: cloud.endpoint, region: cloud.region, credentials };
  const sqs = new SQSClient(config);
  const ddb = new DynamoDBClient(config);
  const events = new EventBridgeClient(config);
  let functions: ReturnType<typeof startFunctions> | undefined;
  let ticker: NodeJS.Timeout | undefined;
  try {
    const resources = await deployTopology({
      endpoint: cloud.endpoint,
      region: cloud.region,
      topology,
    });
    const queues = Object.values(resources.queues);
    const ordered = new Set(
      queues.filter((q) => q.fifo && q.role === "consumer").map((q) => q.subscriptionId),
    );
    const ledger = new DeliveryLedger(ordered);
    for (const sub of topology.subscriptions) ledger.delivered[sub.id] = 0;
    functions = startFunctions({
      resources,
      sqs,
      ...(options.maxInstancesPerFunction
        ? { maxInstancesPerFunction: options.maxInstancesPerFunction }
        : {}),
      ...(options.entries ? { entries: options.entries } : {}),
      onLog: (fn, line) => note(`[${fn}] ${line}`),
      onDelivered: (sub, record, now) => ledger.record(sub, record, now),
      onInvokeFailure: (mapping, outcome) =>
        note(
          `[${mapping}] invocation ${outcome.kind}${"error" in outcome ? `: ${outcome.error}` : ""}`,
        ),
    });
    cloud.attachLambda(functions.invoke);
    for (const failure of await functions.warm()) {
      err(
        `warning: function ${failure.name} failed to load (its messages will go to its DLQ): ${failure.error}\n`,
      );
    }

    status(
      `Buzz Ville local cloud on ${cloud.endpoint} (region ${cloud.region}); deployed ${queues.length} queues, ${Object.keys(resources.rules).length} rules, ${Object.keys(resources.pipes).length} pipes, ${Object.keys(resources.functions).length} functions\n`,
    );
    const accepted = new AcceptedEvents();
    const traffic = options.traffic ?? (await loadTrafficSource());
    const scenario = options.scenario ?? "normal-day";
    const stopTraffic = new AbortController();
    options.signal?.addEventListener("abort", () => stopTraffic.abort());
    const started = Date.now();

    const depths = async () => {
      let inQueues = 0;
      let inDlqs = 0;
      const byQueue: Record<string, number> = {};
      for (const q of queues) {
        const d = await queueDepth(sqs, q);
        byQueue[q.logicalId] = d.total;
        if (isDlq(q)) inDlqs += d.total;
        else inQueues += d.total;
      }
      return { inQueues, inDlqs, byQueue };
    };
    let lastPlain = 0;
    const draw = async () => {
      const d = await depths();
      const line = formatStatus({
        elapsedSeconds: Math.round((Date.now() - started) / 1000),
        published: accepted.ids.size,
        delivered: ledger.delivered,
        inQueues: d.inQueues,
        inDlqs: d.inDlqs,
        latency: ledger.latency(),
      });
      if (options.tty) status(`\r\u001b[2K${line}`);
      else if (Date.now() - lastPlain >= 5000) {
        lastPlain = Date.now();
        status(`${line}\n`);
      }
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
    });
    await runTraffic.catch((error: unknown) => note(`[traffic] stopped: ${String(error)}`));
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

    // Account for every accepted event from the real resources.
    const final = await depths();
    const stored = await storedEventIds(ddb, resources.tables[SHARED_IDS.eventsTable]?.name ?? "");
    const storeSub = eventStoreSubscription(resources);
    const present = new Set(stored);
    for (const q of queues) {
      if (storeSub && q.subscriptionId !== storeSub && !isDlq(q)) continue;
      for (const id of await eventIdsInQueue(cloud.endpoint, q)) present.add(id);
    }
    let lost = 0;
    for (const id of accepted.ids) if (!present.has(id)) lost++;
    const summary: UpSummary = {
      published: accepted.ids.size,
      stored: stored.size,
      deliveredByConsumer: { ...ledger.delivered },
      inFlight: final.inQueues,
      dlq: final.inDlqs,
      lost,
      orderViolations: ledger.orderViolations,
      latencyMs: ledger.latency(),
      latencyMsByConsumer: ledger.latencyByConsumer(),
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
    };
    if (options.json) out(`${JSON.stringify(summary)}\n`);
    else out(`${formatSummary(summary)}\n`);
    if (summary.lost > 0 || summary.dlq > 0) {
      err(`last function/runner log lines:\n${recentLogs.slice(-20).join("\n")}\n`);
    }
    return summary;
  } finally {
    if (ticker) clearInterval(ticker);
    await functions?.stop();
    sqs.destroy();
    ddb.destroy();
    events.destroy();
    await cloud.stop();
  }
}
