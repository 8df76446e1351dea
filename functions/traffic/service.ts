/**
 * The traffic service's record handler: keeps each intersection's read model (lights, mode,
 * resequencing state) and emits SignalSequenceViolation / TrafficRerouted. Ports only.
 * Derived events are published BEFORE the read model is saved, so a failure between the two
 * re-emits the same (deterministic) ids on retry instead of losing them.
 */
import type { AnyCityEvent } from "../../events/catalog.ts";
import { isCityEventOf } from "../../events/validate.ts";
import type { RecordHandler } from "../shared/batch.ts";
import type { Clock } from "../shared/clock.ts";
import type { DerivedEventSink } from "../shared/derived.ts";
import { DocumentConflictError, type DocumentStore, update } from "../shared/documents.ts";
import { PendingIndex } from "../shared/pending-index.ts";
import {
  expireHeld,
  type IntersectionState,
  initialIntersection,
  type Outcome,
  onLightChanged,
  type ResequencingOptions,
} from "./intersection.ts";
import { liftPreemption, onAccident, onDensity, preempt } from "./modes.ts";

export interface TrafficDeps {
  readonly docs: DocumentStore;
  readonly bus: DerivedEventSink;
  readonly clock: Clock;
  readonly resequencing: ResequencingOptions;
  /** Intersections whose expired holds are applied per sweep. @default 20 */
  readonly sweepLimit?: number;
}

export const intersectionKey = (id: string) => ({ pk: `intersection#${id}`, sk: "state" });
const preemptionKey = (incidentId: string) => ({ pk: `preemption#${incidentId}`, sk: "route" });

export class TrafficService {
  private readonly pending: PendingIndex;
  /** Intersections whose held changes this container saw change: earliest due time or none. */
  private readonly touched = new Map<string, number | undefined>();

  constructor(private readonly deps: TrafficDeps) {
    this.pending = new PendingIndex(deps.docs, "traffic#pending");
  }

  async handle(event: AnyCityEvent): Promise<{ applied: number; held: number; dropped: number }> {
    const meta = event.detail.meta;
    if (isCityEventOf(event, "UnitsReserved") || isCityEventOf(event, "UnitsDispatched")) {
      // Saga step: pre-empt the incident's intersection, then the units' route.
      const ids = new Set(
        isCityEventOf(event, "UnitsDispatched") ? event.detail.route.intersectionIds : [],
      );
      if (meta.intersectionId) ids.add(meta.intersectionId);
      await this.preemptAll(event.detail.incidentId, meta.zone, [...ids]);
    } else if (
      (isCityEventOf(event, "DispatchFailed") && !event.detail.willRetry) ||
      isCityEventOf(event, "DispatchEscalated")
    ) {
      // Saga compensation: lift every pre-emption of the incident.
      const key = preemptionKey(event.detail.incidentId);
      const route = await this.deps.docs.get<string[]>(key.pk, key.sk);
      for (const id of route?.value ?? []) {
        await this.updateIntersection(id, meta.zone, (s) =>
          liftPreemption(s, event.detail.incidentId),
        );
      }
    }
    const intersectionId = meta.intersectionId;
    if (!intersectionId) return { applied: 0, held: 0, dropped: 0 };

    const key = intersectionKey(intersectionId);
    const now = this.deps.clock.now();
    const current = await this.deps.docs.get<IntersectionState>(key.pk, key.sk);
    const state = current?.value ?? initialIntersection(intersectionId, meta.zone);
    let outcome: Outcome;
    if (isCityEventOf(event, "TrafficLightChanged")) {
      outcome = onLightChanged(state, event, now, this.deps.resequencing);
    } else if (isCityEventOf(event, "AccidentDetected")) {
      const r = onAccident(state, event);
      outcome = expireHeld(
        { ...emptyOutcome(r.state), derived: r.derived },
        now,
        this.deps.resequencing,
      );
    } else if (isCityEventOf(event, "TrafficDensityMeasured")) {
      outcome = expireHeld(onDensity(state, event), now, this.deps.resequencing);
    } else {
      outcome = expireHeld(state, now, this.deps.resequencing);
    }
    if (outcome.derived.length > 0) await this.deps.bus.publishDerived(event, outcome.derived);
    if (outcome.state !== state || !current) {
      await this.deps.docs.put(key.pk, key.sk, outcome.state, current?.version ?? 0);
    }
    if (state.held.length > 0 || outcome.state.held.length > 0) {
      this.touched.set(intersectionId, this.dueAt(outcome.state));
    }
    return {
      applied: outcome.applied.length,
      held: outcome.held.length,
      dropped: outcome.dropped.length,
    };
  }

