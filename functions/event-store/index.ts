/**
 * The event store for tools (CLI, local cloud, tests): read streams, time ranges, and the state
 * of a stream at any instant (`stateAt`), over the events table.
 */
import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { systemClock } from "../shared/clock.ts";
import { DynamoDbEventStorage } from "./dynamodb-adapter.ts";
import { type StreamState, streamStateProjection } from "./projections.ts";
import { EventStore } from "./store.ts";

export { EventAlreadyExistsError } from "./errors.ts";
export type { StoredEvent } from "./port.ts";
export type { StreamState } from "./projections.ts";
export { EventStore } from "./store.ts";

export function eventStore(options: {
  readonly documents: DynamoDBDocumentClient;
  readonly eventsTable: string;
  /** @default 50 */
  readonly snapshotEvery?: number;
}): EventStore<StreamState> {
  return new EventStore({
    storage: new DynamoDbEventStorage(options.documents, options.eventsTable),
    clock: systemClock,
    projection: streamStateProjection,
    ...(options.snapshotEvery ? { snapshotEvery: options.snapshotEvery } : {}),
  });
}
