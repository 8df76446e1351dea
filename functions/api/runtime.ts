/**
 * Wiring of the city API: its configuration (the events and read-models tables, validated at
 * first use), DynamoDB clients, the event store, the read models, analytics' queries.
 */
import { z } from "zod";
import { RESOURCE_ENV, type ResourceRef } from "../../infra/topology.ts";
import { AnalyticsService } from "../analytics/service.ts";
import { eventStore } from "../event-store/index.ts";
import { type AwsClients, awsClients } from "../shared/aws.ts";
import { type Clock, systemClock } from "../shared/clock.ts";
import { type Env, lazyConfig, resourceName } from "../shared/config.ts";
import { DynamoDbDocumentStore } from "../shared/dynamodb-documents.ts";
import { observability } from "../shared/observability.ts";
import type { ApiDeps } from "./deps.ts";

export const SERVICE = "api";

/** The resources the API reads (read-only): their names come in RESOURCE_ENV variables. */
export const API_RESOURCES = [
  "eventsTable",
  "readModelsTable",
] as const satisfies readonly ResourceRef[];

const ConfigSchema = z.object({
  [RESOURCE_ENV.eventsTable]: resourceName,
  [RESOURCE_ENV.readModelsTable]: resourceName,
});

/** The API reads; it never publishes (analytics' queries do not need its bus). */
const noBus = {
  publishDerived: () =>
    Promise.reject(new Error("the city API is read-only: it publishes no events")),
};

/** The API's ports over DynamoDB: `env` names the tables (checked now), `clients` reach them. */
export function apiDeps(
  env: Env,
  clients: Pick<AwsClients, "documents">,
  clock: Clock = systemClock,
): ApiDeps {
  const config = lazyConfig(ConfigSchema, () => env)();
  const eventsTable = config[RESOURCE_ENV.eventsTable];
  const docs = new DynamoDbDocumentStore(clients.documents, config[RESOURCE_ENV.readModelsTable]);
  return {
    store: eventStore({ documents: clients.documents, eventsTable }),
    docs,
    analytics: new AnalyticsService({ docs, bus: noBus, clock }),
    clock,
  };
}

/** The deployed function's ports: process.env and traced clients. */
export function buildApiDeps(): ApiDeps {
  return apiDeps(process.env, awsClients(observability(SERVICE).tracer));
}
