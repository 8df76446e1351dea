/**
 * What a run of the local city published and what the consumers received: the ids PutEvents
 * accepted (recorded from the real responses), end-to-end latencies, and per-stream arrival
 * order — all in bounded memory.
 */
import type {
  PutEventsCommand,
  PutEventsCommandOutput,
  PutEventsRequestEntry,
} from "@aws-sdk/client-eventbridge";
import type { SQSRecord } from "aws-lambda";
import { LatencySeries, type Percentiles, SlidingWindow } from "./latency.ts";

export { percentile } from "./latency.ts";

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

/**
 * Wraps a client; every entry PutEvents accepted (has an EventId) is counted and, up to
 * `maxTracked` distinct ids, recorded by meta.eventId for the end-of-run `lost` check (a
 * never-ending run would otherwise grow this set forever; ~100 MB at the default bound, 27 h
 * at 10 events/s). Ids accepted beyond the bound are counted in `untracked`, not checked.
 */
export class AcceptedEvents {
  readonly ids = new Set<string>();
  /** Accepted entries with a readable meta.eventId (tracked or not). */
  accepted = 0;
  /** Accepted after `ids` reached `maxTracked`: counted in `accepted`, not checked for loss. */
  untracked = 0;
  /** Accepted entries without a readable meta.eventId (e.g. deliberately malformed ones). */
  withoutId = 0;
  failedEntries = 0;

  constructor(private readonly maxTracked = 1_000_000) {}

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
          if (!id) {
            this.withoutId++;
            return;
          }
          if (this.ids.has(id)) return;
          this.accepted++;
          if (this.ids.size < this.maxTracked) this.ids.add(id);
          else this.untracked++;
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

export interface LedgerBounds {
  /** Exact latency samples kept per consumer (beyond: histogram). @default 100_000 */
  readonly maxExactPerConsumer?: number;
  /** Exact latency samples kept over all consumers. @default 200_000 */
  readonly maxExactOverall?: number;
  /** Samples of the live (sliding-window) percentiles. @default 5_000 */
  readonly liveWindow?: number;
  /** group+producer streams whose last sequence is remembered (least recently seen dropped). @default 50_000 */
  readonly maxStreams?: number;
}

/**
 * Per-consumer deliveries, latency samples (bounded, see latency.ts) and, on the ordered (FIFO)
 * consumers, arrivals whose producer sequence is below the last one seen for their group and
 * producer. That arrival disorder is informative only: EventBridge delivers in no particular
 * order and the consumers resequence; the promised order is checked in the event store
 * (inspect.ts `scanEventStore`).
 */
export class DeliveryLedger {
  readonly delivered: Record<string, number> = {};
  /** Per ordered consumer: deliveries that arrived below their stream's last sequence. */
  readonly arrivalsOutOfSequence: Record<string, number> = {};
  private readonly series = new Map<string, LatencySeries>();
  private readonly overall: LatencySeries;
  private readonly live: SlidingWindow;
  /** Insertion order = least recently seen first (re-inserted on every update). */
  private readonly lastSequence = new Map<string, number>();
  private readonly bounds: Required<LedgerBounds>;

  constructor(
    /** Subscriptions whose queue is FIFO: checked for per-group, per-producer order. */
    private readonly ordered: ReadonlySet<string>,
    bounds: LedgerBounds = {},
  ) {
    this.bounds = {
      maxExactPerConsumer: bounds.maxExactPerConsumer ?? 100_000,
      maxExactOverall: bounds.maxExactOverall ?? 200_000,
      liveWindow: bounds.liveWindow ?? 5_000,
      maxStreams: bounds.maxStreams ?? 50_000,
    };
    this.overall = new LatencySeries(this.bounds.maxExactOverall);
    this.live = new SlidingWindow(this.bounds.liveWindow);
    for (const id of ordered) this.arrivalsOutOfSequence[id] = 0;
  }

  /** Streams whose last sequence is remembered (bounded by `maxStreams`). */
  get trackedStreams(): number {
    return this.lastSequence.size;
  }

  record(subscriptionId: string, record: SQSRecord, now: number): void {
    this.delivered[subscriptionId] = (this.delivered[subscriptionId] ?? 0) + 1;
    const meta = metaOf(record);
    if (!meta) return;
    const occurred = meta.occurredAt ? Date.parse(meta.occurredAt) : Number.NaN;
    if (Number.isFinite(occurred)) {
      const ms = Math.max(0, now - occurred);
      let series = this.series.get(subscriptionId);
      if (!series) {
        series = new LatencySeries(this.bounds.maxExactPerConsumer);
        this.series.set(subscriptionId, series);
      }
      series.add(ms);
      this.overall.add(ms);
      this.live.add(ms);
    }
    const group = record.attributes.MessageGroupId;
    if (this.ordered.has(subscriptionId) && group && meta.producerId && meta.sequence) {
      const key = `${subscriptionId}|${group}|${meta.producerId}`;
      const last = this.lastSequence.get(key) ?? 0;
      if (meta.sequence < last) {
        this.arrivalsOutOfSequence[subscriptionId] =
          (this.arrivalsOutOfSequence[subscriptionId] ?? 0) + 1;
        return;
      }
      this.lastSequence.delete(key);
      this.lastSequence.set(key, meta.sequence);
      if (this.lastSequence.size > this.bounds.maxStreams) {
        const oldest = this.lastSequence.keys().next().value;
        if (oldest !== undefined) this.lastSequence.delete(oldest);
      }
    }
  }

  /** Over every delivery (exact up to the bound, then from the histogram), or one consumer's. */
  latency(subscriptionId?: string): Percentiles {
    if (subscriptionId === undefined) return this.overall.percentiles();
    return this.series.get(subscriptionId)?.percentiles() ?? { p50: 0, p99: 0 };
  }

  /** The last `liveWindow` deliveries: for the live status line. */
  liveLatency(): Percentiles {
    return this.live.percentiles();
  }

  latencyByConsumer(): Record<string, Percentiles> {
    return Object.fromEntries([...this.series.keys()].map((id) => [id, this.latency(id)]));
  }

  /** Whether every latency figure of the summary is exact (no series outgrew its bound). */
  get latencyExact(): boolean {
    return this.overall.isExact && [...this.series.values()].every((s) => s.isExact);
  }
}

/** Where the accepted events are at the end of a run, from the real resources. */
export interface EventWhereabouts {
  /** Event ids in the event store. */
  readonly stored: ReadonlySet<string>;
  /** Event ids in a dead-letter queue of the event store's path (at rest, counted in `dlq`). */
  readonly deadLettered: Iterable<string>;
  /**
   * Event ids still on their way to the store: in a working queue of its path (visible, in
   * flight or delayed) or owed by the bus (a delivery to that path in flight or awaiting a retry).
   */
  readonly inTransit: Iterable<string>;
}

/**
 * `lost`: accepted ids that are nowhere (not stored, not dead-lettered, not in transit): a real
 * loss. `undrained`: accepted ids not stored but still in transit: a run that stopped draining
 * too early, not a loss (docs/LOCAL.md, "The run summary").
 */
export function accountFor(
  accepted: Iterable<string>,
  where: EventWhereabouts,
): { readonly lost: number; readonly undrained: number } {
  const dead = new Set(where.deadLettered);
  const moving = new Set(where.inTransit);
  let lost = 0;
  let undrained = 0;
  for (const id of accepted) {
    if (where.stored.has(id) || dead.has(id)) continue;
    if (moving.has(id)) undrained++;
    else lost++;
  }
  return { lost, undrained };
}
