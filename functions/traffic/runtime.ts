/** Wiring of the traffic function (config at first use, AWS adapters). */
import { z } from "zod";
import { CachedDocumentStore } from "../shared/cached-documents.ts";
import { systemClock } from "../shared/clock.ts";
import { lazyConfig, positiveInt } from "../shared/config.ts";
import type { ServiceRuntime } from "../shared/kit.ts";
import { observability } from "../shared/observability.ts";
import { commonParts, consumerRuntime } from "../shared/runtime.ts";
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
    // Intersections are read once per container and then written at their known version.
    docs: new CachedDocumentStore(parts.docs),
    bus: parts.derivedEvents,
    clock: systemClock,
    resequencing: { holdMs: env.TRAFFIC_HOLD_MS, maxHeld: env.TRAFFIC_MAX_HELD },
  });
  return { ...consumerRuntime(parts), ...trafficHooks(service) };
}

/**
 * How the kit drives the service: each record buffered, one write per intersection when the
 * batch commits (a failed intersection fails only its records), then after every invocation —
 * the scheduled sweep's empty one included — the expired holds of quiet intersections are
 * applied. Idempotency is in the intersection's state (no idempotency table).
 */
export function trafficHooks(
  service: TrafficService,
): Pick<ServiceRuntime, "handleRecord"> &
  Required<Pick<ServiceRuntime, "afterBatch" | "commitBatch">> {
  return {
    handleRecord: trafficRecordHandler(service),
    commitBatch: async () => {
      const { failures, counts } = await service.commit();
      if (counts.dropped > 0 || counts.held > 0) {
        observability(SERVICE).logger.info("light changes resequenced", { ...counts });
      }
      return failures;
    },
    afterBatch: async () => {
      service.reset();
      await service.sweepHeld();
    },
  };
}
