/** Wiring of the analytics function: fold per record, commit per batch. */
import { CachedDocumentStore } from "../shared/cached-documents.ts";
import { systemClock } from "../shared/clock.ts";
import { SqsDeadLetters } from "../shared/dead-letter.ts";
import { DynamoDbFailureLog } from "../shared/failure-log.ts";
import type { ServiceRuntime } from "../shared/kit.ts";
import { commonParts } from "../shared/runtime.ts";
import { SqsVisibility } from "../shared/sqs-adapter.ts";
import { AnalyticsService } from "./service.ts";

export const SERVICE = "analytics";

export function buildRuntime(): ServiceRuntime {
  const parts = commonParts(SERVICE);
  const service = new AnalyticsService({
    // Zone windows, open lists and live density: read once per container, then written at
    // their known version (the other instance's writes surface as conflicts, then re-read).
    docs: new CachedDocumentStore(parts.docs),
    bus: parts.derivedEvents,
    clock: systemClock,
  });
  return {
    ...analyticsHooks(service),
    clock: systemClock,
    visibility: new SqsVisibility(parts.clients.sqs),
    deadLetters: new SqsDeadLetters(parts.clients.sqs),
    failureLog: new DynamoDbFailureLog(parts.docs),
  };
}

/**
 * How the kit drives the service: fold per record, commit per batch (which also closes due
 * windows, so an empty batch — the scheduled sweep — closes quiet zones' windows too).
 */
export function analyticsHooks(
  service: AnalyticsService,
): Pick<ServiceRuntime, "handleRecord" | "commitBatch" | "afterBatch"> {
  return {
    handleRecord: async (event) => {
      service.add(event);
      return undefined;
    },
    commitBatch: async () => {
      await service.commit(); // all or nothing: a failure fails every record of the batch
      return [];
    },
    afterBatch: async () => service.reset(),
  };
}
