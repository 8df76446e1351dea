/**
 * Powertools Logger, Tracer and Metrics for one service, built at first use (not at import).
 * Metrics follow the contract in docs/ARCHITECTURE.md: namespace from
 * POWERTOOLS_METRICS_NAMESPACE ("BuzzVille"), default dimension `service`;
 * EventsHandled/EventFailures/EndToEndLatency/EventsStored.
 *
 * The Powertools Tracer is loaded only when tracing is on (`loadTracing()`, awaited by the kit
 * before the first batch): its module loads aws-xray-sdk-core, which loads cls-hooked. With
 * tracing off the services get `DISABLED_TRACER`, which does nothing. With tracing on, the
 * module is loaded without cls-hooked's async hook (`importTracer`), see there.
 */
import asyncHooks from "node:async_hooks";
import { Logger } from "@aws-lambda-powertools/logger";
import { Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";
import type { Tracer } from "@aws-lambda-powertools/tracer";
import { platformConfig } from "./config.ts";
import type { FailureReason } from "./errors.ts";

/** What the services use of the Powertools Tracer. */
export type CityTracer = Pick<
  Tracer,
  | "isTracingEnabled"
  | "annotateColdStart"
  | "addServiceNameAnnotation"
  | "getSegment"
  | "setSegment"
  | "captureAWSv3Client"
>;

/** The tracer when tracing is off: loads nothing, records nothing. */
export const DISABLED_TRACER: CityTracer = {
  isTracingEnabled: () => false,
  annotateColdStart: () => undefined,
  addServiceNameAnnotation: () => undefined,
  getSegment: () => undefined,
  setSegment: () => undefined,
  captureAWSv3Client: (client) => client,
};

/**
 * Whether the Powertools Tracer would trace, decided as it decides (Tracer.setTracingEnabled):
 * off when POWERTOOLS_TRACE_ENABLED is "false", outside a Lambda execution environment
 * (AWS_EXECUTION_ENV unset, as in the local cloud and the tests), under SAM local
 * (AWS_SAM_LOCAL) or the Amplify mock.
 */
export function tracingWanted(env: NodeJS.ProcessEnv = process.env): boolean {
  if ((env.POWERTOOLS_TRACE_ENABLED ?? "").toLowerCase() === "false") return false;
  const executionEnv = env.AWS_EXECUTION_ENV ?? "";
  if (executionEnv === "" || executionEnv === "AWS_Lambda_amplify-mock") return false;
  return (env.AWS_SAM_LOCAL ?? "") === "";
}

type TracerClass = typeof Tracer;
let tracerClass: TracerClass | undefined;
let loading: Promise<void> | undefined;

/** An async hook that never runs (what cls-hooked gets while the tracer loads). */
const INERT_HOOK: asyncHooks.AsyncHook = {
  enable() {
    return this;
  },
  disable() {
    return this;
  },
};

/**
 * Imports the Powertools Tracer with cls-hooked's async hook never enabled. In Lambda, the X-Ray
 * SDK keeps ONE context per execution environment (entered at load, holding the invocation's
 * facade segment) and the kit makes a record's subsegment current only while records run one
 * after another (docs/OPERATIONS.md "Traces"): nothing needs a context carried across awaits.
 * Enabled, the hook made every await about 20 times dearer (2.3 µs instead of 0.1 µs), which cost
 * the local city more than a quarter of its CPU with tracing on.
 */
async function importTracer(): Promise<TracerClass> {
  const hooks = asyncHooks as { createHook: typeof asyncHooks.createHook };
  const createHook = hooks.createHook;
  hooks.createHook = () => INERT_HOOK;
  try {
    return (await import("@aws-lambda-powertools/tracer")).Tracer;
  } finally {
    hooks.createHook = createHook;
  }
}

/** Loads the Powertools Tracer module if tracing is on (once); a no-op otherwise. */
export function loadTracing(): Promise<void> {
  loading ??= tracingWanted()
    ? importTracer().then((Tracer) => {
        tracerClass = Tracer;
      })
    : Promise.resolve();
  return loading;
}

export interface Observability {
  readonly logger: Logger;
  /** The Powertools Tracer when tracing is on and loaded (`loadTracing`), else DISABLED_TRACER. */
  readonly tracer: CityTracer;
  readonly metrics: Metrics;
  /**
   * A Metrics instance of the same namespace and service with the extra default dimension
   * `Priority` (one per priority, kept): many values, published in one EMF document.
   */
  readonly priorityMetrics: (priority: string) => Metrics;
}

const cache = new Map<string, Observability>();

export function observability(service: string): Observability {
  let o = cache.get(service);
  if (!o) {
    const namespace = platformConfig().POWERTOOLS_METRICS_NAMESPACE;
    const byPriority = new Map<string, Metrics>();
    o = {
      logger: new Logger({ serviceName: service }),
      tracer: tracerClass ? new tracerClass({ serviceName: service }) : DISABLED_TRACER,
      metrics: new Metrics({ namespace, serviceName: service }),
      priorityMetrics: (priority) => {
        let m = byPriority.get(priority);
        if (!m) {
          m = new Metrics({
            namespace,
            serviceName: service,
            defaultDimensions: { Priority: priority },
          });
          byPriority.set(priority, m);
        }
        return m;
      },
    };
    cache.set(service, o);
  }
  return o;
}

/**
 * Per-batch metric tally, flushed once per invocation: counts with an extra dimension are
 * emitted as one single-metric EMF document per dimension value; latencies in the main buffer
 * (by {service}) and, per priority, in that priority's Metrics instance (by {service, Priority}),
 * each one EMF document per batch holding all its values.
 */
export class BatchMetrics {
  private readonly handled = new Map<string, number>();
  private readonly failures = new Map<FailureReason, number>();
  private readonly stored = new Map<string, number>();
  private readonly latencies: number[] = [];
  private readonly latenciesByPriority = new Map<string, number[]>();

  /** One record handled; its latency also counts under its priority (the per-priority alarms). */
  handledOne(eventType: string, latencyMs: number | undefined, priority?: string): void {
    this.handled.set(eventType, (this.handled.get(eventType) ?? 0) + 1);
    if (latencyMs !== undefined && Number.isFinite(latencyMs) && latencyMs >= 0) {
      this.latencies.push(latencyMs);
      if (priority !== undefined) {
        const list = this.latenciesByPriority.get(priority) ?? [];
        list.push(latencyMs);
        this.latenciesByPriority.set(priority, list);
      }
    }
  }

  failedOne(reason: FailureReason): void {
    this.failures.set(reason, (this.failures.get(reason) ?? 0) + 1);
  }

  storedOne(eventType: string): void {
    this.stored.set(eventType, (this.stored.get(eventType) ?? 0) + 1);
  }

  snapshot(): {
    handled: Record<string, number>;
    failures: Record<string, number>;
    stored: Record<string, number>;
    latencies: number[];
  } {
    return {
      handled: Object.fromEntries(this.handled),
      failures: Object.fromEntries(this.failures),
      stored: Object.fromEntries(this.stored),
      latencies: [...this.latencies],
    };
  }

  /**
   * Publishes the batch's metrics: one EMF document per event type (EventsHandled and
   * EventsStored), one per failure reason, one per priority (its latencies) and one by service
   * (the latencies and the memory metric). Each document is published from an instance the
   * service keeps (`metrics`, `byPriority`): Powertools' `singleMetric()` builds a new Metrics
   * (and Console) per call, which cost ~10 % of the event store's CPU at ten types per batch.
   */
  flush(metrics: Metrics, byPriority: (priority: string) => Metrics): void {
    const count = (name: string, n: number | undefined) => {
      if (n !== undefined) metrics.addMetric(name, MetricUnit.Count, n);
    };
    for (const type of new Set([...this.handled.keys(), ...this.stored.keys()])) {
      metrics.addDimension("EventType", type);
      count("EventsHandled", this.handled.get(type));
      count("EventsStored", this.stored.get(type));
      metrics.publishStoredMetrics();
    }
    for (const [reason, n] of this.failures) {
      metrics.addDimension("Reason", reason);
      count("EventFailures", n);
      metrics.publishStoredMetrics();
    }
    for (const [priority, values] of this.latenciesByPriority) {
      if (values.length === 0) continue;
      const m = byPriority(priority);
      for (const ms of values) m.addMetric("EndToEndLatency", MetricUnit.Milliseconds, ms);
      m.publishStoredMetrics();
    }
    for (const ms of this.latencies) {
      metrics.addMetric("EndToEndLatency", MetricUnit.Milliseconds, ms);
    }
    // The memory alarm's metric (infra/constructs/ops-alarms.ts): resident set after each batch.
    metrics.addMetric(MEMORY_METRIC, MetricUnit.Megabytes, rssMegabytes());
    metrics.publishStoredMetrics();
  }
}

/** EMF metric of the process's resident set size, MB, once per batch (by {service}). */
export const MEMORY_METRIC = "MemoryRssMb";

export const rssMegabytes = (): number => Math.round(process.memoryUsage.rss() / 1_048_576);
