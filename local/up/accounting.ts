/**
 * What a run of the local city published and what the consumers received: the ids PutEvents
 * accepted (recorded from the real responses), end-to-end latencies, and per-stream order.
 */
import type {
  PutEventsCommand,
  PutEventsCommandOutput,
  PutEventsRequestEntry,
} from "@aws-sdk/client-eventbridge";
import type { SQSRecord } from "aws-lambda";

/** The part of an EventBridge client a publisher uses (events/publisher.ts PutEventsPort). */
export interface PutEventsSender {
  send(command: PutEventsCommand): Promise<PutEventsCommandOutput>;
}

function eventIdOf(entry: PutEventsRequestEntry): string | undefined {
  try {
    const detail = JSON.parse(entry.Detail ?? "") as { meta?: { eventId?: unknown } };
    return typeof detail.meta?.eventId === "string" ? detail.meta.eventId : undefined;
  } catch {
    return undefined;
  }
}

/** Wraps a client; every entry PutEvents accepted (has an EventId) is recorded by meta.eventId. */
export class AcceptedEvents {
  readonly ids = new Set<string>();
  /** Accepted entries without a readable meta.eventId (e.g. deliberately malformed ones). */
  withoutId = 0;
  failedEntries = 0;

  wrap(client: PutEventsSender): PutEventsSender {
    return {
      send: async (command) => {
        const out = await client.send(command);
        const entries = command.input.Entries ?? [];
        (out.Entries ?? []).forEach((result, i) => {
          const entry = entries[i];
          if (!result.EventId || !entry) {
            this.failedEntries++;
            return;
          }
          const id = eventIdOf(entry);
          if (id) this.ids.add(id);
          else this.withoutId++;
        });
        return out;
      },
    };
  }
}

interface Meta {
  eventId?: string;
  occurredAt?: string;
  producerId?: string;
  sequence?: number;
}

function metaOf(record: SQSRecord): Meta | undefined {
  try {
    const body = JSON.parse(record.body) as { detail?: { meta?: Meta } };
    return body.detail?.meta;
  } catch {
    return undefined;
  }
}

/** p-th percentile (nearest rank) of a sorted list; 0 when empty. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] ?? 0;
}

/** Per-consumer deliveries, latency samples and order checks on the FIFO (ordered) consumers. */
export class DeliveryLedger {
  readonly delivered: Record<string, number> = {};
  private readonly latencies = new Map<string, number[]>();
  private samples = 0;
  private readonly lastSequence = new Map<string, number>();
  orderViolations = 0;

  constructor(
    /** Subscriptions whose queue is FIFO: checked for per-group, per-producer order. */
    private readonly ordered: ReadonlySet<string>,
    private readonly maxSamples = 200_000,
  ) {}

  record(subscriptionId: string, record: SQSRecord, now: number): void {
    this.delivered[subscriptionId] = (this.delivered[subscriptionId] ?? 0) + 1;
    const meta = metaOf(record);
    if (!meta) return;
    const occurred = meta.occurredAt ? Date.parse(meta.occurredAt) : Number.NaN;
    if (Number.isFinite(occurred) && this.samples < this.maxSamples) {
      const list = this.latencies.get(subscriptionId) ?? [];
      list.push(Math.max(0, now - occurred));
      this.latencies.set(subscriptionId, list);
      this.samples++;
    }
    const group = record.attributes.MessageGroupId;
    if (this.ordered.has(subscriptionId) && group && meta.producerId && meta.sequence) {
      const key = `${subscriptionId}|${group}|${meta.producerId}`;
      const last = this.lastSequence.get(key) ?? 0;
      if (meta.sequence < last) this.orderViolations++;
      else this.lastSequence.set(key, meta.sequence);
    }
  }

  /** Over every delivery, or one consumer's. */
  latency(subscriptionId?: string): { p50: number; p99: number } {
    const values =
      subscriptionId === undefined
        ? [...this.latencies.values()].flat()
        : (this.latencies.get(subscriptionId) ?? []);
    const sorted = values.sort((a, b) => a - b);
    return { p50: percentile(sorted, 50), p99: percentile(sorted, 99) };
  }

  latencyByConsumer(): Record<string, { p50: number; p99: number }> {
    return Object.fromEntries([...this.latencies.keys()].map((id) => [id, this.latency(id)]));
  }
}
