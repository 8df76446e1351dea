/**
 * The incident saga (choreographed; every step is an event on the bus and in the store):
 * IncidentOpened -> reserve standby units (UnitsReserved; traffic pre-empts the intersection)
 * -> dispatch through the Dispatch API (timeout + circuit breaker) -> UnitsDispatched (traffic
 * pre-empts the route). When dispatch keeps failing: compensation — release the units,
 * DispatchFailed (traffic lifts the pre-emption), DispatchEscalated to mutual aid.
 * Saga progress is a read model, so a redelivered or retried event resumes, never repeats, a step;
 * each step is saved with its events before they are published (saga-document.ts).
 */

import type { Severity, UnitKind } from "../../events/catalog/common.ts";
import type { DISPATCH_FAILURE_REASONS } from "../../events/catalog/emergency.ts";
import type { AnyCityEvent } from "../../events/catalog.ts";
import { type CircuitBreaker, CircuitOpenError } from "../shared/breaker.ts";
import type { Clock } from "../shared/clock.ts";
import type { DerivedDraft, DerivedEventSink } from "../shared/derived.ts";
import { type DocumentStore, update } from "../shared/documents.ts";
import { DownstreamTimeoutError } from "../shared/errors.ts";
import { incidentIdOf } from "../shared/incident.ts";
import type { DispatchApi, DispatchConfirmation } from "./dispatch-api.ts";
import { type IncidentPlan, planIncident } from "./incident.ts";
import { SagaDocument } from "./saga-document.ts";
import {
  type AbsorbedEvents,
  absorbedAfter,
  claimedSaga,
  type SagaState,
  sagaKey,
} from "./saga-state.ts";
import type { UnitPool } from "./units.ts";

export type { AbsorbedEvents, SagaState, SagaStatus } from "./saga-state.ts";
export { sagaKey };

export interface SagaDeps {
  readonly docs: DocumentStore;
  readonly units: UnitPool;
  readonly dispatchApi: DispatchApi;
  readonly breaker: CircuitBreaker;
  readonly bus: DerivedEventSink;
  readonly clock: Clock;
  /** Dispatch API calls before compensating. @default 3 */
  readonly maxAttempts?: number;
  /** How long a reservation holds without dispatch. @default 10 */
  readonly reservationMinutes?: number;
}

type FailureReason = (typeof DISPATCH_FAILURE_REASONS)[number];

export class IncidentSaga {
  constructor(private readonly deps: SagaDeps) {}

  /**
   * Runs the saga for a critical event as far as it can go. Throws (so the record is retried
   * with backoff) when the dispatch fails and attempts remain; compensates on the last one.
   * `finalDelivery`: this is the queue's last receive before the DLQ, so compensate now.
   */
  async handle(
    event: AnyCityEvent,
    options: { finalDelivery?: boolean } = {},
  ): Promise<SagaState | undefined> {
    const plan = planIncident(event);
    if (!plan) return undefined;
    const incidentId = incidentIdOf(event);
    const eventId = event.detail.meta.eventId;
    const doc = await SagaDocument.load(this.deps, event, incidentId, () =>
      claimedSaga(incidentId, eventId, plan.severity),
    );
    const owner = doc.state.causeEventId;
    if (owner !== undefined && owner !== eventId) {
      // The incident is already open (another event of the same family, place and correlation
      // opened it): absorb this event, escalating the recorded severity if it is higher. Kept in
      // its own document, so absorbing never conflicts with the saga's progress.
      await absorbEvent(this.deps.docs, incidentId, eventId, plan.severity, doc.state.severity);
      return doc.state;
    }
    await doc.recover();
    await this.steps(plan, incidentId, doc, options);
    await doc.settle();
    return doc.state;
  }

  /**
   * The steps left from the document's status. The incident's first write (IncidentOpened, a
   * conditional put at version 0) claims it: of two events of one incident handled at the same
   * time, the loser gets a conflict, is retried and then absorbed.
   */
  private async steps(
    plan: IncidentPlan,
    incidentId: string,
    doc: SagaDocument,
    options: { finalDelivery?: boolean },
  ): Promise<void> {
    if (doc.state.status === "new") {
      await doc.emit([
        { type: "IncidentOpened", step: "opened", payload: { incidentId, ...plan } },
      ]);
    }
    if (doc.state.status === "opened") {
      const reservation = await this.deps.units.reserve(incidentId, plan.requiredUnitKinds);
      if (!reservation.ok) {
        const { attempts } = doc.state;
        await doc.emit(
          escalation(plan, incidentId, "no-units-available", [], reservation.missing, attempts),
        );
        return;
      }
      const until = this.deps.clock.now() + (this.deps.reservationMinutes ?? 10) * 60_000;
      await doc.emit([
        {
          type: "UnitsReserved",
          step: "reserved",
          payload: {
            incidentId,
            unitIds: reservation.unitIds,
            location: plan.location,
            reservedUntil: new Date(until).toISOString(),
          },
        },
      ]);
    }
    if (doc.state.status === "reserved") await this.dispatch(plan, doc, options);
  }