  /**
   * After each batch: records which intersections hold changes and until when, then applies
   * (and flags) the expired holds of every due intersection — also quiet ones that got no event
   * since — at most `sweepLimit` per call. Returns the intersections swept.
   */
  async sweepHeld(): Promise<string[]> {
    const changes = new Map(this.touched);
    const index = await this.pending.merge(changes);
    // Forgotten only once recorded: if the merge throws, the next sweep records them again.
    for (const [id, at] of changes) if (this.touched.get(id) === at) this.touched.delete(id);
    const now = this.deps.clock.now();
    const due = PendingIndex.due(index, now, this.deps.sweepLimit ?? 20);
    if (due.length === 0) return [];
    const after = new Map<string, number | undefined>();
    for (const id of due) {
      const key = intersectionKey(id);
      const current = await this.deps.docs.get<IntersectionState>(key.pk, key.sk);
      if (!current || current.value.held.length === 0) {
        after.set(id, undefined);
        continue;
      }
      const expiring = [...current.value.held].sort((a, b) => a.heldAt - b.heldAt)[0];
      const outcome = expireHeld(current.value, now, this.deps.resequencing);
      if (outcome.state !== current.value) {
        if (outcome.derived.length > 0 && expiring) {
          const cause = {
            detail: {
              meta: {
                eventId: expiring.eventId,
                correlationId: expiring.correlationId ?? expiring.eventId,
                lamport: expiring.lamport ?? 1,
              },
            },
          };
          await this.deps.bus.publishDerived(cause, outcome.derived);
        }
        try {
          await this.deps.docs.put(key.pk, key.sk, outcome.state, current.version);
        } catch (error) {
          if (!(error instanceof DocumentConflictError)) throw error;
          continue; // the intersection's own record got there first: next sweep looks again
        }
      }
      after.set(id, this.dueAt(outcome.state));
    }
    await this.pending.merge(after);
    return due;
  }

  private dueAt(state: IntersectionState): number | undefined {
    if (state.held.length === 0) return undefined;
    return Math.min(...state.held.map((h) => h.heldAt)) + this.deps.resequencing.holdMs;
  }

  private async preemptAll(incidentId: string, zone: string, ids: string[]): Promise<void> {
    const key = preemptionKey(incidentId);
    await update(
      this.deps.docs,
      key.pk,
      key.sk,
      () => [] as string[],
      (cur) => [...new Set([...cur, ...ids])],
    );
    for (const id of ids) await this.updateIntersection(id, zone, (s) => preempt(s, incidentId));
  }

  private async updateIntersection(
    id: string,
    zone: string,
    change: (s: IntersectionState) => IntersectionState,
  ): Promise<void> {
    const key = intersectionKey(id);
    await update(this.deps.docs, key.pk, key.sk, () => initialIntersection(id, zone), change);
  }

  async intersection(id: string): Promise<IntersectionState | undefined> {
    const key = intersectionKey(id);
    return (await this.deps.docs.get<IntersectionState>(key.pk, key.sk))?.value;
  }
}

function emptyOutcome(state: IntersectionState): Outcome {
  return { state, derived: [], applied: [], held: [], dropped: [] };
}

export function trafficRecordHandler(service: TrafficService): RecordHandler {
  return async (event, ctx) => {
    const r = await service.handle(event);
    if (r.dropped > 0) ctx.logger.info("duplicate light change dropped");
    if (r.held > 0) ctx.logger.info("light change held for a sequence gap");
    return r;
  };
}
