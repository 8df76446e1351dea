/**
 * The incidents and units projections (docs/OPERATIONS.md §6): the emergency saga's documents
 * rebuilt from the stored events with the saga's own transitions (functions/emergency/
 * saga-state.ts, UnitPool.apply, absorbEvent). The saga's outcome is in its stored events
 * (IncidentOpened ... UnitsDispatched / DispatchEscalated): a rebuild applies them and never
 * calls the Dispatch API or reserves units afresh.
 */
import type { AnyCityEvent } from "../../events/catalog.ts";
import { planIncident } from "../emergency/incident.ts";
import { absorbEvent } from "../emergency/saga.ts";
import {
  claimedSaga,
  type SagaEvent,
  type SagaState,
  sagaKey,
  sagaStateAfter,
} from "../emergency/saga-state.ts";
import { UnitPool } from "../emergency/units.ts";
import type { DocumentStore } from "../shared/documents.ts";
import { incidentIdOf } from "../shared/incident.ts";

const SAGA_TYPES = [
  "IncidentOpened",
  "UnitsReserved",
  "UnitsDispatched",
  "DispatchFailed",
  "DispatchEscalated",
] as const;
type StoredSagaEvent = Extract<SagaEvent, { type: (typeof SAGA_TYPES)[number] }>;

/** A stored event of the saga, as the transitions read it (`detail` carries the payload). */
export function sagaEventOf(event: AnyCityEvent): StoredSagaEvent | undefined {
  if (!(SAGA_TYPES as readonly string[]).includes(event.detailType)) return undefined;
  return { type: event.detailType, payload: event.detail } as StoredSagaEvent;
}

/** The Emergency subscription's pattern (infra/topology.ts): critical events of incident types. */
function routedToSaga(e: AnyCityEvent): boolean {
  return e.detail.meta.priority === "critical" && planIncident(e) !== undefined;
}

/** The units fleet documents: each stored reservation, dispatch and release applied. */
export function unitsFeeder(docs: DocumentStore) {
  const pool = new UnitPool(docs);
  return {
    accepts: (e: AnyCityEvent) => sagaEventOf(e) !== undefined,
    feed: async (e: AnyCityEvent) => {
      const event = sagaEventOf(e);
      if (event) await pool.apply(event);
    },
    endBatch: async () => {},
  };
}

/**
 * The incidents' `saga` and `absorbed` documents. IncidentOpened names the event that opened the
 * incident (meta.causationId); every other critical event of the incident was absorbed. An event
 * may occur before the IncidentOpened of its incident, so it waits for it.
 */
export function incidentsFeeder(docs: DocumentStore) {
  const waiting = new Map<string, AnyCityEvent[]>();
  const absorbIfLater = async (e: AnyCityEvent, saga: SagaState) => {
    const plan = planIncident(e);
    if (!plan || e.detail.meta.eventId === saga.causeEventId) return;
    await absorbEvent(docs, saga.incidentId, e.detail.meta.eventId, plan.severity, saga.severity);
  };
  return {
    accepts: (e: AnyCityEvent) => sagaEventOf(e) !== undefined || routedToSaga(e),
    feed: async (e: AnyCityEvent) => {
      const event = sagaEventOf(e);
      if (!event) {
        const id = incidentIdOf(e);
        const saga = await docs.get<SagaState>(sagaKey(id).pk, sagaKey(id).sk);
        if (saga) await absorbIfLater(e, saga.value);
        else waiting.set(id, [...(waiting.get(id) ?? []), e]);
        return;
      }
      const { incidentId } = event.payload;
      const key = sagaKey(incidentId);
      const opened =
        event.type === "IncidentOpened"
          ? claimedSaga(incidentId, e.detail.meta.causationId ?? "", event.payload.severity)
          : undefined;
      const current = await docs.get<SagaState>(key.pk, key.sk);
      const base = current?.value ?? opened;
      if (!base) return; // opened before the events read: nothing to apply it to
      const saga = sagaStateAfter(base, event);
      await docs.put(key.pk, key.sk, saga, current?.version ?? 0);
      for (const later of waiting.get(incidentId) ?? []) await absorbIfLater(later, saga);
      waiting.delete(incidentId);
    },
    endBatch: async () => {},
  };
}