  private async dispatch(
    plan: IncidentPlan,
    doc: SagaDocument,
    options: { finalDelivery?: boolean },
  ): Promise<void> {
    const { incidentId, unitIds } = doc.state;
    let attempts = doc.state.attempts;
    let confirmation: DispatchConfirmation;
    try {
      // Only the Dispatch API call runs under the breaker (and in this try): a read-model
      // conflict or a bus error is not a Dispatch API failure. The attempt is saved after the
      // call; a crash in between under-counts one attempt (the API is idempotent per incident).
      confirmation = await this.deps.breaker.call("DispatchApi.dispatch", (signal) => {
        attempts += 1;
        return this.deps.dispatchApi.dispatch(
          { incidentId, unitIds, location: plan.location },
          signal,
        );
      });
    } catch (error) {
      await this.dispatchFailed(plan, doc, options, attempts, error);
      return;
    }
    await this.deps.units.markDispatched(incidentId, unitIds);
    await doc.emit([
      {
        type: "UnitsDispatched",
        step: "dispatched",
        payload: {
          incidentId,
          unitIds: [...unitIds],
          location: plan.location,
          route: { intersectionIds: [...confirmation.route] },
          etaSeconds: confirmation.etaSeconds,
        },
      },
    ]);
  }

  /** Throws `error` again (retry later) unless this was the last attempt: then compensates. */
  private async dispatchFailed(
    plan: IncidentPlan,
    doc: SagaDocument,
    options: { finalDelivery?: boolean },
    attempts: number,
    error: unknown,
  ): Promise<void> {
    const { incidentId, unitIds } = doc.state;
    const reason: FailureReason =
      error instanceof CircuitOpenError
        ? "circuit-open"
        : error instanceof DownstreamTimeoutError
          ? "dispatch-api-timeout"
          : "dispatch-api-error";
    const last = attempts >= (this.deps.maxAttempts ?? 3) || options.finalDelivery === true;
    if (!last) {
      // a circuit-open refusal made no call: nothing to record (sagaStateAfter)
      if (reason !== "circuit-open") {
        await doc.emit([
          {
            type: "DispatchFailed",
            step: `dispatch-failed:${attempts}`,
            payload: {
              incidentId,
              location: plan.location,
              reason,
              attempt: Math.max(1, attempts),
              releasedUnitIds: [],
              willRetry: true,
            },
          },
        ]);
      }
      await doc.settle(); // what was published: the retry must not publish it again
      throw error;
    }
    await this.deps.units.release(incidentId, unitIds);
    await doc.emit(escalation(plan, incidentId, reason, unitIds, plan.requiredUnitKinds, attempts));
  }

  async state(incidentId: string): Promise<SagaState | undefined> {
    const key = sagaKey(incidentId);
    return (await this.deps.docs.get<SagaState>(key.pk, key.sk))?.value;
  }
}

/** The compensation's events: the final DispatchFailed, then DispatchEscalated to mutual aid. */
function escalation(
  plan: IncidentPlan,
  incidentId: string,
  reason: FailureReason,
  released: readonly string[],
  kinds: readonly UnitKind[],
  attempts: number,
): DerivedDraft[] {
  return [
    {
      type: "DispatchFailed",
      step: "dispatch-failed:final",
      payload: {
        incidentId,
        location: plan.location,
        reason,
        attempt: Math.max(1, attempts),
        releasedUnitIds: [...released],
        willRetry: false,
      },
    },
    {
      type: "DispatchEscalated",
      step: "escalated",
      payload: {
        incidentId,
        location: plan.location,
        level: "mutual-aid",
        reason:
          reason === "no-units-available" ? "no-units-available" : "dispatch-failed-repeatedly",
        requestedUnitKinds: [...kinds],
      },
    },
  ];
}

/**
 * Records a later event of an open incident in its `absorbed` document (the live saga and the
 * projection rebuild). `openedSeverity`: the severity the incident was opened with.
 */
export async function absorbEvent(
  docs: DocumentStore,
  incidentId: string,
  eventId: string,
  severity: Severity,
  openedSeverity: Severity | undefined,
): Promise<void> {
  await update<AbsorbedEvents>(
    docs,
    sagaKey(incidentId).pk,
    "absorbed",
    () => ({ eventIds: [], severity: openedSeverity ?? severity }),
    (cur) => absorbedAfter(cur, eventId, severity),
  );
}
