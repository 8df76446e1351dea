/**
 * Powertools Logger, Tracer and Metrics for one service, built at first use (not at import).
 * Metrics follow the brief's contract: namespace from POWERTOOLS_METRICS_NAMESPACE ("BuzzVille"),
 * default dimension `service`; EventsHandled/EventFailures/EndToEndLatency/EventsStored.
 */
import { Logger } from "@aws-lambda-powertools/logger";
import { Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";
import { Tracer } from "@aws-lambda-powertools/tracer";
import { platformConfig } from "./config.ts";
import type { FailureReason } from "./errors.ts";

export interface Observability {
  readonly logger: Logger;
  readonly tracer: Tracer;
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
      tracer: new Tracer({ serviceName: service }),
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

  /** `byPriority` gives the Metrics instance of a priority (Observability.priorityMetrics). */
  flush(metrics: Metrics, byPriority: (priority: string) => Metrics): void {
    const single = (name: string, dim: string, value: string, count: number) => {
      const m = metrics.singleMetric();
      m.addDimension(dim, value);
      m.addMetric(name, MetricUnit.Count, count);
    };
    for (const [type, n] of this.handled) single("EventsHandled", "EventType", type, n);
    for (const [reason, n] of this.failures) single("EventFailures", "Reason", reason, n);
    for (const [type, n] of this.stored) single("EventsStored", "EventType", type, n);
    for (const [priority, values] of this.latenciesByPriority) {
      if (values.length === 0) continue;
      const m = byPriority(priority);
      for (const ms of values) m.addMetric("EndToEndLatency", MetricUnit.Milliseconds, ms);
      m.publishStoredMetrics();
    }
    for (const ms of this.latencies) {
      metrics.addMetric("EndToEndLatency", MetricUnit.Milliseconds, ms);
    }
    if (this.latencies.length > 0) metrics.publishStoredMetrics();
    // The memory alarm's metric (infra/constructs/ops-alarms.ts): resident set after each batch.
    metrics.singleMetric().addMetric(MEMORY_METRIC, MetricUnit.Megabytes, rssMegabytes());
  }
}

/** EMF metric of the process's resident set size, MB, once per batch (by {service}). */
export const MEMORY_METRIC = "MemoryRssMb";

export const rssMegabytes = (): number => Math.round(process.memoryUsage.rss() / 1_048_576);
