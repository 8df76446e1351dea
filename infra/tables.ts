/**
 * Key schemas of the city's DynamoDB tables, free of CDK so that the local cloud and the
 * functions can import them without loading aws-cdk-lib. Rendered by infra/constructs/data-stores.ts.
 */

/** Key schema of the event store, shared with the event-store service and the local cloud. */
export const EVENTS_TABLE_KEYS = {
  /** `streamId`, e.g. `intersection#i-12`. */
  partitionKey: "pk",
  /** Zero-padded version within the stream. */
  sortKey: "sk",
  /** GSI for time-range reads. */
  timeIndex: {
    name: "gsi1",
    /** `bucket#YYYY-MM-DDTHH` (hour bucket of occurredAt). */
    partitionKey: "gsi1pk",
    /** `occurredAt#eventId`. */
    sortKey: "gsi1sk",
  },
} as const;

/**
 * The read-models table: each read model owns a `pk` prefix ("intersection#", "units#",
 * "citizens#", "zone-stats#", "density#", "breaker#", "media#", "incident#", "aggregate#").
 */
export const READ_MODELS_TABLE_KEYS = { partitionKey: "pk", sortKey: "sk" } as const;

/** Powertools idempotency defaults (DynamoDBPersistenceLayer keyAttr / expiryAttr). */
export const IDEMPOTENCY_TABLE_KEYS = { partitionKey: "id", ttlAttribute: "expiration" } as const;
