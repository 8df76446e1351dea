/** Wiring of the emergency function (config at first use, AWS adapters, breaker, dispatch API). */
import { z } from "zod";
import { RESOURCE_ENV, topology } from "../../infra/topology.ts";
import { CircuitBreaker } from "../shared/breaker.ts";
import { systemClock } from "../shared/clock.ts";
import { lazyConfig, positiveInt } from "../shared/config.ts";
import { DynamoDbBreakerStore } from "../shared/dynamodb-breaker-store.ts";
import type { ServiceRuntime } from "../shared/kit.ts";
import { commonParts, envValue, idempotentRuntime, readModelsConfig } from "../shared/runtime.ts";
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
  const breaker = new CircuitBreaker({
    name: "dispatch-api",
    store: new DynamoDbBreakerStore(
      parts.clients.documents,
      envValue(readModelsConfig, RESOURCE_ENV.readModelsTable),
    ),
    clock: systemClock,
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
    bus: { publishDerived: (cause, drafts) => parts.publisher().publishDerived(cause, drafts) },
    clock: systemClock,
    maxAttempts: env.DISPATCH_MAX_ATTEMPTS,
  });
  return idempotentRuntime(parts, emergencyRecordHandler(saga, topology.maxReceiveCount));
}
