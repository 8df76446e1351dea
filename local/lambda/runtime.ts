/**
 * Starts the deployed functions locally: one FunctionHost per function (its own environment:
 * the RESOURCE_ENV variables pointing at the local resources, AWS_ENDPOINT_URL = the gateway,
 * region, dummy credentials, the Powertools variables the CDK stack sets) and one event source
 * mapping per subscription. The functions run the bundles the CDK app deploys, each built once
 * per run (or found in the cache); `warm()` starts as many environments per function as its
 * pollers can keep busy before any traffic (docs/LOCAL.md "Functions (the Lambda runner)").
 */
import { availableParallelism } from "node:os";
import type { SQSClient } from "@aws-sdk/client-sqs";
import type { SQSRecord } from "aws-lambda";
import { topology } from "../../infra/topology.ts";
import { BundleCache } from "../bundles.ts";
import type { QueuePort } from "../queues/port.ts";
import { sdkQueuePort } from "../queues/sdk.ts";
import type { DeployedFunction, ResourceMap } from "../resource-map.ts";
import type { LocalTracing } from "../xray/tracing.ts";
import { FunctionHost, type InvokeOutcome, LambdaRunnerError } from "./host.ts";
import { EventSourceMapping } from "./mapping.ts";

/** Metrics namespace of the stack (BRIEF metrics contract). */
const METRICS_NAMESPACE = "BuzzVille";

export interface FunctionsOptions {
  readonly resources: ResourceMap;
  readonly sqs: SQSClient;
  /**
   * The queues the mappings poll: the local cloud's `cloud.queues` reaches them directly.
   * @default the queues through `sqs`
   */
  readonly queues?: QueuePort;
  /** Repository root the handler entries are relative to. @default process.cwd() */
  readonly rootDir?: string;
  /**
   * Execution environments per function (and per reserved pool) at most.
   * @default {@link defaultEnvironmentsPerFunction}: one per two cores
   */
  readonly maxInstancesPerFunction?: number;
  /**
   * The functions' DynamoDB endpoint (AWS_ENDPOINT_URL_DYNAMODB), e.g. the local cloud's
   * `gateway.dynamodbEndpoint`: DynamoDB's own thread, off the gateway's. @default the gateway
   */
  readonly dynamodbEndpoint?: string;
  /** Long-poll wait of the pollers, seconds. @default 20 with `queues`, 1 through `sqs` */
  readonly waitTimeSeconds?: number;
  /** Powertools log level inside the functions. @default "WARN" */
  readonly logLevel?: string;
  /** Sweep interval override, ms (tests). @default the topology's sweepEveryMinutes */
  readonly sweepIntervalMs?: number;
  /** Extra variables in every function's environment (tests, debugging). */
  readonly extraEnv?: Readonly<Record<string, string>>;
  /** Per-function entry override (tests), by function logical id. */
  readonly entries?: Readonly<Record<string, string>>;
  /** Where the bundles are built or found. @default a cache on `rootDir` (node_modules/.cache) */
  readonly bundles?: BundleCache;
  readonly onLog?: (functionName: string, line: string) => void;
  /** Pass the functions' stdout lines (EMF metrics, info logs) to `onLog`, not only stderr. @default true */
  readonly logStdout?: boolean;
  readonly onDelivered?: (subscriptionId: string, record: SQSRecord, now: number) => void;
  readonly onInvokeFailure?: (mapping: string, outcome: InvokeOutcome) => void;
  /** Runner problems that lose nothing (e.g. retried deletes), by mapping (subscription id). */
  readonly onWarning?: (mapping: string, message: string) => void;
  /**
   * Subscriptions whose function is shared with other subscriptions but that get their OWN pool
   * of environments (like reserved concurrency on AWS), so bulk traffic never delays them.
   * @default the topology's subscriptions with priority "critical"
   */
  readonly reservedSubscriptions?: ReadonlySet<string>;
  /**
   * The local cloud's tracing (`cloud.tracing`): the functions then trace as on AWS (the
   * Powertools Tracer sends to its daemon) and the runner records Lambda's own segments.
   * @default none: the functions' tracer is disabled
   */
  readonly tracing?: Pick<LocalTracing, "functionEnv" | "span" | "rootHeader">;
}

export interface RunningFunctions {
  readonly hosts: ReadonlyMap<string, FunctionHost>;
  /** The run's bundles (`stats`: how many were built, how many taken from the cache). */
  readonly bundles: BundleCache;
  readonly mappings: readonly EventSourceMapping[];
  /**
   * The sweep schedules (topology `sweepEveryMinutes`, a scheduled rule on AWS): each function
   * listed is invoked with an empty batch (`{"Records": []}`) at that rate.
   */
  readonly sweeps: readonly { readonly function: string; readonly everyMinutes: number }[];
  /**
   * Bundles every function and starts its expected environments (as many as its pollers keep
   * busy, at least one) before traffic; resolves with the functions that failed to load.
   */
  warm(): Promise<{ name: string; error: string }[]>;
  /** Asynchronous invoke by function ARN (EventBridge Lambda targets). */
  invoke(functionArn: string, payload: string): Promise<void>;
  stop(): Promise<void>;
}

