/** Wiring of the notification function (config at first use, SNS and DynamoDB adapters). */
import { z } from "zod";
import { RESOURCE_ENV } from "../../infra/topology.ts";
import type { RecordHandler } from "../shared/batch.ts";
import { CachedDocumentStore } from "../shared/cached-documents.ts";
import { systemClock } from "../shared/clock.ts";
import { lazyConfig, positiveInt, resourceName } from "../shared/config.ts";
import type { ServiceRuntime } from "../shared/kit.ts";
import { commonParts, consumerRuntime } from "../shared/runtime.ts";
import { CitizenRegistry } from "./registry.ts";
import { NotificationService } from "./service.ts";
import { SnsZoneChannel } from "./sns-adapter.ts";

export const SERVICE = "notification";

export const notificationConfig = lazyConfig(
  z.object({
    [RESOURCE_ENV.citizenAlertsTopic]: resourceName,
    SMS_TIMEOUT_MS: positiveInt(3_000),
    SMS_BREAKER_FAILURES: positiveInt(5),
    SMS_BREAKER_OPEN_MS: positiveInt(30_000),
  }),
);

/** Margin by which a zone claim outlives the invocation that made it. */
const LEASE_MARGIN_MS = 10_000;

export function notificationRecordHandler(service: NotificationService): RecordHandler {
  return async (event, ctx) => {
    const remaining = ctx.lambdaContext?.getRemainingTimeInMillis() ?? 0;
    const zones = await service.handle(event, remaining + LEASE_MARGIN_MS);
    if (zones.length > 0) ctx.logger.info("citizens notified", { zones });
    return { zones };
  };
}

export async function buildRuntime(): Promise<ServiceRuntime> {
  const env = notificationConfig();
  const parts = commonParts(SERVICE);
  // Zone summaries do not change once seeded: read once per container (and per 5 minutes).
  const registry = new CitizenRegistry(new CachedDocumentStore(parts.docs, { maxAgeMs: 300_000 }));
  await registry.ensureSeeded();
  const service = new NotificationService({
    // A ledger is read once, then each step is one conditional write at its known version.
    docs: new CachedDocumentStore(parts.docs),
    clock: systemClock,
    registry,
    channel: new SnsZoneChannel(parts.clients.sns, env[RESOURCE_ENV.citizenAlertsTopic]),
    breaker: parts.breaker({
      name: "citizen-alerts",
      failureThreshold: env.SMS_BREAKER_FAILURES,
      openMs: env.SMS_BREAKER_OPEN_MS,
      timeoutMs: env.SMS_TIMEOUT_MS,
    }),
    bus: parts.derivedEvents,
  });
  return {
    // Exactly once per zone by the alert's zone ledger (read models): no idempotency table.
    ...consumerRuntime(parts),
    handleRecord: notificationRecordHandler(service),
    // The citizens are written a few chunks per invocation, after the alert went out.
    afterBatch: async () => {
      await registry.seedChunks();
    },
  };
}
