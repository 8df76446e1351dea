/**
 * Server-side aggregates of the console's live feed (docs/OPERATIONS.md, "The console"): what the
 * Lambda runner already reports for the run's accounting (each record delivered to a consumer,
 * local/up/accounting.ts) summed per interval, so the page gets a few numbers twice a second
 * whatever the event rate. Events per second by type and priority are counted on the event
 * store's subscription, which receives every event of the city once.
 */
import type { SQSRecord } from "aws-lambda";
import { type Percentiles, SlidingWindow } from "../up/latency.ts";

interface Meta {
  readonly occurredAt?: string;
  readonly priority?: string;
}

interface Counts {
  byType: Record<string, number>;
  byPriority: Record<string, number>;
  bySubscription: Record<string, number>;
}

export interface FlowSnapshot {
  /** Epoch ms of the snapshot. */
  readonly at: number;
  /** Length of the interval the rates are computed over, ms. */
  readonly intervalMs: number;
  readonly eventsPerSecond: number;
  readonly eventsPerSecondByType: Readonly<Record<string, number>>;
  readonly eventsPerSecondByPriority: Readonly<Record<string, number>>;
  /** Records delivered per second, per consumer subscription. */
  readonly deliveriesPerSecond: Readonly<Record<string, number>>;
  /** End-to-end latency (occurredAt → delivered) of each consumer's last deliveries. */
  readonly latencyMs: Readonly<Record<string, Percentiles>>;
  readonly deliveredTotal: Readonly<Record<string, number>>;
}

const emptyCounts = (): Counts => ({ byType: {}, byPriority: {}, bySubscription: {} });
const bump = (m: Record<string, number>, k: string) => {
  m[k] = (m[k] ?? 0) + 1;
};

function parse(record: SQSRecord): { type?: string; meta?: Meta } {
  try {
    const body = JSON.parse(record.body) as { "detail-type"?: string; detail?: { meta?: Meta } };
    return {
      ...(body["detail-type"] ? { type: body["detail-type"] } : {}),
      ...(body.detail?.meta ? { meta: body.detail.meta } : {}),
    };
  } catch {
    return {};
  }
}

export class FlowAggregator {
  private counts = emptyCounts();
  private since: number;
  private readonly latency = new Map<string, SlidingWindow>();
  private readonly total: Record<string, number> = {};

  constructor(
    /** The subscription that receives every event once (the event store's). */
    private readonly everyEvent: string | undefined,
    private readonly now: () => number = Date.now,
    private readonly latencyWindow = 500,
  ) {
    this.since = now();
  }

  /** One record delivered to a consumer (the runner's `onDelivered`). */
  delivered(subscriptionId: string, record: SQSRecord, at: number): void {
    bump(this.counts.bySubscription, subscriptionId);
    bump(this.total, subscriptionId);
    const { type, meta } = parse(record);
    if (subscriptionId === this.everyEvent) {
      bump(this.counts.byType, type ?? "unknown");
      bump(this.counts.byPriority, meta?.priority ?? "unknown");
    }
    const occurred = meta?.occurredAt ? Date.parse(meta.occurredAt) : Number.NaN;
    if (!Number.isFinite(occurred)) return;
    let window = this.latency.get(subscriptionId);
    if (!window) {
      window = new SlidingWindow(this.latencyWindow);
      this.latency.set(subscriptionId, window);
    }
    window.add(Math.max(0, at - occurred));
  }

  /** The rates since the previous snapshot; starts the next interval. */
  snapshot(): FlowSnapshot {
    const at = this.now();
    const intervalMs = Math.max(1, at - this.since);
    const perSecond = (m: Record<string, number>) =>
      Object.fromEntries(
        Object.entries(m).map(([k, n]) => [k, Math.round((n * 10_000) / intervalMs) / 10]),
      );
    const byType = perSecond(this.counts.byType);
    const snap: FlowSnapshot = {
      at,
      intervalMs,
      eventsPerSecond: Math.round(Object.values(byType).reduce((a, b) => a + b, 0) * 10) / 10,
      eventsPerSecondByType: byType,
      eventsPerSecondByPriority: perSecond(this.counts.byPriority),
      deliveriesPerSecond: perSecond(this.counts.bySubscription),
      latencyMs: Object.fromEntries(
        [...this.latency].map(([sub, window]) => [sub, window.percentiles()]),
      ),
      deliveredTotal: { ...this.total },
    };
    this.counts = emptyCounts();
    this.since = at;
    return snap;
  }
}
