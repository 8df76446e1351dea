/** Wiring of the emergency function (config at first use, AWS adapters, breaker, dispatch API). */
import { z } from "zod";
import { topology } from "../../infra/topology.ts";
import { systemClock } from "../shared/clock.ts";
import { lazyConfig, positiveInt } from "../shared/config.ts";
import type { ServiceRuntime } from "../shared/kit.ts";
import { commonParts, idempotentRuntime } from "../shared/runtime.ts";
import { type DispatchApi, SimulatedDispatchApi } from "./dispatch-api.ts";
import { HttpDispatchApi } from "./http-dispatch-api.ts";
import { emergencyRecordHandler } from "./record-handler.ts";
import { IncidentSaga } from "./saga.ts";
import { UnitPool } from "./units.ts";

export const SERVICE = "emergency";

export const emergencyConfig = lazyConfig(
  z.object({
    DISPATCH_TIMEOUT_MS: positiveInt(3_000),
    DISPATCH_BREAKER_FAILURES: positiveInt(5),
    DISPATCH_BREAKER_OPEN_MS: positiveInt(30_000),
    DISPATCH_MAX_ATTEMPTS: positiveInt(3),
    /** The city's dispatch system; the simulated one when unset. */
    DISPATCH_API_URL: z.url("must be an http(s) URL").optional(),
  }),
);

export interface EmergencyOverrides {
  /** Replaces the configured Dispatch API (tests inject a failing one). */
  readonly dispatchApi?: DispatchApi;
  readonly breaker?: { failureThreshold?: number; openMs?: number; timeoutMs?: number };
}

export function buildRuntime(overrides: EmergencyOverrides = {}): ServiceRuntime {
  const env = emergencyConfig();
  const parts = commonParts(SERVICE);
  const breaker = parts.breaker({
    name: "dispatch-api",
    failureThreshold: env.DISPATCH_BREAKER_FAILURES,
    openMs: env.DISPATCH_BREAKER_OPEN_MS,
    timeoutMs: env.DISPATCH_TIMEOUT_MS,
    ...overrides.breaker,
  });
  const dispatchApi =
    overrides.dispatchApi ??
    (env.DISPATCH_API_URL ? new HttpDispatchApi(env.DISPATCH_API_URL) : new SimulatedDispatchApi());
  const saga = new IncidentSaga({
    docs: parts.docs,
    units: new UnitPool(parts.docs),
    dispatchApi,
    breaker,
    bus: parts.derivedEvents,
    clock: systemClock,
    maxAttempts: env.DISPATCH_MAX_ATTEMPTS,
  });
  return idempotentRuntime(parts, emergencyRecordHandler(saga, topology.maxReceiveCount));
}
