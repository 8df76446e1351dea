/** Wiring of the traffic function (config at first use, AWS adapters). */
import { z } from "zod";
import { systemClock } from "../shared/clock.ts";
import { lazyConfig, positiveInt } from "../shared/config.ts";
import type { ServiceRuntime } from "../shared/kit.ts";
import { commonParts, idempotentRuntime } from "../shared/runtime.ts";
import { TrafficService, trafficRecordHandler } from "./service.ts";

export const SERVICE = "traffic";

export const trafficConfig = lazyConfig(
  z.object({
    /** How long a sequence gap is waited for, ms. */
    TRAFFIC_HOLD_MS: positiveInt(5_000),
    /** Most light changes held per controller. */
    TRAFFIC_MAX_HELD: positiveInt(20),
  }),
);

export function buildRuntime(): ServiceRuntime {
  const env = trafficConfig();
  const parts = commonParts(SERVICE);
  const service = new TrafficService({
    docs: parts.docs,
    bus: { publishDerived: (cause, drafts) => parts.publisher().publishDerived(cause, drafts) },
    clock: systemClock,
    resequencing: { holdMs: env.TRAFFIC_HOLD_MS, maxHeld: env.TRAFFIC_MAX_HELD },
  });
  const hooks = trafficHooks(service);
  return { ...idempotentRuntime(parts, hooks.handleRecord), afterBatch: hooks.afterBatch };
}

/**
 * How the kit drives the service: each record, then after every invocation — the scheduled
 * sweep's empty one included — the expired holds of quiet intersections are applied.
 */
export function trafficHooks(
  service: TrafficService,
): Pick<ServiceRuntime, "handleRecord"> & Required<Pick<ServiceRuntime, "afterBatch">> {
  return {
    handleRecord: trafficRecordHandler(service),
    afterBatch: async () => {
      await service.sweepHeld();
    },
  };
}
