/** The emergency service's record handler: run the incident saga for a critical event. */
import { type RecordHandler, receiveCountOf } from "../shared/batch.ts";
import type { IncidentSaga } from "./saga.ts";

export function emergencyRecordHandler(saga: IncidentSaga, maxReceiveCount: number): RecordHandler {
  return async (event, ctx) => {
    const receives = receiveCountOf(ctx.record);
    const state = await saga.handle(event, { finalDelivery: receives >= maxReceiveCount });
    if (state)
      ctx.logger.info("incident saga step done", {
        incidentId: state.incidentId,
        status: state.status,
      });
    return state ? { incidentId: state.incidentId, status: state.status } : { ignored: true };
  };
}
