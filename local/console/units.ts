/**
 * The emergency units on the move, for the console's map: what `UnitsDispatched` events say (the
 * units, the incident, the route's intersections in order, the Dispatch API's ETA), taken from
 * the event store's subscription, which gets every event once (docs/OPERATIONS.md "The console").
 * The stack emits no positions: the page places a dispatch's units along its route by the time
 * since dispatch over the ETA, and at the incident once there.
 */
import type { SQSRecord } from "aws-lambda";

export interface UnitsOnRoute {
  readonly incidentId: string;
  readonly unitIds: readonly string[];
  /** Intersection ids, from the station to the incident. */
  readonly route: readonly string[];
  /** Epoch ms of the dispatch (the event's occurredAt). */
  readonly dispatchedAt: number;
  readonly etaSeconds: number;
}

/** Dispatches kept at most (the newest), and how long after arrival they stay on the map. */
const MAX_DISPATCHES = 20;
const ON_SCENE_MS = 10 * 60_000;

const strings = (v: unknown): string[] =>
  Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : [];

export class DispatchedUnits {
  private readonly dispatches: UnitsOnRoute[] = [];

  constructor(private readonly now: () => number = Date.now) {}

  /** One event delivered to the event store's subscription: kept if it is a UnitsDispatched. */
  delivered(record: SQSRecord): void {
    if (!record.body.includes('"UnitsDispatched"')) return; // most events: no parse
    let event: { "detail-type"?: unknown; detail?: Record<string, unknown> };
    try {
      event = JSON.parse(record.body);
    } catch {
      return;
    }
    const d = event.detail;
    if (event["detail-type"] !== "UnitsDispatched" || !d) return;
    const meta = d.meta as { occurredAt?: unknown } | undefined;
    const dispatchedAt = Date.parse(String(meta?.occurredAt ?? ""));
    const route = strings((d.route as { intersectionIds?: unknown } | undefined)?.intersectionIds);
    if (typeof d.incidentId !== "string" || !Number.isFinite(dispatchedAt)) return;
    this.dispatches.push({
      incidentId: d.incidentId,
      unitIds: strings(d.unitIds),
      route,
      dispatchedAt,
      etaSeconds: typeof d.etaSeconds === "number" ? d.etaSeconds : 0,
    });
    this.dispatches.sort((a, b) => a.dispatchedAt - b.dispatchedAt);
    if (this.dispatches.length > MAX_DISPATCHES) this.dispatches.shift();
  }

  /** The dispatches on their way or on scene for less than ON_SCENE_MS. */
  current(): UnitsOnRoute[] {
    const now = this.now();
    return this.dispatches.filter((u) => now - u.dispatchedAt - u.etaSeconds * 1000 < ON_SCENE_MS);
  }
}
