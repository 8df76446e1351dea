/**
 * What the city bench counts while the city runs: events PutEvents accepted per traffic tag
 * (from the real responses), events the event store stored per tag (the event-store consumer's
 * successful deletes, read from the runner's `onDelivered`), per-consumer latency in the current
 * window (local/up/accounting.ts DeliveryLedger), and process CPU, memory and request counts.
 * A tag is the part after the last ":" of an event's producer id (the simulator's run tag).
 */
import type { SQSRecord } from "aws-lambda";
import type { LocalCloud } from "../../local/cloud.ts";
import {
  diffRequestCounts,
  type RequestCountSnapshot,
  type RequestOrigin,
  totalRequests,
} from "../../local/request-counts.ts";
import { DeliveryLedger, type PutEventsSender } from "../../local/up/accounting.ts";
import type { Percentiles } from "../../local/up/latency.ts";

/** Requests per event: `{ total, byService: { sqs: { SendMessageBatch: 0.4, … } } }`. */
export interface RequestsPerEvent {
  readonly total: number;
  readonly byService: Record<string, Record<string, number>>;
}

/** Counters at one instant, for windows. */
export interface MeterReading {
  readonly atMs: number;
  readonly cpuMicros: number;
  readonly requests: RequestCountSnapshot;
}

function tagOfProducer(producerId: unknown): string | undefined {
  if (typeof producerId !== "string") return undefined;
  const at = producerId.lastIndexOf(":");
  return at < 0 ? undefined : producerId.slice(at + 1);
}

/**
 * Requests per event, by service and action (rounded to 4 decimals): of both origins, or of one
 * (`cloud`: the work the local cloud does on its own behalf, local/request-counts.ts).
 */
export function requestsPerEvent(
  counts: RequestCountSnapshot,
  events: number,
  origin?: RequestOrigin,
): RequestsPerEvent {
  const sums = new Map<string, Map<string, number>>();
  for (const o of origin ? [origin] : (["client", "cloud"] as const)) {
    for (const [service, actions] of Object.entries(counts[o])) {
      const into = sums.get(service) ?? new Map<string, number>();
      for (const [action, n] of Object.entries(actions))
        into.set(action, (into.get(action) ?? 0) + n);
      sums.set(service, into);
    }
  }
  const per = (n: number) => (events > 0 ? Math.round((n / events) * 10_000) / 10_000 : 0);
  const byService: Record<string, Record<string, number>> = {};
  for (const [service, actions] of [...sums].sort((a, b) => a[0].localeCompare(b[0]))) {
    byService[service] = Object.fromEntries(
      [...actions].sort((a, b) => a[0].localeCompare(b[0])).map(([a, n]) => [a, per(n)]),
    );
  }
  return { total: per(totalRequests(counts, origin)), byService };
}

export class CityMeter {
  private readonly accepted = new Map<string, number>();
  private readonly stored = new Map<string, number>();
  private ledger: DeliveryLedger;

  constructor(
    private readonly cloud: LocalCloud,
    /** The subscription feeding the event-store function. */
    private readonly storeSubscription: string,
    private readonly ordered: ReadonlySet<string>,
  ) {
    this.ledger = new DeliveryLedger(ordered);
  }

  /** For startFunctions' onDelivered. */
  readonly onDelivered = (subscriptionId: string, record: SQSRecord, now: number): void => {
    this.ledger.record(subscriptionId, record, now);
    if (subscriptionId !== this.storeSubscription) return;
    let tag: string | undefined;
    try {
      const body = JSON.parse(record.body) as { detail?: { meta?: { producerId?: unknown } } };
      tag = tagOfProducer(body.detail?.meta?.producerId);
    } catch {
      return;
    }
    if (tag !== undefined) this.stored.set(tag, (this.stored.get(tag) ?? 0) + 1);
  };

  /** A client that counts the entries PutEvents accepted under `tag`. */
  client(tag: string, inner: PutEventsSender): PutEventsSender {
    return {
      send: async (command) => {
        const out = await inner.send(command);
        const ok = (out.Entries ?? []).filter((e) => e.EventId).length;
        this.accepted.set(tag, (this.accepted.get(tag) ?? 0) + ok);
        return out;
      },
    };
  }

  acceptedOf(...tags: string[]): number {
    return tags.reduce((n, t) => n + (this.accepted.get(t) ?? 0), 0);
  }

  storedOf(...tags: string[]): number {
    return tags.reduce((n, t) => n + (this.stored.get(t) ?? 0), 0);
  }

  /** Starts a new latency window; returns the previous window's per-consumer percentiles. */
  newLatencyWindow(): Record<string, Percentiles> {
    const done = this.ledger.latencyByConsumer();
    this.ledger = new DeliveryLedger(this.ordered);
    return done;
  }

  latencyOf(subscriptionId: string): Percentiles {
    return this.ledger.latency(subscriptionId);
  }

  read(): MeterReading {
    const cpu = process.cpuUsage();
    return {
      atMs: performance.now(),
      cpuMicros: cpu.user + cpu.system,
      requests: this.cloud.gateway.requests.snapshot(),
    };
  }

  /** CPU ms per event and requests per event between two readings. */
  static between(
    start: MeterReading,
    end: MeterReading,
    events: number,
  ): {
    cpuMsPerEvent: number;
    requests: RequestCountSnapshot;
    perEvent: RequestsPerEvent;
    cloudPerEvent: RequestsPerEvent;
  } {
    const requests = diffRequestCounts(end.requests, start.requests);
    return {
      cpuMsPerEvent: events > 0 ? (end.cpuMicros - start.cpuMicros) / 1000 / events : 0,
      requests,
      perEvent: requestsPerEvent(requests, events),
      cloudPerEvent: requestsPerEvent(requests, events, "cloud"),
    };
  }
}
