/**
 * Idempotency by event id: Powertools idempotency (makeIdempotent) keyed by
 * `detail.meta.eventId`, with its DynamoDB persistence on the idempotency table on AWS and an
 * in-memory persistence layer in unit tests. A redelivered event returns the stored result
 * instead of acting twice (never two SMS, never two dispatches).
 */

import {
  IdempotencyConfig,
  IdempotencyItemAlreadyExistsError,
  IdempotencyItemNotFoundError,
  makeIdempotent,
} from "@aws-lambda-powertools/idempotency";
import { DynamoDBPersistenceLayer } from "@aws-lambda-powertools/idempotency/dynamodb";
import {
  BasePersistenceLayer,
  type IdempotencyRecord,
} from "@aws-lambda-powertools/idempotency/persistence";
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { Context } from "aws-lambda";
import type { AnyCityEvent } from "./envelope.ts";

/** JMESPath of the idempotency key in a city event. */
export const EVENT_ID_PATH = "detail.meta.eventId";

export type EventFn<C, R> = (event: AnyCityEvent, ctx: C) => Promise<R>;

export interface Idempotent<C, R> {
  readonly run: EventFn<C, R>;
  /** Lets Powertools bound the in-progress lock by the invocation's remaining time. */
  registerLambdaContext(context: Context): void;
}

/** Wraps an event function so it acts once per event id. Results must be JSON. */
export function idempotentByEventId<C, R>(
  fn: EventFn<C, R>,
  persistenceStore: BasePersistenceLayer,
  options: { expiresAfterSeconds?: number } = {},
): Idempotent<C, R> {
  const config = new IdempotencyConfig({
    eventKeyJmesPath: EVENT_ID_PATH,
    expiresAfterSeconds: options.expiresAfterSeconds ?? 24 * 3600,
    throwOnNoIdempotencyKey: true,
  });
  // Powertools' generic signature is over any function; ours is narrower.
  const run = makeIdempotent(fn, { persistenceStore, config }) as EventFn<C, R>;
  return { run, registerLambdaContext: (context) => config.registerLambdaContext(context) };
}

/** Powertools DynamoDB persistence on the idempotency table (key `id`, TTL `expiration`). */
export function dynamoDbIdempotencyStore(client: DynamoDBClient, tableName: string) {
  return new DynamoDBPersistenceLayer({ tableName, awsSdkV3Client: client });
}

/** In-memory persistence layer with the DynamoDB layer's semantics (for unit tests). */
export class InMemoryIdempotencyStore extends BasePersistenceLayer {
  private readonly records = new Map<string, IdempotencyRecord>();

  protected async _getRecord(idempotencyKey: string): Promise<IdempotencyRecord> {
    const record = this.records.get(idempotencyKey);
    if (!record) throw new IdempotencyItemNotFoundError();
    return record;
  }

  protected async _putRecord(record: IdempotencyRecord): Promise<void> {
    const existing = this.records.get(record.idempotencyKey);
    const inProgressExpired =
      existing?.getStatus() === "INPROGRESS" &&
      existing.inProgressExpiryTimestamp !== undefined &&
      existing.inProgressExpiryTimestamp < Date.now();
    if (existing && !existing.isExpired() && !inProgressExpired) {
      throw new IdempotencyItemAlreadyExistsError(
        `Failed to put record for already existing idempotency key: ${record.idempotencyKey}`,
        existing,
      );
    }
    this.records.set(record.idempotencyKey, record);
  }

  protected async _updateRecord(record: IdempotencyRecord): Promise<void> {
    this.records.set(record.idempotencyKey, record);
  }

  protected async _deleteRecord(record: IdempotencyRecord): Promise<void> {
    this.records.delete(record.idempotencyKey);
  }

  get size(): number {
    return this.records.size;
  }
}