export function functionEnvironment(
  fn: DeployedFunction,
  resources: ResourceMap,
  logLevel: string,
): Record<string, string> {
  return {
    ...fn.resourceEnv,
    AWS_ENDPOINT_URL: resources.endpoint,
    AWS_REGION: resources.region,
    AWS_DEFAULT_REGION: resources.region,
    AWS_ACCESS_KEY_ID: "local",
    AWS_SECRET_ACCESS_KEY: "local",
    AWS_LAMBDA_FUNCTION_NAME: fn.name,
    AWS_LAMBDA_FUNCTION_VERSION: "$LATEST",
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(fn.memoryMb),
    AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${fn.name}`,
    POWERTOOLS_SERVICE_NAME: fn.service,
    POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
    POWERTOOLS_LOG_LEVEL: logLevel,
    // Without the local cloud's tracing (FunctionsOptions.tracing) the tracer is disabled.
    POWERTOOLS_TRACE_ENABLED: "false",
    NODE_OPTIONS: "--enable-source-maps",
  };
}

/**
 * Environments per function when not configured: one per two cores (at least one). Environments
 * are threads of one process: beyond the cores they only add isolates to compile the same code
 * and collect garbage, and move streams between environments (stale cached heads); measured in
 * docs/BENCHMARKS.md "Environments per function".
 */
export function defaultEnvironmentsPerFunction(cores = availableParallelism()): number {
  return Math.max(1, Math.floor(cores / 2));
}

type EventSource = ResourceMap["eventSources"][number];

const CRITICAL = new Set(
  topology.subscriptions.filter((s) => s.priority === "critical").map((s) => s.id),
);

/** How many environments each pool may run, and how many pollers each event source gets. */
function poolSizing(options: FunctionsOptions) {
  const cap = options.maxInstancesPerFunction ?? defaultEnvironmentsPerFunction();
  // A reserved (critical) subscription takes batches of one without a window: by default its
  // pool keeps a second environment, so one slow incident never holds up the next.
  const reserved = options.reservedSubscriptions ?? CRITICAL;
  const criticalCap = options.maxInstancesPerFunction ?? Math.max(cap, 2);
  const capOf = (es: { readonly subscriptionId: string }) =>
    reserved.has(es.subscriptionId) ? criticalCap : cap;
  // Never more pollers than environments: a batch waiting for one would age in flight.
  const pollers = (es: EventSource) => Math.min(es.maxConcurrency, capOf(es));
  return { cap, reserved, capOf, pollers };
}

type PoolSizing = ReturnType<typeof poolSizing>;

/** Makes the host (a pool of environments) of one function. */
function hostFactory(options: FunctionsOptions, rootDir: string, bundles: BundleCache) {
  const { resources } = options;
  return (fn: DeployedFunction, expected: number, max: number) =>
    new FunctionHost({
      name: fn.name,
      entry: options.entries?.[fn.functionId] ?? fn.entry,
      rootDir,
      bundles,
      timeoutMs: fn.timeoutSeconds * 1000,
      memoryMb: fn.memoryMb,
      env: {
        ...functionEnvironment(fn, resources, options.logLevel ?? "WARN"),
        ...options.tracing?.functionEnv,
        ...(options.dynamodbEndpoint
          ? { AWS_ENDPOINT_URL_DYNAMODB: options.dynamodbEndpoint }
          : {}),
        ...options.extraEnv,
      },
      ...(options.tracing ? { tracing: options.tracing } : {}),
      maxInstances: max,
      minInstances: Math.max(1, Math.min(expected, max)),
      region: resources.region,
      onLog: (line) => options.onLog?.(fn.name, line),
      ...(options.logStdout === false ? { logStdout: false } : {}),
    });
}

/** Every function's shared pool, and the own pools of reserved subscriptions by event source. */
function startHosts(
  resources: ResourceMap,
  { cap, reserved, capOf, pollers }: PoolSizing,
  hostFor: ReturnType<typeof hostFactory>,
) {
  // A reserved subscription of a shared function gets its own pool, keyed "<function>/<subscription>".
  const sourcesPerFunction = new Map<string, number>();
  for (const es of resources.eventSources) {
    sourcesPerFunction.set(es.function, (sourcesPerFunction.get(es.function) ?? 0) + 1);
  }
  const ownPool = (es: (typeof resources.eventSources)[number]) =>
    reserved.has(es.subscriptionId) && (sourcesPerFunction.get(es.function) ?? 0) >= 2;
  // The pollers each shared pool serves: the environments it is warmed with.
  const demand = new Map<string, number>();
  const limit = new Map<string, number>();
  for (const es of resources.eventSources) {
    if (ownPool(es)) continue;
    demand.set(es.function, (demand.get(es.function) ?? 0) + pollers(es));
    limit.set(es.function, Math.max(limit.get(es.function) ?? cap, capOf(es)));
  }
  const hosts = new Map<string, FunctionHost>();
  for (const [logicalId, fn] of Object.entries(resources.functions)) {
    hosts.set(logicalId, hostFor(fn, demand.get(logicalId) ?? 1, limit.get(logicalId) ?? cap));
  }
  const poolOf = new Map<string, FunctionHost>();
  for (const es of resources.eventSources) {
    const fn = resources.functions[es.function];
    if (!fn || !ownPool(es)) continue;
    const host = hostFor(fn, pollers(es), capOf(es));
    hosts.set(`${es.function}/${es.subscriptionId}`, host);
    poolOf.set(es.logicalId, host);
  }
  return { hosts, poolOf };
}

/** One event source mapping per event source, polling its queue into its pool. */
function createMappings(
  options: FunctionsOptions,
  { hosts, poolOf }: ReturnType<typeof startHosts>,
  pollers: PoolSizing["pollers"],
): EventSourceMapping[] {
  const { resources } = options;
  const queues = options.queues ?? sdkQueuePort(options.sqs);
  return resources.eventSources.map((es) => {
    const queue = resources.queues[es.queue];
    const fn = poolOf.get(es.logicalId) ?? hosts.get(es.function);
    if (!queue || !fn) {
      throw new LambdaRunnerError(
        `Event source ${es.logicalId} names queue ${es.queue} / function ${es.function}, which were not deployed`,
      );
    }
    return new EventSourceMapping({
      id: es.subscriptionId,
      queueArn: queue.arn,
      region: resources.region,
      queues,
      fn,
      // FIFO: AWS caps batches at 10.
      batchSize: queue.fifo ? Math.min(es.batchSize, 10) : es.batchSize,
      maxBatchingWindowSeconds: es.maxBatchingWindowSeconds,
      maxConcurrency: pollers(es),
      // Through a client, long polls stay short: an abandoned HTTP long poll holds the server.
      waitTimeSeconds: options.waitTimeSeconds ?? (options.queues ? 20 : 1),
      onDelivered: (record, now) => options.onDelivered?.(es.subscriptionId, record, now),
      ...(options.tracing ? { tracing: options.tracing } : {}),
      ...(options.onInvokeFailure ? { onInvokeFailure: options.onInvokeFailure } : {}),
      ...(options.onWarning ? { onWarning: options.onWarning } : {}),
    });
  });
}

/** Sweep schedules: like the stack's scheduled rules (no retries or DLQ: the next sweep redoes it). */
function startSweeps(options: FunctionsOptions, hosts: ReadonlyMap<string, FunctionHost>) {
  const sweeps: { function: string; everyMinutes: number }[] = [];
  const timers: NodeJS.Timeout[] = [];
  for (const [logicalId, fn] of Object.entries(options.resources.functions)) {
    const everyMinutes = topology.functions.find((f) => f.id === fn.functionId)?.sweepEveryMinutes;
    const host = hosts.get(logicalId);
    if (everyMinutes === undefined || !host) continue;
    sweeps.push({ function: logicalId, everyMinutes });
    const timer = setInterval(
      () => {
        host.invoke({ Records: [] }).then(
          (outcome) => {
            if (outcome.kind !== "ok") options.onInvokeFailure?.(`${host.name} sweep`, outcome);
          },
          (error: unknown) =>
            options.onInvokeFailure?.(`${host.name} sweep`, {
              kind: "crash",
              error: String(error),
            }),
        );
      },
      options.sweepIntervalMs ?? everyMinutes * 60_000,
    );
    timer.unref();
    timers.push(timer);
  }
  return { sweeps, timers };
}

export function startFunctions(options: FunctionsOptions): RunningFunctions {
  const { resources } = options;
  const rootDir = options.rootDir ?? process.cwd();
  const bundles = options.bundles ?? new BundleCache({ rootDir });
  const sizing = poolSizing(options);
  const pools = startHosts(resources, sizing, hostFactory(options, rootDir, bundles));
  const { hosts } = pools;
  const mappings = createMappings(options, pools, sizing.pollers);
  for (const m of mappings) m.start();
  const { sweeps, timers } = startSweeps(options, hosts);

  return {
    hosts,
    bundles,
    mappings,
    sweeps,
    async warm() {
      const failures: { name: string; error: string }[] = [];
      await Promise.all(
        [...hosts.values()].map((h) =>
          h.warm().catch((error: unknown) => failures.push({ name: h.name, error: String(error) })),
        ),
      );
      return failures;
    },
    async invoke(functionArn, payload) {
      // The function's shared pool (reserved pools are keyed "<function>/<subscription>").
      const host = [...hosts].find(([key, h]) => !key.includes("/") && h.arn === functionArn)?.[1];
      if (!host) throw new LambdaRunnerError(`No local function has ARN ${functionArn}`);
      // Asynchronous invocation: accepted now, run in the background (failures are logged).
      host.invoke(JSON.parse(payload)).then(
        (outcome) => {
          if (outcome.kind !== "ok") options.onInvokeFailure?.(host.name, outcome);
        },
        (error: unknown) =>
          options.onInvokeFailure?.(host.name, { kind: "crash", error: String(error) }),
      );
    },
    async stop() {
      for (const t of timers) clearInterval(t);
      await Promise.all(mappings.map((m) => m.stop()));
      await Promise.all([...hosts.values()].map((h) => h.close()));
    },
  };
}
