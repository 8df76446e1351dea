/** Wiring of the media function: queue per record, merged posts after each batch. */
import { z } from "zod";
import { RESOURCE_ENV } from "../../infra/topology.ts";
import type { RecordHandler } from "../shared/batch.ts";
import { CachedDocumentStore } from "../shared/cached-documents.ts";
import { systemClock } from "../shared/clock.ts";
import { lazyConfig, positiveInt, resourceName } from "../shared/config.ts";
import { messageOf } from "../shared/errors.ts";
import type { ServiceRuntime } from "../shared/kit.ts";
import { observability } from "../shared/observability.ts";
import { commonParts, consumerRuntime } from "../shared/runtime.ts";
import { MediaService } from "./service.ts";
import { SnsMediaChannel } from "./sns-adapter.ts";

export const SERVICE = "media";

export const mediaConfig = lazyConfig(
  z.object({
    [RESOURCE_ENV.mediaTopic]: resourceName,
    MEDIA_MIN_INTERVAL_MS: positiveInt(60_000),
  }),
);

export function buildRuntime(): ServiceRuntime {
  const env = mediaConfig();
  const parts = commonParts(SERVICE);
  const service = new MediaService({
    // Zone queues are read once per container, then written at their known version.
    docs: new CachedDocumentStore(parts.docs),
    channel: new SnsMediaChannel(parts.clients.sns, env[RESOURCE_ENV.mediaTopic]),
    breaker: parts.breaker({
      name: "media-topic",
    }),
    bus: parts.derivedEvents,
    clock: systemClock,
    minIntervalMs: env.MEDIA_MIN_INTERVAL_MS,
  });
  return { ...consumerRuntime(parts), ...mediaHooks(service) };
}

/**
 * How the kit drives the service: records buffered per zone, each zone's queue written once when
 * the batch commits (no idempotency table: the queue knows its event ids); after every
 * invocation — the scheduled sweep's empty one included — the batch's zones, then every zone
 * whose rate limit has passed (quiet ones too), are posted.
 */
export function mediaHooks(
  service: MediaService,
): Pick<ServiceRuntime, "handleRecord"> &
  Required<Pick<ServiceRuntime, "afterBatch" | "commitBatch">> {
  const touched = new Set<string>();
  const handleRecord: RecordHandler = async (event, ctx) => {
    const zone = service.add(event, ctx.record.messageId);
    if (zone) touched.add(zone);
    return { queued: zone !== undefined };
  };
  return {
    handleRecord,
    commitBatch: () => service.commitQueued(),
    afterBatch: async () => {
      service.reset();
      const zones = [...touched];
      const failed = await service.flushPending(zones);
      // Forgotten only once flushed and recorded in the sweep index: if flushPending throws
      // (e.g. the index cannot be written), the next invocation tries these zones again.
      for (const zone of zones) touched.delete(zone);
      for (const { zone, error } of failed) {
        // Queued items stay queued; the next sweep posts them.
        observability(SERVICE).logger.warn("media flush failed", {
          zone,
          error: messageOf(error),
        });
      }
    },
  };
}
