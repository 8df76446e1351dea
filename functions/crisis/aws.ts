/** The crisis controller Lambda's wiring: configuration at first use, AWS clients. */
import { RESOURCE_ENV, topology } from "../../infra/topology.ts";
import { awsClients } from "../shared/aws.ts";
import { observability } from "../shared/observability.ts";
import { busConfig, envValue, readModelsConfig } from "../shared/runtime.ts";
import type { AlarmHandlerParts } from "./alarm-handler.ts";
import { buildCrisisController, SHED_RULES_ENV, shedRulesConfig } from "./runtime.ts";

export function buildAwsCrisisController(): AlarmHandlerParts {
  const clients = awsClients(observability("crisis").tracer);
  return {
    spec: topology.crisis,
    controller: buildCrisisController({
      busName: envValue(busConfig, RESOURCE_ENV.bus),
      readModelsTable: envValue(readModelsConfig, RESOURCE_ENV.readModelsTable),
      shed: shedRulesConfig()[SHED_RULES_ENV],
      events: clients.eventBridge,
      documents: clients.documents,
    }),
  };
}
