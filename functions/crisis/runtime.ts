/**
 * Wiring of the crisis controller: one builder for the AWS Lambda (handler.ts), the local monitor
 * (local/crisis/monitor.ts) and `buzzville crisis` (bin/ops/crisis.ts).
 */
import type { EventBridgeClient } from "@aws-sdk/client-eventbridge";
import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { z } from "zod";
import { CityEventPublisher } from "../../events/publisher.ts";
import { type CrisisSpec, topology } from "../../infra/topology.ts";
import { type Clock, systemClock } from "../shared/clock.ts";
import { lazyConfig } from "../shared/config.ts";
import { DynamoDbDocumentStore } from "../shared/dynamodb-documents.ts";
import { CrisisController, type ShedRule } from "./controller.ts";
import { EventBridgeRuleSwitch } from "./rules-adapter.ts";

/** The producer id of crisis transitions on the bus. */
export const CRISIS_PRODUCER = "ops-crisis";

export interface CrisisControllerParts {
  readonly busName: string;
  readonly readModelsTable: string;
  readonly shed: readonly ShedRule[];
  readonly events: EventBridgeClient;
  readonly documents: DynamoDBDocumentClient;
  /** @default topology.crisis */
  readonly spec?: CrisisSpec;
  readonly clock?: Clock;
}

export function buildCrisisController(parts: CrisisControllerParts): CrisisController {
  return new CrisisController({
    spec: parts.spec ?? topology.crisis,
    shed: parts.shed,
    rules: new EventBridgeRuleSwitch(parts.events, parts.busName),
    docs: new DynamoDbDocumentStore(parts.documents, parts.readModelsTable),
    announcer: new CityEventPublisher({
      busName: parts.busName,
      producerId: CRISIS_PRODUCER,
      instanceId: true,
      client: parts.events,
    }),
    clock: parts.clock ?? systemClock,
  });
}

/** The environment variable naming the shed rules: JSON `[{subscriptionId, ruleName}]`. */
export const SHED_RULES_ENV = "CRISIS_SHED_RULES" as const;

const ShedRulesJson = z
  .string()
  .transform((text, ctx) => {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      ctx.addIssue({ code: "custom", message: "must be JSON" });
      return z.NEVER;
    }
  })
  .pipe(
    z
      .array(z.strictObject({ subscriptionId: z.string().min(1), ruleName: z.string().min(1) }))
      .min(1),
  );

/** The Lambda's shed rules, validated at first use (bus and table: functions/shared/runtime.ts). */
export const shedRulesConfig = lazyConfig(z.object({ CRISIS_SHED_RULES: ShedRulesJson }));
