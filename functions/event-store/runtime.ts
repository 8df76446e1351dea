/** Wiring of the event-store function: config from env (zod, at first use) and AWS adapters. */
import { z } from "zod";
import { RESOURCE_ENV } from "../../infra/topology.ts";
import { awsClients } from "../shared/aws.ts";
import { systemClock } from "../shared/clock.ts";
import { lazyConfig, positiveInt, resourceName } from "../shared/config.ts";
import { SqsDeadLetters } from "../shared/dead-letter.ts";
import type { ServiceRuntime } from "../shared/kit.ts";
import { observability } from "../shared/observability.ts";
import { SqsVisibility } from "../shared/sqs-adapter.ts";
import { DynamoDbEventStorage } from "./dynamodb-adapter.ts";
import { streamStateProjection } from "./projections.ts";
import { StreamBatcher } from "./record-handler.ts";
import { EventStore } from "./store.ts";

export const SERVICE = "event-store";

export const config = lazyConfig(
  z.object({
    [RESOURCE_ENV.eventsTable]: resourceName,
    SNAPSHOT_EVERY: positiveInt(50),
  }),
);

export function buildRuntime(): ServiceRuntime {
  const env = config();
  const clients = awsClients(observability(SERVICE).tracer);
  const store = new EventStore({
    storage: new DynamoDbEventStorage(clients.documents, env[RESOURCE_ENV.eventsTable]),
    clock: systemClock,
    projection: streamStateProjection,
    snapshotEvery: env.SNAPSHOT_EVERY,
  });
  const batcher = new StreamBatcher(store);
  return {
    handleRecord: batcher.handleRecord,
    commitBatch: batcher.commit,
    afterBatch: async () => batcher.reset(),
    clock: systemClock,
    visibility: new SqsVisibility(clients.sqs),
    deadLetters: new SqsDeadLetters(clients.sqs),
  };
}
