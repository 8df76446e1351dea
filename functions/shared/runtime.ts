/**
 * Common wiring of a service runtime: config (zod, at first use), AWS clients, the read-model
 * store, the publisher for derived events, idempotency on the idempotency table, SQS backoff.
 */
import { z } from "zod";
import { CityEventPublisher } from "../../events/publisher.ts";
import { RESOURCE_ENV } from "../../infra/topology.ts";
import { type AwsClients, awsClients } from "./aws.ts";
import type { RecordHandler } from "./batch.ts";
import { type BreakerOptions, CircuitBreaker } from "./breaker.ts";
import { systemClock } from "./clock.ts";
import { currentTraceHeader, lazyConfig, resourceName } from "./config.ts";
import { SqsDeadLetters } from "./dead-letter.ts";
import { type DerivedEventSink, producerIdOf } from "./derived.ts";
import { DynamoDbBreakerStore } from "./dynamodb-breaker-store.ts";
import { DynamoDbDocumentStore } from "./dynamodb-documents.ts";
import { DynamoDbFailureLog } from "./failure-log.ts";
import { dynamoDbIdempotencyStore, idempotentByEventId } from "./idempotency.ts";
import type { ServiceRuntime } from "./kit.ts";
import { observability } from "./observability.ts";
import { SqsVisibility } from "./sqs-adapter.ts";

export const busConfig = lazyConfig(z.object({ [RESOURCE_ENV.bus]: resourceName }));
export const readModelsConfig = lazyConfig(
  z.object({ [RESOURCE_ENV.readModelsTable]: resourceName }),
);
export const idempotencyConfig = lazyConfig(
  z.object({ [RESOURCE_ENV.idempotencyTable]: resourceName }),
);

/** A validated configuration value (`config` is a `lazyConfig` whose schema has `name`). */
export const envValue = <K extends string>(
  config: () => Readonly<Record<K, string>>,
  name: K,
): string => config()[name];

export interface CommonParts {
  readonly clients: AwsClients;
  readonly docs: DynamoDbDocumentStore;
  readonly publisher: () => CityEventPublisher;
  /** Where the service's derived events go: the publisher, built at the first one. */
  readonly derivedEvents: DerivedEventSink;
  /** A circuit breaker whose state is shared by every environment (the read-models table). */
  breaker(options: Omit<BreakerOptions, "store" | "clock">): CircuitBreaker;
}

export function commonParts(service: string): CommonParts {
  const clients = awsClients(observability(service).tracer);
  const docs = new DynamoDbDocumentStore(
    clients.documents,
    envValue(readModelsConfig, RESOURCE_ENV.readModelsTable),
  );
  let built: CityEventPublisher | undefined;
  const publisher = () => {
    built ??= new CityEventPublisher({
      busName: envValue(busConfig, RESOURCE_ENV.bus),
      producerId: producerIdOf(service),
      // One sequence per Lambda instance: "svc-<service>/<instanceId>".
      instanceId: true,
      client: clients.eventBridge,
      traceHeader: () => currentTraceHeader(),
    });
    return built;
  };
  return {
    clients,
    docs,
    publisher,
    derivedEvents: { publishDerived: (cause, drafts) => publisher().publishDerived(cause, drafts) },
    breaker: (options) =>
      new CircuitBreaker({
        ...options,
        store: new DynamoDbBreakerStore(
          clients.documents,
          envValue(readModelsConfig, RESOURCE_ENV.readModelsTable),
        ),
        clock: systemClock,
      }),
  };
}

/** The parts of a consumer runtime every service shares: clock, backoff, failure log, DLQ. */
export function consumerRuntime(
  parts: CommonParts,
): Pick<ServiceRuntime, "clock" | "visibility" | "failureLog" | "deadLetters"> {
  return {
    clock: systemClock,
    visibility: new SqsVisibility(parts.clients.sqs),
    failureLog: new DynamoDbFailureLog(parts.docs),
    deadLetters: new SqsDeadLetters(parts.clients.sqs),
  };
}

/**
 * A runtime whose record handler acts once per event id (Powertools idempotency on the
 * idempotency table): only for side effects outside DynamoDB (dispatch calls, citizen alerts).
 */
export function idempotentRuntime(parts: CommonParts, handleRecord: RecordHandler): ServiceRuntime {
  const idem = idempotentByEventId(
    handleRecord,
    dynamoDbIdempotencyStore(
      parts.clients.dynamodb,
      envValue(idempotencyConfig, RESOURCE_ENV.idempotencyTable),
    ),
  );
  return {
    ...consumerRuntime(parts),
    handleRecord: idem.run,
    registerLambdaContext: idem.registerLambdaContext,
  };
}
