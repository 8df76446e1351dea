/** The live status line of `buzzville up` and the shape of its final summary. */
import type { CrisisReport } from "../crisis/monitor.ts";

export interface UpSummary {
  /** Distinct events PutEvents accepted from the traffic source. */
  readonly published: number;
  /** Distinct events in the DynamoDB event store (derived events included). */
  readonly stored: number;
  /** Records each consumer (subscription) handled successfully. */
  readonly deliveredByConsumer: Readonly<Record<string, number>>;
  /** Messages still in working queues (visible, in flight or delayed) at the end. */
  readonly inFlight: number;
  /** Messages in dead-letter queues at the end (rule target DLQs included). */
  readonly dlq: number;
  /**
   * Accepted events that are nowhere: not in the event store, not in a queue or DLQ of the event
   * store's path, not owed by the bus. A real loss: the run exits 1.
   */
  readonly lost: number;
  /**
   * Accepted events not stored yet but still on their way: in a working queue of the event
   * store's path, or owed by the bus (a delivery in flight or awaiting its retry). Non-zero only
   * when the drain ended before the city was quiet (`drained: false`): exit code 2.
   */
  readonly undrained: number;
  /**
   * Violations of the promised order, after resequencing: SignalSequenceViolation events with
   * rule `sequence-gap-expired` in the event store (a change applied out of sequence because its
   * gap did not fill within the hold time).
   */
  readonly orderViolations: number;
  /**
   * Informative, per ordered (FIFO) consumer: deliveries that arrived below the last producer
   * sequence seen for their group (bus and intake disorder, which the consumers resequence).
   */
  readonly arrivalsOutOfSequence: Readonly<Record<string, number>>;
  /** Producer's occurredAt -> handled, over every successful delivery. */
  readonly latencyMs: { readonly p50: number; readonly p99: number };
  /** The same per consumer (batching windows of bulk consumers weigh on the overall figure). */
  readonly latencyMsByConsumer: Readonly<
    Record<string, { readonly p50: number; readonly p99: number }>
  >;
  /** false when a latency series outgrew its exact-sample bound (then from a histogram, < 2% off). */
  readonly latencyExact: boolean;
  /** Accepted events beyond the tracking bound of a very long run: counted, not checked for loss. */
  readonly unchecked: number;
  readonly dlqByQueue: Readonly<Record<string, number>>;
  /** Per function: invocations, mean invocation time, and failures (error, timeout, crash). */
  readonly functions: Readonly<
    Record<
      string,
      {
        readonly invocations: number;
        readonly meanMs: number;
        readonly errors: number;
        readonly timeouts: number;
        readonly crashes: number;
      }
    >
  >;
  readonly failedPublishes: number;
  readonly durationSeconds: number;
  readonly drained: boolean;
  readonly trafficSource: string;
  readonly scenario: string;
  readonly endpoint: string;
  /** Crisis mode during the run (local/crisis/monitor.ts), when the monitor ran. */
  readonly crisis?: CrisisReport;
}

export interface StatusSnapshot {
  readonly elapsedSeconds: number;
  readonly published: number;
  readonly delivered: Readonly<Record<string, number>>;
  readonly inQueues: number;
  readonly inDlqs: number;
  readonly latency: { readonly p50: number; readonly p99: number };
}

/** "EmergencyCritical" -> "EmCr": short consumer labels for one status line. */
export function shortLabel(id: string): string {
  const words = id.match(/[A-Z][a-z]*/g) ?? [id];
  return words.map((w) => w.slice(0, 2)).join("");
}

export function formatStatus(s: StatusSnapshot): string {
  const delivered = Object.entries(s.delivered)
    .map(([id, n]) => `${shortLabel(id)} ${n}`)
    .join(" ");
  return [
    `t+${s.elapsedSeconds}s`,
    `published ${s.published}`,
    `delivered [${delivered}]`,
    `queued ${s.inQueues}`,
    `DLQ ${s.inDlqs}`,
    `e2e p50 ${Math.round(s.latency.p50)}ms p99 ${Math.round(s.latency.p99)}ms`,
  ].join(" | ");
}

/**
 * The exit code of a run: 1 if an accepted event was lost, 2 if none was but some were still
 * in transit when the drain ended (rerun with a longer `--drain-timeout`, or restart on the same
 * `--data-dir` to finish them), 0 when every accepted event is stored or dead-lettered.
 */
export function exitCodeOf(s: Pick<UpSummary, "lost" | "undrained">): 0 | 1 | 2 {
  if (s.lost > 0) return 1;
  return s.undrained > 0 ? 2 : 0;
}

export function formatSummary(s: UpSummary): string {
  const lines = [
    `Buzz Ville local run (${s.durationSeconds}s, ${s.trafficSource}${s.trafficSource === "simulator" ? ` "${s.scenario}"` : ""})`,
    `  published ${s.published}, stored ${s.stored}, lost ${s.lost}, undrained ${s.undrained}, in flight ${s.inFlight}, DLQ ${s.dlq}, order violations ${s.orderViolations}`,
    `  arrivals out of sequence (resequenced by the consumers): ${
      Object.entries(s.arrivalsOutOfSequence)
        .map(([k, v]) => `${k} ${v}`)
        .join(", ") || "none"
    }`,
    `  end-to-end latency p50 ${Math.round(s.latencyMs.p50)} ms, p99 ${Math.round(s.latencyMs.p99)} ms${s.drained ? "" : ` (did not drain in time: ${s.undrained} accepted events still in transit, not lost)`}`,
    `  delivered: ${Object.entries(s.deliveredByConsumer)
      .map(([k, v]) => {
        const l = s.latencyMsByConsumer[k];
        return l ? `${k} ${v} (p50 ${Math.round(l.p50)} ms)` : `${k} ${v}`;
      })
      .join(", ")}`,
  ];
  const dlqs = Object.entries(s.dlqByQueue).filter(([, n]) => n > 0);
  if (dlqs.length > 0) lines.push(`  DLQs: ${dlqs.map(([k, v]) => `${k} ${v}`).join(", ")}`);
  const c = s.crisis;
  if (c && c.transitions > 0) {
    lines.push(
      `  crisis: ${c.transitions} transition(s); shed ${c.shedSubscriptions.join(", ")} for ${c.shedSeconds} s (replay the archive to them to catch up); producers held back ${c.heldBack} info reading(s)`,
    );
  }
  return lines.join("\n");
}
